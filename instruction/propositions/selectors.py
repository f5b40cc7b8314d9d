"""Lectures de l'instruction d'une vacance : qui l'instruit, ses candidats, l'instruction d'une demande.

``peut_instruire`` est la règle d'accès des écrans, de l'API et des services :
instructeur du bailleur propriétaire du logement, ou agent réservataire de
l'organisme dont c'est le tour (``Disponibilite.reservataire``) ou qui
réserve le logement (``Logement.reservataire``). Les candidats (demandes
nominatives) ne se lisent qu'ainsi ; la fiche d'une demande lit son
instruction par ``instruction_de_demande`` après avoir vérifié l'accès à la demande.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q

from demandes.dossier.numerotation import normaliser_numero_unique
from demandes.models import Demande
from fdls import acces
from instruction.propositions.models import Contact, Positionnement, Proposition, Visite
from offre.models import Disponibilite, gere_offre


def peut_instruire(user, disponibilite: Disponibilite) -> bool:
    """L'agent positionne-t-il des candidats sur cette vacance (et suit-il leurs contacts et propositions) ?"""
    if not acces.voit_nominatif(user):
        return False
    organisme = user.organisme_id
    logement = disponibilite.logement
    if gere_offre(user) and logement.bailleur_id == organisme:
        return True
    return user.a_role("reservataire") and organisme in (disponibilite.reservataire_id, logement.reservataire_id)


def disponibilites_instruites_par(user):
    """Les vacances que l'agent instruit (même règle que ``peut_instruire``, en un filtre)."""
    if not acces.voit_nominatif(user):
        return Disponibilite.objects.none()
    condition = Q(pk__in=[])
    if gere_offre(user):
        condition |= Q(logement__bailleur=user.organisme_id)
    if user.a_role("reservataire"):
        condition |= Q(reservataire=user.organisme_id) | Q(logement__reservataire=user.organisme_id)
    return Disponibilite.objects.filter(condition)


def disponibilite_detaillee(pk: int):
    return Disponibilite.objects.select_related(
        "logement__programme", "logement__commune", "logement__bailleur", "logement__reservataire", "reservataire"
    ).filter(pk=pk)


def candidats(disponibilite: Disponibilite) -> list[Positionnement]:
    """Les positionnements de la vacance par rang, actifs d'abord, avec contacts, propositions et visites."""
    positionnements = (
        Positionnement.objects.filter(disponibilite=disponibilite)
        .select_related("demande", "reservataire", "organisme")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.select_related("organisme").order_by("-date", "-id")),
            Prefetch("propositions", queryset=Proposition.objects.order_by("-date_envoi", "-id")),
            Prefetch("visites", queryset=Visite.objects.order_by("-date_prevue", "-id")),
        )
    )
    return sorted(positionnements, key=lambda p: (not p.actif, p.rang, p.pk))


def contacts_sans_positionnement(disponibilite: Disponibilite):
    return (
        Contact.objects.filter(disponibilite=disponibilite, positionnement__isnull=True)
        .select_related("demande", "organisme")
        .order_by("-date", "-id")
    )


def instruction_de_demande(demande: Demande) -> dict:
    """Blocs « Instruction » de la fiche et du PDF : contacts, positionnements, propositions, visites."""
    logement = ("disponibilite__logement__programme", "disponibilite__logement__commune")
    contacts = list(
        Contact.objects.filter(demande=demande).select_related("organisme", *logement).order_by("-date", "-id")
    )
    positionnements = list(
        Positionnement.objects.filter(demande=demande)
        .select_related("organisme", "reservataire", *logement)
        .order_by("-created_at", "-id")
    )
    propositions = list(
        Proposition.objects.filter(demande=demande)
        .select_related("organisme", *logement)
        .order_by("-date_envoi", "-id")
    )
    visites = list(
        Visite.objects.filter(demande=demande).select_related("organisme", *logement).order_by("-date_prevue", "-id")
    )
    return {
        "contacts": contacts,
        "positionnements": positionnements,
        "propositions": propositions,
        "visites": visites,
        "refus_propositions": sum(1 for p in propositions if p.etat == Proposition.Etat.REFUSEE),
    }


def demande_par_numero(user, saisie) -> Demande:
    """La demande visible de l'agent qui porte ce numéro : numéro unique (18 chiffres, espaces permis) ou
    numéro interne ; ``ValidationError`` en français sinon."""
    saisie = "".join(str(saisie).split())
    if not saisie.isdigit():
        raise ValidationError("Saisissez un numéro : le numéro unique (18 chiffres) ou le numéro interne.")
    visibles = Demande.objects.visibles_par(user)
    if len(saisie) >= 18:
        try:
            numero = normaliser_numero_unique(saisie)
        except ValidationError as erreur:
            raise ValidationError(erreur.messages) from erreur
        demande = visibles.filter(numero_unique=numero).first()
    else:
        demande = visibles.filter(pk=int(saisie)).first() if len(saisie) < 12 else None
    if demande is None:
        raise ValidationError("Aucune demande de votre territoire ne porte ce numéro.")
    return demande
