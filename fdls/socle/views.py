"""Vues techniques du socle : sonde de santé et gestionnaires d'erreurs (400, 403, 404, 500)."""

import sys

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from fdls.socle import sante
from fdls.socle.indisponibilite import COUPURE, est_indisponibilite
from fdls.socle.middleware import RETRY_AFTER_S, reponse_503


def favicon(request):
    """``/favicon.ico`` des outils qui ne lisent pas le ``<link rel="icon">`` : l'icône des fichiers statiques.

    L'adresse est calculée à la requête (en production, elle vient du manifeste de collectstatic)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@never_cache
def healthz(request):
    """État de la base, du broker et du worker ; 503 (avec ``Retry-After``) si la base ou le broker manque.

    Un worker absent ne rend pas le web indisponible (les tâches attendent dans
    l'outbox) : il est signalé dans le JSON pour la supervision.
    """
    etat = {"base": sante.etat_base(), "broker": sante.etat_broker()}
    # Broker injoignable : inutile d'y chercher le battement (la sonde reste sous 2 s).
    etat["worker"] = sante.etat_worker() if etat["broker"]["ok"] else {"ok": False, "erreur": "broker injoignable"}
    ok = etat["base"]["ok"] and etat["broker"]["ok"]
    response = JsonResponse({"statut": "ok" if ok else "degrade", **etat}, status=200 if ok else 503)
    if not ok:
        response["Retry-After"] = str(RETRY_AFTER_S)
    if not etat["base"]["ok"]:
        COUPURE.signaler(request.path)
    return response


def erreur_500(request):
    """Gestionnaire 500 : une indisponibilité de la base devient une 503 française."""
    if est_indisponibilite(sys.exc_info()[1]):
        return reponse_503(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Erreur interne du serveur. L'incident a été journalisé.", "code": "erreur_interne"}, status=500
        )
    return HttpResponse(render_to_string("500.html"), status=500)


def erreur_400(request, exception):
    """Requête mal formée (hôte refusé, formulaire multipart cassé…) : page autonome, sans session ni menu."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Requête incorrecte.", "code": "requete_incorrecte"}, status=400)
    return HttpResponse(render_to_string("400.html"), status=400)


def erreur_404(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Ressource introuvable.", "code": "introuvable"}, status=404)
    return render(request, "404.html", status=404)


def erreur_403(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Accès refusé.", "code": "acces_refuse"}, status=403)
    return render(request, "403.html", status=403)
