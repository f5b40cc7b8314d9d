"""Écrans de la liste des demandes : recherche paginée et exports (CSV, XLSX).

La page lit la table de recherche (``demandes/liste/recherche.py``) ; le
QuerySet du filtre, restreint par ``Demande.objects.visibles_par(user)``
(fdls/acces.py, CCH R441-2-6), charge les demandes de la page (20, 50 ou 100,
au choix de l'agent) et sert aux exports, chacun inscrit au journal des
consultations. Le tri (``tri``) et la taille de page (``par_page``) voyagent
dans la chaîne de requête avec les critères, comme les liens vers les fiches
(``liste`` : la fiche en tire son fil d'Ariane et ses liens précédente / suivante,
``liste.navigation``).
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, Prefetch, Q, Subquery, Value
from django.http import HttpResponseRedirect
from django.urls import reverse

from demandes.dossier import choix
from demandes.dossier.models import Demande, LocalisationSouhaitee, Personne
from demandes.dossier.vues import montrer_demandes, nominatif_requis
from demandes.liste import exports, navigation
from demandes.liste.filters import DemandeFilter
from demandes.liste.recherche import ResultatRecherche
from fdls import acces
from fdls.socle.vues import liste_filtree

TITULAIRES = [choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR]


def _demandes_pour_liste(user):
    premiere_commune = LocalisationSouhaitee.objects.filter(demande=OuterRef("pk"), rang=1).values("commune__nom")[:1]
    titulaires = Personne.objects.filter(role__in=TITULAIRES).only(
        "demande_id", "role", "nom", "prenom", "date_naissance", "situation_familiale"
    )
    return (
        Demande.objects.visibles_par(user)
        .select_related("guichet")
        .annotate(premiere_commune=Subquery(premiere_commune))
        .prefetch_related(Prefetch("personnes", queryset=titulaires, to_attr="titulaires"))
        .order_by("-date_depot", "-id")
    )


def _page(user, ids):
    """Les demandes d'une page de la liste, avec les points de cotation de chaque territoire qui les cote
    (relation inverse ``cotations`` posée par la cotation : lue sans l'importer, dans la même requête)."""
    return (
        _demandes_pour_liste(user)
        .filter(pk__in=ids)
        .annotate(points=ArrayAgg("cotations__total", filter=Q(cotations__territoire__gt=""), default=Value([])))
    )


@nominatif_requis
def liste(request):
    # La page lit la table de recherche (demandes/liste/recherche.py) ; le queryset
    # du filtre ne sert qu'à charger les demandes de la page.
    user = request.user
    filtre = DemandeFilter(request.GET, queryset=_demandes_pour_liste(user), request=request)
    criteres = replace(filtre.criteres(), tri=request.GET.get("tri", "")) if filtre.is_valid() else None
    par_page = navigation.par_page(request.GET)
    return liste_filtree(
        request,
        filtre,
        "demandes/liste/liste.html",
        {
            "section": "demande",
            "peut_enregistrer": acces.enregistre(request.user),
            "plafond_export": exports.PLAFOND,
            "criteres": request.GET.urlencode(),
            "criteres_favori": navigation.sans_page(request.GET),
            "tri": navigation.tri_affiche(criteres),
            "tri_alphabetique": criteres is not None and criteres.tri_effectif == "nom",
            "colonnes": navigation.colonnes_triables(request.GET, criteres),
            "tailles": navigation.TAILLES_PAGE,
            "par_page": par_page,
            "criteres_avances": navigation.criteres_avances(filtre),
        },
        resultats=lambda: ResultatRecherche(user, criteres, lambda ids: _page(user, ids)),
        # Page entière comme fragment htmx : une ligne du journal par demande affichée.
        montrer=lambda demandes: montrer_demandes(request, demandes),
        par_page=par_page,
    )


@nominatif_requis
def exporter(request, format):
    filtre = DemandeFilter(request.GET, queryset=_demandes_pour_liste(request.user), request=request)
    retour = f"{reverse('demandes:liste')}?{request.GET.urlencode()}"
    if not filtre.is_valid():
        messages.error(request, "Corrigez les critères de recherche avant d'exporter.")
        return HttpResponseRedirect(retour)
    criteres = replace(filtre.criteres(), tri=request.GET.get("tri", ""))
    queryset = filtre.qs.order_by(*criteres.ordre_orm)
    nombre = queryset.count()
    if nombre > exports.PLAFOND:
        messages.error(
            request,
            f"{nombre:,} demandes correspondent à ces critères : l'export est limité à "
            f"{exports.PLAFOND:,} lignes. Affinez la recherche (état, dates, guichet…).".replace(",", "\u202f"),
        )
        return HttpResponseRedirect(retour)
    exports.journaliser(queryset, user=request.user, request=request)
    return exports.reponse_csv(queryset) if format == "csv" else exports.reponse_xlsx(queryset)
