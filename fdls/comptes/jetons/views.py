"""Jetons d'API d'un agent, gérés par lui-même : liste, création, révocation.

La clé n'est affichée qu'une fois, dans la réponse à la création (jamais
stockée : seule son empreinte l'est) ; toute modification passe par POST.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from fdls.comptes import services
from fdls.comptes.jetons.forms import JetonForm
from fdls.socle.vues import objet_ou_404


def _agent(request):
    # Un compte demandeur n'a jamais accès à l'API (fdls/acces/).
    if not request.user.is_agent or request.user.organisme_id is None:
        raise PermissionDenied("Les jetons d'API sont réservés aux agents des organismes partenaires.")
    return request.user


def _page_liste(request, form):
    jetons = _agent(request).jetons_api.order_by("-created_at")
    return render(
        request,
        "comptes/jetons/liste.html",
        {"jetons": jetons, "form": form, "maintenant": timezone.now()},
    )


@login_required
@require_GET
def liste(request):
    return _page_liste(request, JetonForm())


@never_cache
@login_required
@require_POST
def creer(request):
    agent = _agent(request)
    form = JetonForm(request.POST)
    if not form.is_valid():
        return _page_liste(request, form)
    jeton, cle = services.creer_jeton(
        agent=agent,
        nom=form.cleaned_data["nom"],
        portee=form.cleaned_data["portee"],
        expire_le=timezone.now() + timedelta(days=form.cleaned_data["expire_dans_jours"]),
    )
    # Pas de redirection : la clé n'existe que dans cette réponse, jamais mise en cache.
    return render(request, "comptes/jetons/cree.html", {"jeton": jeton, "cle": cle})


@login_required
@require_POST
def revoquer(request, pk):
    jeton = objet_ou_404(_agent(request).jetons_api.all(), pk)
    if jeton.revoque_le is not None:
        messages.info(request, f"Le jeton « {jeton.nom} » était déjà révoqué.")
    else:
        services.revoquer_jeton(jeton=jeton)
        messages.success(request, f"Le jeton « {jeton.nom} » est révoqué : il ne donne plus accès à l'API.")
    return redirect("jetons:liste")
