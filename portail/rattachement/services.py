"""Rattachement d'une demande au compte du demandeur.

1. ``demander_code`` : numéro unique et date de naissance du demandeur ; s'ils désignent une demande
   enregistrée, un code à 6 chiffres part aux coordonnées **du dossier** (le courriel de la demande, ou une
   lettre à son adresse postale), jamais à l'adresse du compte : seul qui reçoit le courrier du ménage peut
   rattacher la demande. La réponse est la même que la demande existe ou non (pas d'énumération) ; le nombre
   de demandes de code par compte est limité.
2. ``confirmer_code`` : le code (5 essais, validité 1 h par courriel, 30 jours par courrier) rattache la
   demande ; l'historique le note (auteur : le demandeur).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from demandes.dossier.models import Demande, Evenement
from demandes.dossier.workflow import ecrire_evenement
from demandes.relances import courriers
from fdls.comptes.services import essai_de_trop
from fdls.socle import taches
from fdls.socle.typographie import chiffres
from fdls.socle.workflow import Auteur
from portail.courriels import services as courriels

from .models import CodeRattachement

TACHE_CODE = "portail.tasks.envoyer_code_rattachement"
GABARIT_LETTRE = "portail/rattachement/lettre.html"

#: États d'une demande qu'on peut rattacher : enregistrée (numéro unique), pas effacée.
ETATS_RATTACHABLES = (Demande.Etat.ACTIVE, Demande.Etat.SATISFAITE, Demande.Etat.ANNULEE)

MESSAGE_CODE_FAUX = "Ce code ne correspond pas, ou il a expiré. Vérifiez-le, ou demandez un nouveau code."
MESSAGE_TROP = "Vous avez demandé trop de codes : réessayez dans une heure."


def empreinte(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"rattachement:{code}".encode(), hashlib.sha256).hexdigest()


def _validite(canal: str) -> timedelta:
    if canal == CodeRattachement.Canal.COURRIER:
        return timedelta(days=settings.FDLS_RATTACHEMENT_VALIDITE_COURRIER_JOURS)
    return timedelta(minutes=settings.FDLS_RATTACHEMENT_VALIDITE_COURRIEL_MIN)


def demande_designee(numero_unique: str, date_naissance) -> Demande | None:
    nu = chiffres(numero_unique)
    if not nu:
        return None
    return (
        Demande.objects.filter(
            numero_unique=nu, date_naissance=date_naissance, etat__in=ETATS_RATTACHABLES, purgee_le__isnull=True
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def demander_code(*, user, numero_unique: str, date_naissance, canal: str) -> bool:
    """Planifie l'envoi d'un code si le numéro et la date désignent une demande joignable par ce canal.

    Rend faux seulement si la limite de demandes du compte est atteinte ; sinon vrai, que la demande existe
    ou non (la page dit « si ces informations correspondent… »)."""
    if essai_de_trop(
        f"portail:rattachement:{user.pk}", limite=settings.FDLS_RATTACHEMENT_DEMANDES_PAR_HEURE, fenetre_s=3600
    ):
        return False
    demande = demande_designee(numero_unique, date_naissance)
    if demande is None or demande.compte_demandeur_id == user.pk:
        return True
    if canal == CodeRattachement.Canal.COURRIEL and not demande.email:
        return True
    if canal == CodeRattachement.Canal.COURRIER and not (demande.adresse_voie and demande.code_postal):
        return True
    fiche, code = emettre_code(user=user, demande=demande, canal=canal)
    taches.planifier(TACHE_CODE, fiche.pk, code)
    return True


@transaction.atomic
def emettre_code(*, user, demande: Demande, canal: str) -> tuple[CodeRattachement, str]:
    """Un nouveau code pour ce compte et cette demande (le précédent ne vaut plus) ; rend la fiche et le code en
    clair, que seul l'envoi connaît."""
    CodeRattachement.objects.filter(demandeur=user, demande=demande, utilise_le__isnull=True).delete()
    code = f"{secrets.randbelow(1_000_000):06d}"
    fiche = CodeRattachement.objects.create(
        demandeur=user,
        demande=demande,
        canal=canal,
        empreinte=empreinte(code),
        expire_le=timezone.now() + _validite(canal),
    )
    return fiche, code


def envoyer_code(code_id: int, code: str) -> bool:
    """Tâche : le courriel (à l'adresse de la demande) ou la lettre (lot du jour des courriers)."""
    fiche = CodeRattachement.objects.en_cours().select_related("demande").filter(pk=code_id).first()
    if fiche is None:
        return False
    demande = fiche.demande
    contexte = {
        "demande": demande,
        "code": code,
        "expire_le": fiche.expire_le,
        "lien": courriels.url_site("portail:confirmer_code"),
    }
    if fiche.canal == CodeRattachement.Canal.COURRIEL:
        return courriels.envoyer(
            adresse=demande.email, gabarit="code_rattachement", contexte=contexte, cle=f"code:{fiche.pk}"
        )
    contexte.update(titre_document="Code de rattachement", edite_le=timezone.now(), organisme_editeur="")
    dossier = courriers.racine() / "rattachements" / f"{timezone.localdate():%Y-%m-%d}"
    courriers.ecrire_lettre(dossier, f"rattachement-{fiche.pk}", GABARIT_LETTRE, contexte)
    return True


class CodeFaux(ValidationError):
    pass


def confirmer_code(*, user, code: str) -> Demande:
    """Rattache la demande du code en cours ; ``CodeFaux`` (champ ``code``) sinon, l'essai manqué compté (sa
    transaction est validée avant l'erreur : les essais limitent vraiment)."""
    with transaction.atomic():
        demande = _rattacher(user, code)
    if demande is None:
        raise CodeFaux({"code": [MESSAGE_CODE_FAUX]})
    return demande


def _rattacher(user, code: str) -> Demande | None:
    en_cours = list(CodeRattachement.objects.en_cours().select_for_update().filter(demandeur=user).order_by("-cree_le"))
    cherche = empreinte((code or "").strip())
    bon = next((c for c in en_cours if hmac.compare_digest(c.empreinte, cherche)), None)
    if bon is None:
        CodeRattachement.objects.filter(pk__in=[c.pk for c in en_cours]).update(essais=F("essais") + 1)
        return None
    bon.utilise_le = timezone.now()
    bon.save(update_fields=["utilise_le"])
    demande = Demande.objects.select_for_update().get(pk=bon.demande_id)
    ancien = demande.compte_demandeur_id
    demande.compte_demandeur = user
    demande.save(update_fields=["compte_demandeur", "updated_at"])
    ecrire_evenement(
        demande,
        Evenement.Type.MODIFICATION,
        Auteur.demandeur(user),
        precisions="Demande rattachée à l'espace personnel du demandeur",
        details={"rattachement": {"canal": bon.canal, "compte_precedent": bool(ancien)}},
        etat_avant=demande.etat,
        etat_apres=demande.etat,
    )
    return demande
