"""Onglet « Cotation » de la fiche d'une demande : il réunit le calcul (résultat, historique) et la grille.

L'onglet est chargé par htmx depuis la fiche (``templates/demandes/detail.html``
ne connaît que le nom d'URL : les demandes n'importent pas la cotation). Même
règle d'accès que la fiche : ``Demande.objects.visibles_par(user)`` (404 hors
du territoire, page 403 pour un rôle sans accès nominatif) et chaque
affichage est inscrit au journal des consultations. L'API
(``cotation/api.py``) rend les mêmes lignes (``contexte_onglet``).
"""

from __future__ import annotations

from datetime import date

from django.shortcuts import render

from demandes.dossier.vues import demande_visible
from demandes.models import Demande
from fdls.territoires.models import Commune

from .calcul import services
from .calcul.models import Famille
from .grilles import livret
from .vues import nominatif_requis

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


def _territoire(resultat, premier_choix) -> dict:
    """Un résultat (un territoire) prêt à afficher : grille, EPCI, commune choisie dans le territoire, lignes."""
    grille = resultat.grille
    familles: dict[str, str] = {}
    if grille is not None:
        familles = dict(Famille.objects.filter(grille=grille).values_list("code", "libelle"))
    lignes = [_ligne(lg, familles) for lg in resultat.lignes]
    commune = Commune.objects.filter(pk=resultat.commune_id).first() if resultat.commune_id else None
    return {
        "resultat": resultat,
        "grille": grille,
        "epci": grille.epci if grille else None,
        "commune": commune,
        "premier_choix": premier_choix is not None and commune is not None and commune.pk == premier_choix.pk,
        "lignes": lignes,
        "lignes_comptees": [lg for lg in lignes if not lg["exclue"]],
        "lignes_exclues": [lg for lg in lignes if lg["exclue"]],
    }


def contexte_onglet(demande: Demande) -> dict:
    """Résultats stockés (un par territoire des choix doté d'une grille, le premier choix d'abord), lignes prêtes
    à afficher, historique des totaux, premier choix de commune ; les clés du premier territoire sont aussi
    au premier niveau."""
    premier = demande.localisations.filter(rang=1).select_related("commune").first()
    premier_choix = premier.commune if premier else None
    territoires = [_territoire(r, premier_choix) for r in services.resultats_de(demande)]
    principal = territoires[0] if territoires else {}
    historique = list(services.historique_de(demande)[:TAILLE_HISTORIQUE])
    return {
        "demande": demande,
        "territoires": territoires,
        "resultat": principal.get("resultat"),
        "grille": principal.get("grille"),
        "epci": principal.get("epci"),
        "lignes": principal.get("lignes", []),
        "lignes_comptees": principal.get("lignes_comptees", []),
        "lignes_exclues": principal.get("lignes_exclues", []),
        "historique": historique,
        "historique_tronque": len(historique) == TAILLE_HISTORIQUE,
        "premier_choix": premier_choix,
        "active": demande.etat == Demande.Etat.ACTIVE,
    }


@nominatif_requis
def onglet_demande(request, pk):
    """Contenu de l'onglet « Cotation » (fragment htmx ; page entière sans JavaScript)."""
    demande = demande_visible(request, pk)
    contexte = contexte_onglet(demande)
    if request.htmx:
        return render(request, "cotation/_onglet.html", contexte)
    return render(request, "cotation/onglet_page.html", {**contexte, "section": "demande"})
