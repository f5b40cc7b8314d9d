"""Portail du demandeur : connexion (sans second facteur) et espace personnel."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse

from demandes.models import Demande
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_liste
from fdls.comptes.forms import ConnexionDemandeurForm


class ConnexionView(auth_views.LoginView):
    """Connexion des demandeurs ; un compte d'agent reçoit le même message
    qu'un mauvais mot de passe (pas d'énumération des comptes)."""

    template_name = "portail/connexion.html"
    form_class = ConnexionDemandeurForm
    redirect_authenticated_user = True
    next_page = "portail:espace"


def espace(request):
    """« Mon espace » : les demandes du demandeur connecté, et elles seules."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portail:connexion"))
    if not user.is_demandeur:
        return redirect("socle:accueil")
    demandes = list(Demande.objects.visibles_par(user).select_related("guichet").order_by("-date_depot", "-created_at"))
    journaliser_liste(user=user, objets=demandes, action=Consultation.Action.LISTE, request=request)
    return render(request, "portail/espace.html", {"demandes": demandes})
