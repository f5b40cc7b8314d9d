import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from fdls.socle import selectors
from fdls.socle.middleware import est_indisponibilite, reponse_503


@login_required
def accueil(request):
    return render(request, "socle/accueil.html", {"compteurs": selectors.compteurs_accueil(request.user)})


@never_cache
def healthz(request):
    """État de la base, du broker et du worker ; 503 si la base ou le broker manque."""
    etat = {"base": selectors.etat_base(), "broker": selectors.etat_broker(), "worker": selectors.etat_worker()}
    ok = etat["base"]["ok"] and etat["broker"]["ok"]
    return JsonResponse({"statut": "ok" if ok else "degrade", **etat}, status=200 if ok else 503)


def erreur_500(request):
    """Gestionnaire 500 : une indisponibilité de la base devient une 503 française."""
    if est_indisponibilite(sys.exc_info()[1]):
        return reponse_503(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Erreur interne du serveur. L'incident a été journalisé."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


def erreur_404(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Ressource introuvable."}, status=404)
    return render(request, "404.html", status=404)


def erreur_403(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Accès refusé."}, status=403)
    return render(request, "403.html", status=403)
