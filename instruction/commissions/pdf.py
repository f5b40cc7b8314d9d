"""Éditions PDF d'une séance (WeasyPrint, mise en page de la maison, polices embarquées) : l'ordre du jour,
le procès-verbal (décisions et dépouillement du vote à distance) et la lettre de décision à chaque
demandeur (R441-2-17 : décision, rang, motif, description du logement, mention DALO, conséquences d'un
refus). La fiche de chaque candidat est la fiche de synthèse de la demande (``demandes:synthese_pdf``)."""

from __future__ import annotations

from django.utils import timezone

from demandes.models import Label
from fdls.socle.pdf import rendre_pdf
from instruction.commissions import votes
from instruction.commissions.models import Candidature, DecisionCal, Seance

#: Conséquences d'un refus (R441-2-17 ; annexe 1 de la grille : décote des refus d'un logement attribué).
CONSEQUENCES_REFUS = (
    "Si vous refusez ce logement, le logement sera proposé au candidat classé après vous. Votre demande reste "
    "active. Le premier refus d'un logement attribué en commission n'a pas de conséquence sur votre cotation ; "
    "à partir du deuxième refus en 24 mois, votre demande perd 15 points pendant 24 mois, et 20 points au-delà "
    "de trois refus."
)


def _en_tete(seance: Seance) -> dict:
    return {"seance": seance, "commission": seance.commission, "edite_le": timezone.localtime()}


def ordre_du_jour(seance: Seance, examens: list) -> bytes:
    return rendre_pdf(
        "instruction/commissions/pdf/ordre_du_jour.html",
        {**_en_tete(seance), "examens": examens, "titre_document": "Ordre du jour"},
    )


def proces_verbal(seance: Seance, examens: list) -> bytes:
    for examen in examens:
        examen.depouillement = votes.depouiller(seance.commission, examen)
    return rendre_pdf(
        "instruction/commissions/pdf/proces_verbal.html",
        {
            **_en_tete(seance),
            "examens": examens,
            "membres": list(seance.commission.membres.select_related("user")),
            "invites": list(seance.commission.reservataires_invites.all()),
            "titre_document": "Procès-verbal",
        },
    )


def dalo(demande) -> bool:
    """La demande porte un label DALO actif : le logement est proposé au titre du DALO."""
    return Label.objects.filter(demande=demande, type__code__icontains="dalo").actifs().exists()


def lettre_decision(candidature: Candidature) -> bytes:
    candidature = Candidature.objects.select_related(
        "demande",
        "examen__seance__commission__bailleur",
        "examen__disponibilite__logement__programme",
        "examen__disponibilite__logement__commune",
    ).get(pk=candidature.pk)
    demande = candidature.demande
    adresse = "\n".join(
        p
        for p in (
            f"{demande.adresse_numero} {demande.adresse_voie}".strip(),
            demande.adresse_complement,
            f"{demande.code_postal} {demande.ville}".strip(),
        )
        if p
    )
    attribution = candidature.decision in (
        DecisionCal.ATTRIBUTION,
        DecisionCal.ATTRIBUTION_RANG,
        DecisionCal.ATTRIBUTION_CONDITION,
    )
    return rendre_pdf(
        "instruction/commissions/pdf/lettre_decision.html",
        {
            **_en_tete(candidature.examen.seance),
            "titre_document": "Décision de la commission d'attribution",
            "c": candidature,
            "demande": demande,
            "adresse": adresse,
            "logement": candidature.examen.disponibilite.logement,
            "attribution": attribution,
            "dalo": dalo(demande),
            "consequences_refus": CONSEQUENCES_REFUS,
        },
    )
