"""Écrans de la cotation : onglet « Cotation » de la fiche d'une demande, livret du demandeur.

L'onglet est chargé par htmx depuis la fiche (``templates/demandes/detail.html``
ne connaît que le nom d'URL : les demandes n'importent pas la cotation). Même
règle d'accès que la fiche : ``Demande.objects.visibles_par(user)`` (404 hors
du territoire, page 403 pour un rôle sans accès nominatif) et chaque
affichage est inscrit au journal des consultations.

Le livret d'une grille adoptée (programmée, en vigueur ou archivée) est une
information publique (CCH R441-2-9 : le système de cotation est porté à la
connaissance des demandeurs) : il se lit sans compte ; celui d'un brouillon
ne se lit que par ceux qui gèrent les grilles de son territoire.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from demandes.dossier.vues import nominatif_requis
from demandes.models import Demande
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.socle.vues import objet_ou_404

from . import acces as acces_cotation
from . import livret, services
from .models import Famille, Grille

TAILLE_HISTORIQUE = 50


def _ligne(ligne: dict, familles: dict[str, str]) -> dict:
    """Ligne stockée prête à afficher : le fait d'un côté, l'exclusion (``moteur.Ligne.exclusion``) de l'autre."""
    raison = ligne.get("raison") or ""
    exclusion = ligne.get("exclusion") or ""
    fait = raison.removesuffix(exclusion).strip() if exclusion else raison
    jusqu_au = ligne.get("jusqu_au")
    return {
        "critere": ligne.get("critere", ""),
        "libelle": ligne.get("libelle", ""),
        "famille": familles.get(ligne.get("famille"), "") if ligne.get("famille") else "",
        "famille_code": ligne.get("famille", ""),
        "points": ligne.get("points", 0),
        "points_texte": livret.points_texte(ligne.get("points", 0)),
        "raison": fait,
        "exclusion": exclusion,
        "exclue": bool(exclusion) and ligne.get("points", 0) == 0,
        "jusqu_au": date.fromisoformat(jusqu_au) if jusqu_au else None,
    }


def contexte_onglet(demande: Demande) -> dict:
    """Résultat stocké, lignes prêtes à afficher, historique des totaux, premier choix de commune."""
    resultat = services.resultat_de(demande)
    premier = demande.localisations.filter(rang=1).select_related("commune").first()
    familles: dict[str, str] = {}
    grille = resultat.grille if resultat else None
    if grille is not None:
        familles = dict(Famille.objects.filter(grille=grille).values_list("code", "libelle"))
    lignes = [_ligne(lg, familles) for lg in (resultat.lignes if resultat else [])]
    historique = list(services.historique_de(demande)[:TAILLE_HISTORIQUE])
    return {
        "demande": demande,
        "resultat": resultat,
        "grille": grille,
        "epci": grille.epci if grille else None,
        "lignes": lignes,
        "lignes_comptees": [lg for lg in lignes if not lg["exclue"]],
        "lignes_exclues": [lg for lg in lignes if lg["exclue"]],
        "historique": historique,
        "historique_tronque": len(historique) == TAILLE_HISTORIQUE,
        "premier_choix": premier.commune if premier else None,
        "active": demande.etat == Demande.Etat.ACTIVE,
    }


@nominatif_requis
def onglet_demande(request, pk):
    """Contenu de l'onglet « Cotation » (fragment htmx ; page entière sans JavaScript)."""
    demande = objet_ou_404(Demande.objects.visibles_par(request.user), pk)
    journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.CONSULTATION, request=request)
    contexte = contexte_onglet(demande)
    if request.htmx:
        return render(request, "cotation/_onglet.html", contexte)
    return render(request, "cotation/onglet_page.html", {**contexte, "section": "demande"})


def _grille_lisible(request, pk) -> Grille:
    grille = get_object_or_404(Grille.objects.select_related("epci"), pk=pk)
    if not acces_cotation.peut_lire_grille(request.user, grille):
        # Un brouillon est un document de travail : on ne révèle pas qu'il existe.
        raise Http404
    return grille


@never_cache
def livret_html(request, pk):
    grille = _grille_lisible(request, pk)
    contexte = {
        **livret.contenu_livret(grille),
        "section": "cotation",
        "gere": acces_cotation.peut_gerer_grilles(request.user, grille.epci_id),
    }
    return render(request, "cotation/livret.html", contexte)


@never_cache
def livret_pdf(request, pk):
    grille = _grille_lisible(request, pk)
    reponse = HttpResponse(livret.pdf_livret(grille), content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{livret.nom_fichier(grille)}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse
