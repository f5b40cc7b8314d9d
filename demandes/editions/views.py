"""Téléchargement des éditions PDF d'une demande par les agents : fiche de synthèse, attestation.

Même règle que la fiche à l'écran : la demande est cherchée parmi
``Demande.objects.visibles_par(user)`` (404 hors du territoire, page 403 pour
un rôle sans accès nominatif) et chaque téléchargement est inscrit au journal
des consultations (action « Édition PDF », l'adresse dit laquelle).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from demandes.dossier.vues import demande_visible, nominatif_requis
from demandes.editions import pdf as editions
from fdls.audit.models import Consultation


def reponse_pdf(contenu: bytes, nom_fichier: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def rendre_edition(request, demande, edition: str, *, retour: str):
    """Le PDF ``edition`` de la demande (déjà lue et notée au journal) ; une édition impossible revient à
    l'écran ``retour`` avec son message. Partagé par les agents et le portail du demandeur."""
    try:
        contenu = editions.EDITIONS[edition](demande, user=request.user)
    except editions.EditionImpossible as refus:
        messages.error(request, str(refus))
        return redirect(retour, demande.pk)
    return reponse_pdf(contenu, editions.nom_fichier(demande, edition))


def _edition(request, pk, edition: str):
    demande = demande_visible(request, pk, *editions.SELECT_EDITION, action=Consultation.Action.PDF)
    return rendre_edition(request, demande, edition, retour="demandes:detail")


@nominatif_requis
def synthese_pdf(request, pk):
    return _edition(request, pk, "synthese")


@nominatif_requis
def attestation_pdf(request, pk):
    return _edition(request, pk, "attestation")
