"""Transparence de la cotation d'une demande (CCH R441-2-17) : ce que l'espace du demandeur montrera.

Fragment htmx (``templates/cotation/transparence/_transparence.html``, chargé par l'onglet
« Cotation » de la fiche) ou page entière sans JavaScript. Même règle d'accès
que la fiche de la demande : ``Demande.objects.visibles_par(user)`` — un
agent voit les demandes de son territoire, un demandeur les siennes ; 404
sinon (on ne révèle pas qu'une demande existe). Chaque affichage est inscrit
au journal des consultations. Lectures seulement (``cotation.transparence.selectors``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from demandes.dossier.vues import demande_visible
from demandes.models import Demande

from . import selectors as selecteurs
from .models import AttenteEstimee


def contexte_transparence(demande: Demande) -> dict:
    positions = selecteurs.positions(demande)
    position = positions[0] if positions else None
    commune, typologie = (position.commune_id, position.typologie) if position else selecteurs.groupe_de(demande)
    attente = selecteurs.attente(commune, typologie)
    return {
        "demande": demande,
        "active": demande.etat == Demande.Etat.ACTIVE,
        "position": position,
        "autres_positions": positions[1:],
        "classement": position.classement if position else None,
        "attente": attente,
        "commune_nom": position.commune_nom if position else (selecteurs.commune_nom(commune) if commune else ""),
        "typologie_libelle": selecteurs.libelle_typologie(typologie) if typologie else "",
        "moyenne_texte": selecteurs.duree_en_clair(attente.moyenne_observee_mois) if attente else "",
        "mediane_texte": selecteurs.duree_en_clair(attente.mediane_mois) if attente else "",
        "suivi_mois": int(attente.suivi_mois) if attente and attente.suivi_mois is not None else None,
        "bas_mois": selecteurs.en_mois(attente.bas_mois) if attente else None,
        "haut_mois": selecteurs.en_mois(attente.haut_mois) if attente else None,
        "niveaux": AttenteEstimee.Niveau,
    }


@login_required
@never_cache
def transparence(request, pk):
    """Répartition des points des demandes analogues, rang, centile, délai moyen observé, médiane estimée."""
    demande = demande_visible(request, pk)
    contexte = contexte_transparence(demande)
    if request.htmx:
        return render(request, "cotation/transparence/_transparence.html", contexte)
    return render(request, "cotation/transparence/transparence.html", {**contexte, "section": "demande"})
