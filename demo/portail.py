"""Démonstration du portail : des comptes de demandeurs à l'adresse vérifiée, chacun rattaché à une demande de
démonstration par le service du rattachement (code à usage unique), comme le ferait le demandeur.

Appelé par ``manage.py demo`` en dernier (les demandes, leur cotation et leur instruction existent). Idempotent :
un compte qui a déjà une demande n'en reçoit pas d'autre ; un compte existant garde son mot de passe.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from demandes.dossier.saisie import renouvelable_a_partir_du
from demandes.models import Demande, Evenement, Label
from fdls.comptes.models import Utilisateur
from portail.courriels.models import PreferencesCourriel
from portail.rattachement import services as rattachement
from portail.rattachement.models import CodeRattachement

from .partenaires import MOT_DE_PASSE_DEMO

#: (adresse, prénom, nom, la demande qu'on lui rattache)
COMPTES_DEMANDEURS = [
    ("demandeur@demo.fdls.fr", "Dominique", "Demandeur", "une demande active cotée"),
    ("demandeur.renouvellement@demo.fdls.fr", "Camille", "Renouvelle", "une demande à renouveler (dans le préavis)"),
    (
        "demandeur.cal@demo.fdls.fr",
        "Sacha",
        "Commission",
        "une demande passée en commission d'attribution, prioritaire",
    ),
]


def _compte(email: str, prenom: str, nom: str) -> Utilisateur:
    user, cree = Utilisateur.objects.update_or_create(
        email=email, defaults={"first_name": prenom, "last_name": nom, "kind": Utilisateur.Kind.DEMANDEUR}
    )
    if cree:
        user.set_password(MOT_DE_PASSE_DEMO)
    if user.email_verifie_le is None:
        user.email_verifie_le = timezone.now()
    user.save()
    PreferencesCourriel.objects.get_or_create(user=user)
    return user


def _candidates():
    return Demande.objects.actives().filter(compte_demandeur__isnull=True, purgee_le__isnull=True).order_by("pk")


def _demande_pour(rang: int) -> Demande | None:
    demandes = _candidates()
    if rang == 1:
        le = timezone.localdate()
        for demande in demandes.filter(date_expiration__gte=le).order_by("date_expiration")[:200]:
            debut = renouvelable_a_partir_du(demande)
            if debut is not None and debut <= le:
                return demande
        return demandes.order_by("date_expiration").first()
    if rang == 2:
        cal = Evenement.objects.filter(
            demande=OuterRef("pk"), type__in=[Evenement.Type.DECISION_CAL, Evenement.Type.PASSAGE_CAL]
        )
        label = Label.objects.filter(demande=OuterRef("pk"), date_retrait__isnull=True)
        return (
            demandes.filter(Exists(cal)).order_by(~Exists(label), "pk").first()
            or demandes.filter(Exists(label)).first()
            or demandes.first()
        )
    return demandes.exclude(email="").first() or demandes.first()


def construire(options, stdout) -> None:
    lignes = []
    for rang, (email, prenom, nom, _description) in enumerate(COMPTES_DEMANDEURS):
        user = _compte(email, prenom, nom)
        demande = Demande.objects.filter(compte_demandeur=user).first()
        if demande is None:
            demande = _demande_pour(rang)
            if demande is None:
                continue
            _fiche, code = rattachement.emettre_code(user=user, demande=demande, canal=CodeRattachement.Canal.COURRIEL)
            demande = rattachement.confirmer_code(user=user, code=code)
        lignes.append(f"{email} → {demande.numero_unique_affiche}")
    stdout.write("Portail : comptes demandeurs rattachés – " + " ; ".join(lignes))
