"""Envoi des courriels du demandeur : gabarits texte, lien vers ``SITE_URL``, clé d'idempotence.

Les courriels partent dans les tâches Celery (``portail/tasks.py``), planifiées par l'outbox
(``fdls.socle.taches.planifier``) dans la transaction métier : jamais pendant une requête. Un lien d'un
courriel n'agit jamais sur un GET : il ouvre une page qui porte le bouton (docs/quality.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from demandes.dossier.models import Demande, Evenement
from demandes.dossier.saisie import renouvelable_a_partir_du
from fdls.comptes.models import Utilisateur
from fdls.socle import taches

from .models import CourrielEnvoye, PreferencesCourriel

T = Evenement.Type

TACHE_EVENEMENT = "portail.tasks.notifier_evenement"

#: Événements notifiés au demandeur, et la préférence qui les commande (``None`` : toujours envoyé).
CATEGORIES = {
    T.ENREGISTREMENT: "suivi",
    T.VALIDATION: "suivi",
    T.REJET_EN_LIGNE: "suivi",
    T.RENOUVELLEMENT: "suivi",
    T.MODIFICATION: "suivi",
    T.PIECE_AJOUTEE: "suivi",
    T.PIECE_OBSOLETE: "suivi",
    T.ANNULATION: "suivi",
    T.ANNULATION_AUTOMATIQUE: "suivi",
    T.REACTIVATION: "suivi",
    T.SATISFACTION: "suivi",
    T.PROPOSITION: "decisions",
    T.PASSAGE_CAL: "decisions",
    T.DECISION_CAL: "decisions",
    T.NON_ATTRIBUTION: "decisions",
    T.AVERTISSEMENT: None,
    T.RADIATION_SANS_REPONSE: None,
}

#: Ce que le demandeur fait lui-même ne lui est pas renvoyé (il le voit à l'écran).
PROPRES_ACTIONS_TUES = frozenset({T.MODIFICATION, T.PIECE_AJOUTEE})


def url_site(nom: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(nom, args=args)


def envoyer(*, adresse: str, gabarit: str, contexte: dict, cle: str | None = None) -> bool:
    """Envoie le courriel ``gabarit`` (``<gabarit>_sujet.txt`` et ``<gabarit>.txt``) ; faux s'il est déjà parti.

    Avec une ``cle``, l'envoi est noté dans la même transaction : une tâche rejouée ne renvoie rien ; un
    envoi en échec annule la note (la tâche rejouée réessaie).
    """
    contexte = {"site": settings.SITE_URL.rstrip("/"), **contexte}
    sujet = " ".join(render_to_string(f"portail/courriels/{gabarit}_sujet.txt", contexte).split())
    corps = render_to_string(f"portail/courriels/{gabarit}.txt", contexte)
    with transaction.atomic():
        if cle is not None:
            _note, cree = CourrielEnvoye.objects.get_or_create(
                cle=cle[:120], defaults={"destinataire": adresse, "sujet": sujet[:200]}
            )
            if not cree:
                return False
        send_mail(sujet, corps, settings.DEFAULT_FROM_EMAIL, [adresse])
    return True


def preferences_de(user) -> PreferencesCourriel:
    preferences, _ = PreferencesCourriel.objects.get_or_create(user=user)
    return preferences


@transaction.atomic
def enregistrer_preferences(*, user, suivi: bool, decisions: bool, rappels_anticipes: bool) -> PreferencesCourriel:
    preferences = PreferencesCourriel.objects.select_for_update().filter(user=user).first()
    preferences = preferences or PreferencesCourriel(user=user)
    preferences.suivi, preferences.decisions, preferences.rappels_anticipes = suivi, decisions, rappels_anticipes
    preferences.save()
    return preferences


# ---------------------------------------------------------------- événements de l'historique


def evenement_ecrit(sender, instance: Evenement, created: bool, **kwargs) -> None:
    """Receveur ``post_save`` (``portail/apps.py``) : un événement d'une demande rattachée à un compte et que le
    demandeur doit connaître planifie son courriel, dans la transaction de l'événement."""
    if not created or instance.type not in CATEGORIES:
        return
    compte_id = instance.demande.compte_demandeur_id
    if compte_id is None:
        return
    if instance.type in PROPRES_ACTIONS_TUES and instance.auteur_id == compte_id:
        return
    taches.planifier(TACHE_EVENEMENT, instance.pk)


def notifier_evenement(evenement_id: int) -> bool:
    """Le courriel d'un événement (tâche) : selon les préférences, une fois par événement."""
    evenement = Evenement.objects.select_related("demande__compte_demandeur").filter(pk=evenement_id).first()
    if evenement is None or evenement.demande.compte_demandeur is None:
        return False
    user = evenement.demande.compte_demandeur
    categorie = CATEGORIES.get(evenement.type)
    if categorie is not None and not getattr(preferences_de(user), categorie):
        return False
    demande = evenement.demande
    return envoyer(
        adresse=user.email,
        gabarit="evenement",
        contexte={
            "user": user,
            "demande": demande,
            "evenement": evenement,
            "lien": url_site("portail:demande", demande.pk),
            "lien_historique": url_site("portail:historique", demande.pk),
            "lien_preferences": url_site("portail:preferences"),
            "avertissement": evenement.type == T.AVERTISSEMENT,
        },
        cle=f"evenement:{evenement.pk}",
    )


# ---------------------------------------------------------------- rappel anticipé du renouvellement


def rappeler_renouvellements(le=None) -> int:
    """Courriel aux comptes dont une demande active devient renouvelable (traitement du jour, idempotent :
    une clé par demande et échéance). Le rappel obligatoire (courrier, courriel, SMS) reste celui des relances."""
    le = le or timezone.localdate()
    envoyes = 0
    demandes = (
        Demande.objects.actives()
        .filter(compte_demandeur__isnull=False, compte_demandeur__is_active=True, date_expiration__gte=le)
        .select_related("compte_demandeur")
        .order_by("pk")
    )
    for demande in demandes.iterator(chunk_size=500):
        debut = renouvelable_a_partir_du(demande)
        if debut is None or debut > le:
            continue
        user = demande.compte_demandeur
        if not preferences_de(user).rappels_anticipes:
            continue
        envoyes += envoyer(
            adresse=user.email,
            gabarit="rappel",
            contexte={"user": user, "demande": demande, "lien": url_site("portail:renouveler", demande.pk)},
            cle=f"rappel:{demande.pk}:{demande.date_expiration:%Y%m%d}",
        )
    return envoyes


def destinataire(user_id: int) -> Utilisateur | None:
    return Utilisateur.objects.filter(pk=user_id, is_active=True).first()
