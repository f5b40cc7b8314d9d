"""Écrans du compte du demandeur : connexion (limitée par poste, 429), inscription, vérification de l'adresse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fdls.audit.services import adresse_ip
from portail.compte import services
from portail.compte.forms import ConnexionPortailForm, InscriptionForm, NouveauLienForm

MESSAGE_TROP_DE_CONNEXIONS = (
    "Trop de tentatives de connexion depuis ce poste : patientez quelques minutes avant de réessayer."
)


class ConnexionView(auth_views.LoginView):
    """Connexion des demandeurs ; un compte d'agent reçoit le même message qu'un mauvais mot de passe (pas
    d'énumération des comptes). Au-delà de ``FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP`` essais par poste dans la
    fenêtre, réponse 429 sans essayer le mot de passe."""

    template_name = "portail/connexion.html"
    form_class = ConnexionPortailForm
    redirect_authenticated_user = True
    next_page = "portail:espace"

    def post(self, request, *args, **kwargs):
        if services.connexion_de_trop(adresse_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, MESSAGE_TROP_DE_CONNEXIONS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def inscription(request):
    if request.user.is_authenticated and request.user.is_demandeur:
        return redirect("portail:espace")
    form = InscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.inscrire(
            email=form.cleaned_data["email"],
            prenom=form.cleaned_data["prenom"],
            nom=form.cleaned_data["nom"],
            mot_de_passe=form.cleaned_data["mot_de_passe"],
        )
        request.session["portail_inscription"] = services.normaliser(form.cleaned_data["email"])
        return redirect("portail:inscription_envoyee")
    return render(request, "portail/compte/inscription.html", {"form": form}, status=422 if form.errors else 200)


def inscription_envoyee(request):
    return render(
        request, "portail/compte/inscription_envoyee.html", {"email": request.session.get("portail_inscription", "")}
    )


@require_http_methods(["GET", "POST"])
def verification(request, uidb64, token):
    """Le lien du courriel : la page montre un bouton ; seul le POST confirme l'adresse."""
    if request.method == "POST":
        user = services.verifier_adresse(uidb64=uidb64, token=token)
        if user is not None:
            messages.success(request, "Votre adresse électronique est confirmée : vous pouvez vous connecter.")
            return redirect("portail:connexion")
        return render(request, "portail/compte/verification.html", {"valide": False}, status=400)
    valide = services.compte_du_lien(uidb64, token) is not None
    return render(request, "portail/compte/verification.html", {"valide": valide}, status=200 if valide else 400)


@require_http_methods(["GET", "POST"])
def nouveau_lien(request):
    form = NouveauLienForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.renvoyer_verification(email=form.cleaned_data["email"], ip=adresse_ip(request)):
            request.session["portail_inscription"] = services.normaliser(form.cleaned_data["email"])
            return redirect("portail:inscription_envoyee")
        form.add_error(
            None, "Trop de demandes de lien pour cette adresse ou depuis ce poste : réessayez dans une heure."
        )
        return render(request, "portail/compte/nouveau_lien.html", {"form": form}, status=429)
    return render(request, "portail/compte/nouveau_lien.html", {"form": form}, status=422 if form.errors else 200)
