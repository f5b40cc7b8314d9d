"""Réglages de FDLS, lus dans l'environnement (voir ``.env.example``).

``FDLS_ENV`` vaut ``dev`` (défaut), ``test`` ou ``production``. Sans
``DATABASE_URL`` / ``REDIS_URL``, un PostgreSQL et un Valkey embarqués sont
démarrés sous ``var/`` (voir ``fdls/embedded.py``) ; en production les deux
variables sont obligatoires.
"""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

FDLS_ENV = env.str("FDLS_ENV", default="dev")
PRODUCTION = FDLS_ENV == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=FDLS_ENV == "dev")

# Clé publiée (elle est dans le code) : poste de développement seulement, jamais hors de la boucle locale.
FDLS_CLE_DEVELOPPEMENT = "dev-insecure-9c7b0e2f4a1d4b6e8f3a5c7d9e1f2a4b6c8d0e2f4a6b8c0d"
HOTES_LOCAUX = ["localhost", "127.0.0.1", "[::1]", "testserver"]


def cle_faible(cle: str) -> bool:
    """Mêmes critères que le contrôle ``security.W009`` de Django, plus la clé de développement publiée."""
    return (
        len(cle) < 50
        or len(set(cle)) < 5
        or cle.startswith("django-insecure")
        or cle.startswith("dev-insecure")
        or cle == FDLS_CLE_DEVELOPPEMENT
    )


if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if cle_faible(SECRET_KEY):
        raise environ.ImproperlyConfigured(
            "DJANGO_SECRET_KEY est absente ou faible : en production, 50 caractères variés au moins, tirés au "
            "hasard (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=FDLS_CLE_DEVELOPPEMENT)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=HOTES_LOCAUX)

# Sûr par défaut : sans FDLS_ENV=production, DEBUG et la clé publiée ne servent que la boucle locale.
# Au démarrage, des hôtes autorisés hors du poste sont refusés ; à chaque requête, une adresse cliente hors de
# la boucle locale aussi (fdls.socle.middleware.PosteDeveloppementMiddleware).
if DEBUG and SECRET_KEY == FDLS_CLE_DEVELOPPEMENT and not set(ALLOWED_HOSTS) <= set(HOTES_LOCAUX):
    raise environ.ImproperlyConfigured(
        f"DJANGO_ALLOWED_HOSTS={','.join(ALLOWED_HOSTS)} sert hors du poste avec DEBUG et la clé de "
        "développement publiée : réglez FDLS_ENV=production (ou DJANGO_DEBUG=false et DJANGO_SECRET_KEY)."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("FDLS_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    # Socle partagé
    "fdls.socle",
    "fdls.territoires",
    "fdls.organismes",
    "fdls.comptes",
    "fdls.audit",
    # Capacités métier
    "demandes",
    "offre",
    "instruction",
    "cotation",
    "observatoire",
    "portail",
    # Démonstration et générateur (couche du haut : rien ne l'importe)
    "demo",
]

MIDDLEWARE = [
    # En-têtes de sécurité sur toute réponse, 503 comprises (fdls/socle/middleware.py).
    "fdls.socle.middleware.EntetesSecuriteMiddleware",
    "fdls.socle.middleware.PosteDeveloppementMiddleware",
    "fdls.socle.middleware.IndisponibiliteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fdls.comptes.middleware.DureeSessionMiddleware",
    "fdls.comptes.middleware.DoubleFacteurMiddleware",
    # Une ligne du journal des consultations par demande montrée (docs/acces.md).
    "fdls.audit.middleware.JournalDesConsultationsMiddleware",
    # Axes en dernier (documentation django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fdls.urls"
WSGI_APPLICATION = "fdls.wsgi.application"
ASGI_APPLICATION = "fdls.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fdls.socle.context_processors.fdls",
                "fdls.accueil.menu.navigation",
            ],
            "string_if_invalid": "" if PRODUCTION else "",
            # Typographie française (filtres nu, nombre, pluriel) dans tous les gabarits, PDF compris.
            "builtins": ["fdls.socle.templatetags.typographie"],
        },
    },
]

# --- Base de données -------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif PRODUCTION:
    raise environ.ImproperlyConfigured("DATABASE_URL est obligatoire en production.")
else:
    from fdls import embedded

    DATABASES = {"default": embedded.postgres_settings()}

DATABASES["default"].update(
    {
        # Survit à un redémarrage de PostgreSQL sans redémarrer l'application.
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    }
)
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 3)
# Pas de compilation JIT des requêtes : sur les pages (une requête de 10 à 100 ms), elle ajoutait jusqu'à
# 220 ms de compilation dès que le coût estimé dépassait le seuil (docs/decisions.md, session 11). Un
# traitement de masse qui en profiterait la rallume pour sa transaction (``SET LOCAL jit = on``).
DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DATABASES["default"].setdefault("TEST", {})
# Base de test nommée d'après la base configurée et le dossier de la copie du projet : deux copies sur le
# même serveur (un clone neuf à côté du dossier de travail, la CI à côté d'une suite lancée à la main) ne se
# partagent pas leurs bases de test, même avec le même DATABASE_URL.
_COPIE = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:6]
DATABASES["default"]["TEST"].setdefault(
    "NAME", env.str("FDLS_TEST_DB_NAME", default=f"test_{DATABASES['default'].get('NAME') or 'fdls'}_{_COPIE}")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker (Celery) -------------------------------------------------------
if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
elif PRODUCTION:
    raise environ.ImproperlyConfigured("REDIS_URL est obligatoire en production.")
else:
    from fdls import embedded

    REDIS_URL = embedded.valkey_url()

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "fdls"
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Un envoi ne doit jamais bloquer une requête web : en cas d'échec, la tâche
# reste dans l'outbox PostgreSQL et le relais la renverra (fdls/socle/taches.py).
CELERY_TASK_PUBLISH_RETRY = False
# Outbox : une tâche confiée au broker, pas encore exécutée et que le broker n'a plus (redémarré sans son
# contenu) est republiée par le relais passé ce délai (fdls/socle/taches.py, docs/reliability.md §1).
FDLS_OUTBOX_REPUBLICATION_S = env.int("FDLS_OUTBOX_REPUBLICATION_S", default=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "relayer-taches-en-attente": {
        "task": "fdls.socle.tasks.relayer_taches_en_attente",
        "schedule": timedelta(seconds=30),
    },
    "battement-worker": {
        "task": "fdls.socle.tasks.battement",
        "schedule": timedelta(seconds=60),
    },
    "purger-journal-consultations": {
        "task": "fdls.audit.tasks.purger_consultations",
        "schedule": crontab(hour=3, minute=15),
    },
    "purger-sessions-expirees": {
        "task": "fdls.comptes.tasks.purger_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Traitements des demandes (demandes/relances/traitements.py, état par jour en base, reprenables).
    # Surveillance : un job « en cours » dont le processus est mort est repris dans la minute.
    "reprendre-traitements-interrompus": {
        "task": "demandes.tasks.reprendre_traitements_interrompus",
        "schedule": timedelta(seconds=60),
    },
    "annuler-demandes-echues": {
        "task": "demandes.tasks.annuler_demandes_echues",
        "schedule": crontab(hour=1, minute=0),
    },
    "radier-sans-reponse": {
        "task": "demandes.tasks.radier_sans_reponse",
        "schedule": crontab(hour=1, minute=10),
    },
    "purger-demandes-radiees": {
        "task": "demandes.tasks.purger_demandes_radiees",
        "schedule": crontab(hour=1, minute=20),
    },
    "detecter-doublons-nuit": {
        "task": "demandes.tasks.detecter_doublons_nuit",
        "schedule": crontab(hour=1, minute=30),
    },
    "recalculer-labels-automatiques": {
        "task": "demandes.tasks.recalculer_labels_automatiques",
        "schedule": crontab(hour=1, minute=45),
    },
    # Cotation (cotation/services.calcul_de_nuit) : grilles programmées, échéances, labels du jour, répartition.
    "cotation-calcul-de-nuit": {
        "task": "cotation.tasks.calcul_de_nuit",
        "schedule": crontab(hour=2, minute=0),
    },
    # Instruction : propositions restées sans réponse après leur date limite (idempotent).
    "propositions-sans-reponse": {
        "task": "instruction.tasks.constater_non_reponses",
        "schedule": crontab(hour=1, minute=50),
    },
    # Instruction : attributions sous condition suspensive dont le délai est passé sans la pièce (idempotent).
    "cal-conditions-caduques": {
        "task": "instruction.tasks.constater_caducites",
        "schedule": crontab(hour=1, minute=55),
    },
    # Observatoire (observatoire/tasks.py) : tout est idempotent, un passage manqué est rattrapé le lendemain.
    "observatoire-photo-du-mois": {
        "task": "observatoire.tasks.photographier_fichier",
        "schedule": crontab(hour=0, minute=20),
    },
    "observatoire-compteurs-activite": {
        "task": "observatoire.tasks.compter_activite",
        "schedule": crontab(hour=0, minute=40),
    },
    "observatoire-bilans": {
        "task": "observatoire.tasks.produire_bilans",
        "schedule": crontab(hour=4, minute=30),
    },
    "observatoire-donnees-ouvertes": {
        "task": "observatoire.tasks.publier_donnees_ouvertes",
        "schedule": crontab(hour=5, minute=0),
    },
    "cotation-attentes-estimees": {
        "task": "cotation.tasks.calculer_attentes",
        "schedule": crontab(hour=2, minute=30),
    },
    # Fichiers de pièces restés sans ligne (processus tué entre l'écriture et la validation du dépôt).
    "nettoyer-pieces-orphelines": {
        "task": "demandes.tasks.nettoyer_pieces_orphelines",
        "schedule": crontab(hour=4, minute=0),
    },
    "envoyer-relances-echeance": {
        "task": "demandes.tasks.envoyer_relances",
        "schedule": crontab(hour=7, minute=0),
    },
    # Portail : courriel aux comptes dont une demande devient renouvelable (idempotent, une clé par échéance).
    "portail-rappeler-renouvellements": {
        "task": "portail.tasks.rappeler_renouvellements",
        "schedule": crontab(hour=7, minute=5),
    },
    # Portail : chiffres clés publics des communes et EPCI, le 1er du mois.
    "portail-photographier-chiffres": {
        "task": "portail.tasks.photographier_chiffres",
        "schedule": crontab(day_of_month=1, hour=5, minute=0),
    },
}

# --- Relances avant échéance (demandes/relances/envoi.py) ------------------
# Backend SMS enfichable : chemin d'une classe ``envoyer(numero, texte, reference)``.
# Par défaut le journal (table demandes_smsjournal + logs) : aucun SMS ne part.
FDLS_SMS_BACKEND = env.str("FDLS_SMS_BACKEND", default="demandes.relances.envoi.SmsVersJournal")
# Lettres aux demandeurs (rappels, avertissements) : un PDF par lettre et un lot d'impression par jour.
FDLS_COURRIERS_DIR = env.str("FDLS_COURRIERS_DIR", default=str(BASE_DIR / "var" / "courriers"))

# --- Cache -----------------------------------------------------------------
# Cache en base : le throttling de l'API et les compteurs restent disponibles
# quand le broker est arrêté (docs/decisions.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "fdls_cache",
    }
}

# --- Comptes et sécurité ---------------------------------------------------
AUTH_USER_MODEL = "comptes.Utilisateur"
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "socle:accueil"
LOGOUT_REDIRECT_URL = "comptes:connexion"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Verrouillage du compte après 5 échecs, 15 minutes (django-axes).
AXES_FAILURE_LIMIT = env.int("FDLS_ECHECS_AVANT_VERROUILLAGE", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("FDLS_DUREE_VERROUILLAGE_MIN", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_USERNAME_FORM_FIELD = "username"
# Échecs comptés par compte : « Sec@x.fr » et « sec@x.fr  » visent le même compte (fdls/comptes/verrouillage.py).
AXES_USERNAME_CALLABLE = "fdls.comptes.verrouillage.identifiant_canonique"
AXES_IPWARE_PROXY_COUNT = env.int("FDLS_PROXY_COUNT", default=0)
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Session : expiration après inactivité (renouvelée à chaque requête) ; 2 h pour les demandeurs, 30 min pour les
# agents, et 12 h au plus depuis la connexion même en activité (OWASP ASVS 3.3 ; fdls/comptes/middleware.py).
SESSION_COOKIE_AGE = env.int("FDLS_SESSION_INACTIVITE_S", default=2 * 3600)
FDLS_SESSION_INACTIVITE_AGENT_S = env.int("FDLS_SESSION_INACTIVITE_AGENT_S", default=30 * 60)
FDLS_SESSION_DUREE_MAX_S = env.int("FDLS_SESSION_DUREE_MAX_S", default=12 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Jetons d'API : durée de vie maximale, comptée depuis la création (fdls/comptes/services.creer_jeton) ;
# un jeton est aussi révoqué quand le mot de passe ou le second facteur de son agent est réinitialisé.
FDLS_JETON_DUREE_MAX_JOURS = env.int("FDLS_JETON_DUREE_MAX_JOURS", default=365)

# Second facteur obligatoire pour les agents (django-otp, TOTP RFC 6238).
FDLS_DOUBLE_FACTEUR_AGENTS = env.bool("FDLS_DOUBLE_FACTEUR_AGENTS", default=True)
OTP_TOTP_ISSUER = "FDLS"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Permissions-Policy : aucune fonction du navigateur n'est utilisée (fdls.socle.middleware.EntetesSecuriteMiddleware).
FDLS_PERMISSIONS_POLICY = {
    fonction: []
    for fonction in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail ----------------------------------------------------------------
# EMAIL_URL : smtp+tls://utilisateur:motdepasse@hote:587 (STARTTLS) ou smtp+ssl:// ;
# sans elle, les courriels sont écrits sur la console (poste de développement).
if env.str("EMAIL_URL", default=""):
    _smtp = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp["EMAIL_PORT"],
                "username": _smtp.get("EMAIL_HOST_USER") or None,
                "password": _smtp.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_smtp.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_smtp.get("EMAIL_USE_SSL")),
                "timeout": 10,
            },
        }
    }
elif PRODUCTION:
    raise environ.ImproperlyConfigured("EMAIL_URL est obligatoire en production (réinitialisation des mots de passe).")
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FDLS <ne-pas-repondre@fdls.localhost>")
PASSWORD_RESET_TIMEOUT = 3600
# Mot de passe oublié (fdls/comptes/services.demander_reinitialisation) : le courriel part par l'outbox, et les
# demandes sont limitées par adresse IP et par adresse électronique sur une fenêtre glissante d'une heure.
FDLS_REINITIALISATION_MAX_PAR_IP = env.int("FDLS_REINITIALISATION_MAX_PAR_IP", default=10)
FDLS_REINITIALISATION_MAX_PAR_ADRESSE = env.int("FDLS_REINITIALISATION_MAX_PAR_ADRESSE", default=3)
FDLS_REINITIALISATION_FENETRE_S = 3600
# Portail du demandeur (portail/compte, portail/rattachement) : essais de connexion par poste (429 au-delà),
# codes de rattachement d'une demande (validité selon le canal, essais, demandes par compte et par heure).
FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP = env.int("FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP", default=30)
FDLS_PORTAIL_CONNEXIONS_FENETRE_S = env.int("FDLS_PORTAIL_CONNEXIONS_FENETRE_S", default=300)
FDLS_RATTACHEMENT_VALIDITE_COURRIEL_MIN = 60
FDLS_RATTACHEMENT_VALIDITE_COURRIER_JOURS = 30
FDLS_RATTACHEMENT_ESSAIS = 5
FDLS_RATTACHEMENT_DEMANDES_PAR_HEURE = 5

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
# Milliers séparés par l'espace fine insécable (fdls/formats/fr/formats.py, fdls.socle.typographie).
FORMAT_MODULE_PATH = ["fdls.formats"]
USE_TZ = True

# --- Fichiers --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("FDLS_STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
if not PRODUCTION:
    # WhiteNoise avertit si STATIC_ROOT n'existe pas (collectstatic n'est lancé qu'en production).
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hors production (make run sans DEBUG, tests), WhiteNoise sert les fichiers depuis les sources, sans collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Pièces justificatives : hors de la racine web, servies via la politique d'accès.
MEDIA_ROOT = Path(env.str("FDLS_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "prive")))
# Aucune route ne sert MEDIA_ROOT : les pièces passent par des vues qui appliquent
# la politique d'accès. MEDIA_URL reste défini (le serveur de test l'exige).
MEDIA_URL = "/fichiers-prives/"
# Pièces justificatives des demandes (demandes/pieces/services.py) : répertoire hors de la racine web, jamais
# servi directement (vues avec contrôle d'accès et journal), et taille maximale d'un fichier (octets).
# Par défaut sous MEDIA_ROOT (var/prive/pieces ; en Docker Compose, dans le volume « prive »).
FDLS_PIECES_ROOT = Path(env.str("FDLS_PIECES_ROOT", default=str(MEDIA_ROOT / "pieces")))
FDLS_PIECE_TAILLE_MAX = env.int("FDLS_PIECE_TAILLE_MAX", default=10 * 1024 * 1024)
# Image déposée : au plus ce nombre de pixels (largeur × hauteur), soit un A4 numérisé à 600 dpi
# (4 961 × 7 016 ≈ 35 Mpx) ; au-delà, la décompresser pour l'afficher coûterait des centaines de Mo.
FDLS_PIECE_PIXELS_MAX = env.int("FDLS_PIECE_PIXELS_MAX", default=40_000_000)
# Import d'un fichier de parc (offre/importation/analyse.py) : budget de temps et de mémoire retenue de
# l'analyse ; au-delà, le fichier est refusé (« découpez-le ») et rien n'est importé. 40 s laissent
# l'écriture finir sous le délai de 60 s de gunicorn (100 000 lignes XLSX : 26 s en tout, docs/benchmarks.md) ;
# 512 Mo couvrent 200 000 lignes valides (≈ 1,6 ko chacune).
FDLS_IMPORT_DUREE_MAX_S = env.float("FDLS_IMPORT_DUREE_MAX_S", default=40.0)
FDLS_IMPORT_MEMOIRE_MAX_MO = env.int("FDLS_IMPORT_MEMOIRE_MAX_MO", default=512)

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fdls.comptes.jetons.authentification.JetonAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["fdls.acces.api.EstAgentAuthentifie"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("FDLS_API_DEBIT_ANONYME", default="60/hour"),
        "user": env.str("FDLS_API_DEBIT_AGENT", default="5000/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fdls.socle.api.erreurs.gestionnaire_exceptions",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    # Sans version par défaut, `manage.py spectacular` produit un schéma vide.
    "DEFAULT_VERSION": "v1",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API FDLS",
    "DESCRIPTION": (
        "API REST du fichier partagé de la demande locative sociale. "
        "Authentification par jeton (en-tête `Authorization: Token <clé>`), "
        "rattaché à un agent et à son organisme : la même politique d'accès "
        "(CCH R441-2-6) que les écrans s'applique."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Trois modèles ont un champ `type` : noms d'énumérations explicites.
    "ENUM_NAME_OVERRIDES": {
        "TypeEpciEnum": "fdls.territoires.models.Epci.Type",
        "TypeOrganismeEnum": "fdls.organismes.models.Organisme.Type",
        "TypeGuichetEnum": "fdls.organismes.models.Guichet.Type",
        "TypeRessourceEnum": "demandes.dossier.choix.TypeRessource",
        "MotifAnnulationEnum": "demandes.dossier.choix.MotifAnnulation",
        "TypePieceEnum": "demandes.dossier.choix.TypePiece",
        "EtatPieceEnum": "demandes.pieces.models.Piece.Etat",
        # Les champs « etat », « motif », « nature »… existent dans plusieurs applications :
        # des noms stables évitent les suffixes hachés de drf-spectacular.
        "EtatDemandeEnum": "demandes.dossier.models.Demande.Etat",
        "NatureDemandeEnum": "demandes.dossier.choix.NatureDemande",
        "TypologieEnum": "demandes.dossier.choix.Typologie",
        "CategorieEnum": "demandes.dossier.choix.CategorieLogement",
        "EtatDisponibiliteEnum": "offre.models.EtatDisponibilite",
        "MotifDisponibiliteEnum": "offre.models.Disponibilite.Motif",
        "EtatImportEnum": "offre.models.ImportLogements.Etat",
        "NatureLogementEnum": "offre.models.Nature",
        "EtatGrilleEnum": "cotation.models.Grille.Etat",
        "MotifRefusEnum": "instruction.propositions.models.MotifRefus",
        "EtatPositionnementEnum": "instruction.propositions.models.Positionnement.Etat",
        "DesignationPositionnementEnum": "instruction.propositions.models.Positionnement.Designation",
        "EtatContactEnum": "instruction.propositions.models.Contact.Etat",
        "EtapeContactEnum": "instruction.propositions.models.Contact.Etape",
        "ModeContactEnum": "instruction.propositions.models.Contact.Mode",
        "ResultatContactEnum": "instruction.propositions.models.Contact.Resultat",
        "EtatPropositionEnum": "instruction.propositions.models.Proposition.Etat",
        "ReponsePropositionEnum": [("accepter", "Acceptée"), ("refuser", "Refusée")],
        "DecisionCalEnum": "instruction.commissions.models.DecisionCal",
        "MotifDecisionCalEnum": "instruction.commissions.models.MotifDecision",
        "EtatCandidatureCalEnum": "instruction.commissions.models.Candidature.Etat",
        "EtatSeanceEnum": "instruction.commissions.models.Seance.Etat",
        "MoinsDeTroisCandidatsEnum": "instruction.commissions.models.Examen.MoinsDeTrois",
    },
    # Swagger UI n'appelle pas le validateur en ligne (intranet, CSP).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    # Swagger UI et Redoc servis par l'application (drf-spectacular-sidecar), sans CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Journal d'audit -------------------------------------------------------
# CNIL : journaux de consultation conservés 6 à 12 mois.
FDLS_RETENTION_CONSULTATIONS_JOURS = env.int("FDLS_RETENTION_CONSULTATIONS_JOURS", default=365)
# Recherches de doublons à la saisie : elles révèlent l'existence de demandes hors du périmètre
# (numéro unique, guichet) ; au plus N par agent et par fenêtre glissante de S secondes (docs/doublons.md).
FDLS_DOUBLONS_RECHERCHES_MAX = env.int("FDLS_DOUBLONS_RECHERCHES_MAX", default=30)
FDLS_DOUBLONS_RECHERCHES_FENETRE_S = env.int("FDLS_DOUBLONS_RECHERCHES_FENETRE_S", default=600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # Une coupure de la base : une ligne à son début, une à sa fin, rien par requête refusée.
    "filters": {"coupure": {"()": "fdls.socle.indisponibilite.FiltreCoupure"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "simple"},
        # Redéfini comme dans django.utils.log.DEFAULT_LOGGING, pour y brancher le filtre.
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env.str("FDLS_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["coupure"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": ["coupure"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}

# Verrouillage par compte et non par adresse IP : les agents d'une même agence
# partagent souvent une IP de sortie, qu'un tiers pourrait ainsi bloquer.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
