"""Crée un jeton d'API pour un agent et affiche la clé, une seule fois.

manage.py creer_jeton_api --email agent@bailleur.fr --nom "ERP bailleur" [--ecriture] [--expire-dans-jours 90]

Sans ``--expire-dans-jours``, le jeton vaut la durée maximale (``FDLS_JETON_DUREE_MAX_JOURS``, 365 par défaut).
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from fdls.comptes import services
from fdls.comptes.models import JetonApi, Utilisateur


class Command(BaseCommand):
    help = "Crée un jeton d'API rattaché à un agent ; la clé n'est affichée qu'une fois."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Adresse de l'agent titulaire du jeton.")
        parser.add_argument("--nom", required=True, help="Nom du système partenaire (ex. « ERP bailleur »).")
        parser.add_argument("--ecriture", action="store_true", help="Portée « écriture » (par défaut : lecture seule).")
        parser.add_argument(
            "--expire-dans-jours",
            type=int,
            default=None,
            help="Durée de validité en jours (par défaut et au plus : FDLS_JETON_DUREE_MAX_JOURS).",
        )

    def handle(self, *args, email, nom, ecriture, expire_dans_jours, **options):
        nom = nom.strip()
        if not nom:
            raise CommandError("Le nom du système partenaire est obligatoire.")
        if expire_dans_jours is not None and expire_dans_jours < 1:
            raise CommandError("--expire-dans-jours doit valoir au moins 1.")
        maximum = settings.FDLS_JETON_DUREE_MAX_JOURS
        if expire_dans_jours is not None and expire_dans_jours > maximum:
            raise CommandError(f"Un jeton d'API vaut {maximum} jours au plus (FDLS_JETON_DUREE_MAX_JOURS).")
        agent = Utilisateur.objects.filter(email__iexact=email.strip()).first()
        if agent is None:
            raise CommandError(f"Aucun compte pour l'adresse {email}.")
        if not agent.is_agent or agent.organisme_id is None:
            raise CommandError("Seul un agent rattaché à un organisme peut détenir un jeton d'API.")
        if not agent.is_active:
            raise CommandError("Ce compte est désactivé.")
        portee = JetonApi.Portee.ECRITURE if ecriture else JetonApi.Portee.LECTURE
        expire_le = timezone.now() + timedelta(days=expire_dans_jours) if expire_dans_jours else None
        jeton, cle = services.creer_jeton(agent=agent, nom=nom[:100], portee=portee, expire_le=expire_le)
        expiration = f"expire le {date_format(timezone.localtime(jeton.expire_le), 'SHORT_DATETIME_FORMAT')}"
        self.stderr.write(
            f"Jeton « {jeton.nom} » créé pour {agent.email} ({agent.organisme}), "
            f"portée : {jeton.get_portee_display().lower()}, {expiration}.\n"
            "Copiez la clé ci-dessous : elle ne sera plus jamais affichée. "
            "En-tête à envoyer : « Authorization: Token <clé> »."
        )
        self.stdout.write(cle)
