"""Écrans « Doublons suspectés » : liste, comparaison côte à côte, fusion, ménages distincts.

Une suspicion n'est montrée que si ses deux demandes sont visibles par
l'agent (CCH R441-2-6) ; la fusion et le classement « distinctes » exigent de
pouvoir modifier les deux (les services le revérifient). Chaque affichage de
la comparaison est inscrit au journal des consultations, pour les deux demandes.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from demandes.dossier.models import Demande, LocalisationSouhaitee, Personne
from demandes.dossier.vues import acces_refuse, montrer_demandes
from demandes.doublons import services as doublons
from demandes.doublons.filters import SuspicionFilter
from demandes.doublons.models import SuspicionDoublon
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import refuser_si_existe
from fdls.socle.vues import agent_requis, liste_filtree, objet_ou_404
from fdls.socle.workflow import Auteur


@never_cache
@agent_requis
def liste(request):
    if not acces.voit_nominatif(request.user):
        return acces_refuse(request)
    suspicions = (
        doublons.suspicions_visibles(request.user)
        .select_related("demande_a", "demande_b")
        .order_by("-score", "-detectee_le", "-id")
    )
    filtre = SuspicionFilter(request.GET, queryset=suspicions)
    return liste_filtree(
        request,
        filtre,
        "demandes/doublons/liste.html",
        {"section": "demande"},
        montrer=lambda suspicions: montrer_demandes(
            request, [d for s in suspicions for d in (s.demande_a, s.demande_b)]
        ),
    )


def _suspicion(request, pk) -> SuspicionDoublon:
    # 404 si l'une des deux demandes est hors du territoire : on ne révèle pas la paire, le journal note le refus.
    try:
        return objet_ou_404(doublons.suspicions_visibles(request.user).select_related("traitee_par"), pk)
    except Http404:
        refuser_si_existe(request, SuspicionDoublon.objects.all(), pk)
        raise


def _demandes_comparees(suspicion) -> list[Demande]:
    personnes = Personne.objects.filter(role__in=["demandeur", "codemandeur"]).order_by("rang", "id")
    localisations = LocalisationSouhaitee.objects.select_related("commune", "quartier").order_by("rang")
    demandes = (
        Demande.objects.filter(pk__in=[suspicion.demande_a_id, suspicion.demande_b_id])
        .select_related("guichet__organisme", "guichet__commune", "fusionnee_dans")
        .prefetch_related(
            Prefetch("personnes", queryset=personnes, to_attr="titulaires"),
            Prefetch("localisations", queryset=localisations, to_attr="choix_localisation"),
        )
        .order_by("pk")
    )
    for d in demandes:
        d.demandeur = next((p for p in d.titulaires if p.role == "demandeur"), None)
        d.codemandeur = next((p for p in d.titulaires if p.role == "codemandeur"), None)
    return list(demandes)


def _peut_traiter(user, suspicion) -> bool:
    ids = {suspicion.demande_a_id, suspicion.demande_b_id}
    return Demande.objects.modifiables_par(user).filter(pk__in=ids).count() == 2


@never_cache
@agent_requis
def comparaison(request, pk):
    if not acces.voit_nominatif(request.user):
        return acces_refuse(request)
    suspicion = _suspicion(request, pk)
    demandes = _demandes_comparees(suspicion)
    montrer_demandes(request, demandes, action=Consultation.Action.CONSULTATION)
    contexte = {
        "section": "demande",
        "suspicion": suspicion,
        "demandes": demandes,
        "a_traiter": suspicion.statut == SuspicionDoublon.Statut.A_TRAITER,
        "toutes_actives": all(d.etat == Demande.Etat.ACTIVE for d in demandes),
        "peut_traiter": _peut_traiter(request.user, suspicion),
    }
    if suspicion.statut == SuspicionDoublon.Statut.FUSIONNEE:
        gardee = next((d for d in demandes if d.etat == Demande.Etat.ACTIVE), demandes[0])
        contexte["gardee"] = gardee
        contexte["historique"] = list(doublons.evenements_du_dossier(gardee)[:50])
    return render(request, "demandes/doublons/comparaison.html", contexte)


def _choix_gardee(suspicion, valeur) -> tuple[Demande, Demande]:
    ids = {suspicion.demande_a_id, suspicion.demande_b_id}
    try:
        garder = int(valeur)
    except (TypeError, ValueError):
        garder = None
    if garder not in ids:
        raise Http404("Choisissez l'une des deux demandes de la suspicion.")
    (absorber,) = ids - {garder}
    return Demande.objects.get(pk=garder), Demande.objects.get(pk=absorber)


@never_cache
@agent_requis
def fusion(request, pk):
    """GET : étape de confirmation (ce qui sera conservé) ; POST : fusion."""
    if not acces.voit_nominatif(request.user):
        return acces_refuse(request)
    suspicion = _suspicion(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    garder, absorber = _choix_gardee(suspicion, source.get("garder"))
    if suspicion.statut != SuspicionDoublon.Statut.A_TRAITER:
        messages.info(request, "Cette suspicion est déjà traitée.")
        return redirect("demandes:doublons:comparaison", pk=suspicion.pk)
    if request.method == "POST":
        try:
            doublons.fusionner_demandes(garder, absorber, auteur=Auteur.agent(request.user))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("demandes:doublons:comparaison", pk=suspicion.pk)
        messages.success(
            request,
            f"Demandes fusionnées : la demande {garder.numero_unique_affiche} est conservée, "
            f"la demande {absorber.numero_unique_affiche} est annulée (doublon).",
        )
        return redirect("demandes:doublons:comparaison", pk=suspicion.pk)
    montrer_demandes(request, [garder, absorber], action=Consultation.Action.CONSULTATION)
    return render(
        request,
        "demandes/doublons/confirmation.html",
        {
            "section": "demande",
            "suspicion": suspicion,
            "garder": garder,
            "absorber": absorber,
            "apercu": doublons.apercu_fusion(garder, absorber),
            "peut_traiter": _peut_traiter(request.user, suspicion),
        },
    )


@require_POST
@agent_requis
def distinctes(request, pk):
    if not acces.voit_nominatif(request.user):
        return acces_refuse(request)
    suspicion = _suspicion(request, pk)
    try:
        doublons.marquer_distinctes(suspicion, auteur=Auteur.agent(request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("demandes:doublons:comparaison", pk=suspicion.pk)
    messages.success(request, "C'est noté : ces deux demandes concernent deux ménages distincts.")
    return redirect("demandes:doublons:liste")
