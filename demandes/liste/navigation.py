"""Navigation dans la liste des demandes : taille de page, colonnes triables, retour et voisines d'une fiche.

Tout voyage dans la chaîne de requête (critères, ``tri``, ``par_page``,
``page``) : la liste la passe aux liens des fiches (paramètre ``liste``), la
fiche en tire le lien de retour de son fil d'Ariane (« Liste des demandes ›
fiche », critères gardés) et ses liens « précédente / suivante », calculés
sur la même recherche (``ResultatRecherche``, donc la même politique d'accès).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from demandes.dossier.models import Demande
from demandes.liste.criteres import Criteres
from demandes.liste.filters import DemandeFilter
from demandes.liste.recherche import ResultatRecherche

TAILLES_PAGE = (20, 50, 100)
PAR_PAGE = 50

# Colonnes triables : clé du tri, libellés du sens croissant.
COLONNES = {
    "depot": "du plus ancien au plus récent",
    "expiration": "de la plus proche à la plus lointaine",
}


# Critères repliés sous « Plus de critères » : le volet s'ouvre si l'un d'eux est saisi ou en erreur.
CRITERES_AVANCES = (
    "nature",
    "guichet",
    "label",
    "contingent",
    "a_traiter",
    "depot_du",
    "depot_au",
    "expiration_du",
    "expiration_au",
    "brouillons_organisme",
)


def criteres_avances(filtre) -> bool:
    donnees, erreurs = filtre.form.data, filtre.form.errors if filtre.is_bound else {}
    return any(donnees.get(nom) for nom in CRITERES_AVANCES) or any(nom in erreurs for nom in CRITERES_AVANCES)


def par_page(donnees: QueryDict) -> int:
    """Lignes par page choisies (20, 50 ou 100) ; 50 pour toute autre valeur."""
    try:
        valeur = int(donnees.get("par_page", PAR_PAGE))
    except (TypeError, ValueError):
        return PAR_PAGE
    return valeur if valeur in TAILLES_PAGE else PAR_PAGE


def _chaine(donnees: QueryDict, **changes) -> str:
    copie = donnees.copy()
    for cle, valeur in changes.items():
        if valeur in (None, ""):
            copie.pop(cle, None)
        else:
            copie[cle] = str(valeur)
    return copie.urlencode()


def sans_page(donnees: QueryDict) -> str:
    """Les critères, le tri et la taille de page, sans le numéro de page (recherche enregistrée)."""
    return _chaine(donnees, page=None)


def tri_affiche(criteres: Criteres | None) -> str:
    if criteres is None:
        return ""
    return {
        "nom": "par ordre alphabétique",
        "expiration": "de la date de renouvellement la plus proche à la plus lointaine",
        "-expiration": "de la date de renouvellement la plus lointaine à la plus proche",
        "depot": "du dépôt le plus ancien au plus récent",
        "-depot": "du dépôt le plus récent au plus ancien",
    }[criteres.tri_effectif]


def colonnes_triables(donnees: QueryDict, criteres: Criteres | None) -> dict:
    """Par colonne triable : ``triable``, ``aria_sort`` (ascending, descending, none) et ``url`` qui trie
    dans l'autre sens (croissant d'abord), page 1."""
    colonnes = {}
    for cle, croissant in COLONNES.items():
        possibles = criteres.tris_possibles if criteres else frozenset()
        effectif = criteres.tri_effectif if criteres else ""
        if effectif == cle:
            sens, suivant = "ascending", f"-{cle}"
        elif effectif == f"-{cle}":
            sens, suivant = "descending", cle
        else:
            sens, suivant = "none", cle
        colonnes[cle] = {
            "triable": cle in possibles,
            "aria_sort": sens,
            "url": "?" + _chaine(donnees, tri=suivant, page=None),
            "action": f"trier {croissant}" if suivant == cle else "trier dans l'ordre inverse",
        }
    return colonnes


def lien_fiche(pk: int, liste: str) -> str:
    """Adresse de la fiche ouverte depuis la liste (``liste`` : sa chaîne de requête, vide sans critère)."""
    return f"{reverse('demandes:detail', args=[pk])}?{urlencode({'liste': liste or ''})}"


def navigation_fiche(request, pk: int) -> dict | None:
    """Retour à la liste et demandes voisines pour la fiche ``pk`` ouverte depuis la liste (paramètre
    ``liste`` : la chaîne de requête de la liste). ``None`` si la fiche n'a pas été ouverte depuis la liste
    ou si les critères ne sont plus valides."""
    liste = request.GET.get("liste")
    if liste is None:
        return None
    donnees = QueryDict(liste)
    retour = f"{reverse('demandes:liste')}?{liste}" if liste else reverse("demandes:liste")
    resultat = {"retour": retour, "precedente": None, "suivante": None, "position": None}
    user = request.user
    filtre = DemandeFilter(donnees, queryset=Demande.objects.visibles_par(user), request=request)
    if not filtre.is_valid():
        return resultat
    criteres = replace(filtre.criteres(), tri=donnees.get("tri", ""))
    taille = par_page(donnees)
    try:
        page = max(1, int(donnees.get("page", 1)))
    except ValueError:
        page = 1
    debut = (page - 1) * taille
    recherche = ResultatRecherche(user, criteres, lambda ids: [])
    fenetre_debut = max(0, debut - 1)
    ids = recherche.identifiants(fenetre_debut, debut + taille + 1)
    if pk not in ids:
        return resultat
    i = ids.index(pk)
    rang = fenetre_debut + i  # 0 pour la première demande de la liste
    resultat["position"] = rang + 1
    for cle, j in (("precedente", i - 1), ("suivante", i + 1)):
        if 0 <= j < len(ids):
            rang_voisine = fenetre_debut + j
            chaine = _chaine(donnees, page=rang_voisine // taille + 1 if rang_voisine // taille else None)
            resultat[cle] = lien_fiche(ids[j], chaine)
    return resultat
