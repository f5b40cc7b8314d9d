"""Écrans des demandes (socle minimal) : liste et fiche, dans les limites de la
politique d'accès (CCH R441-2-6, fdls/acces.py).

Tout passe par ``Demande.objects.visibles_par(user)`` ; chaque affichage d'une
fiche est inscrit au journal des consultations.
"""

from django.db.models import F, OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from demandes.filters import DemandeFilter
from demandes.models import Demande, LocalisationSouhaitee
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.socle.vues import agent_requis, liste_filtree


def _acces_refuse(request):
    """Un agent sans rôle nominatif (observateur) : 403 qui explique la règle d'accès."""
    return render(request, "demandes/acces_refuse.html", {"section": "demande"}, status=403)


def _demandes_pour_liste(user):
    premiere_commune = LocalisationSouhaitee.objects.filter(demande=OuterRef("pk"), rang=1).values("commune__nom")[:1]
    return (
        Demande.objects.visibles_par(user)
        .annotate(premiere_commune=Subquery(premiere_commune))
        .order_by(F("date_depot").desc(nulls_last=True), "-id")
    )


@never_cache
@agent_requis
def liste(request):
    if not acces.voit_nominatif(request.user):
        return _acces_refuse(request)
    filtre = DemandeFilter(request.GET, queryset=_demandes_pour_liste(request.user))
    return liste_filtree(request, filtre, "demandes/liste.html", {"section": "demande"})


@never_cache
@agent_requis
def detail(request, pk):
    if not acces.voit_nominatif(request.user):
        return _acces_refuse(request)
    # 404 aussi pour une demande hors du territoire : on ne révèle pas qu'elle existe.
    demande = get_object_or_404(
        Demande.objects.visibles_par(request.user).select_related("guichet__organisme", "guichet__commune"), pk=pk
    )
    localisations = demande.localisations.select_related("commune", "quartier").order_by("rang")
    journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.CONSULTATION, request=request)
    return render(
        request,
        "demandes/detail.html",
        {"section": "demande", "demande": demande, "localisations": localisations},
    )
