"""Connexion des agents (mot de passe puis TOTP), mot de passe, jetons."""

import base64

import segno
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from fdls.comptes import services
from fdls.comptes.forms import CodeTotpForm, ConnexionForm


class ConnexionView(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    form_class = ConnexionForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        # Juste après login(), request.user n'est plus l'objet enveloppé par
        # OTPMiddleware : une connexion neuve n'a jamais passé le second facteur.
        if settings.FDLS_DOUBLE_FACTEUR_AGENTS and self.request.user.is_agent:
            # L'URL demandée est conservée pour après le second facteur.
            self.request.session["apres_second_facteur"] = url
            if services.appareil_confirme(self.request.user) is None:
                return reverse_lazy("comptes:activer_second_facteur")
            return reverse_lazy("comptes:second_facteur")
        return url


def _suite(request):
    url = request.session.pop("apres_second_facteur", "") or "/"
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = "/"
    return url


@login_required
@require_http_methods(["GET", "POST"])
def second_facteur(request):
    if request.user.is_verified():
        return redirect(_suite(request))
    if services.appareil_confirme(request.user) is None:
        return redirect("comptes:activer_second_facteur")
    form = CodeTotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil = services.verifier_totp(user=request.user, code=form.cleaned_data["code"])
        if appareil is not None:
            otp_login(request, appareil)
            return redirect(_suite(request))
        form.add_error("code", "Code incorrect ou expiré. Vérifiez l'heure de votre téléphone et réessayez.")
    return render(request, "comptes/second_facteur.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def activer_second_facteur(request):
    """Enrôlement TOTP : QR code (SVG, sans ressource externe) et clé en clair."""
    # Changer d'appareil exige d'avoir déjà passé le second facteur.
    if not request.user.is_verified() and services.appareil_confirme(request.user) is not None:
        return redirect("comptes:second_facteur")
    appareil = services.preparer_totp(user=request.user)
    form = CodeTotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirme = services.confirmer_totp(user=request.user, code=form.cleaned_data["code"])
        if confirme is not None:
            otp_login(request, confirme)
            messages.success(request, "Votre application d'authentification est activée.")
            return redirect(_suite(request))
        form.add_error("code", "Code incorrect. Scannez à nouveau le QR code puis saisissez le code affiché.")
    qr = segno.make(appareil.config_url, error="m")
    cle = base64.b32encode(appareil.bin_key).decode()
    return render(
        request,
        "comptes/activer_second_facteur.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff", title="QR code d'activation"),
            "cle": " ".join(cle[i : i + 4] for i in range(0, len(cle), 4)),
        },
    )


class DeconnexionView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class MotDePasseOublieView(auth_views.PasswordResetView):
    template_name = "comptes/mot_de_passe_oublie.html"
    email_template_name = "comptes/email_reinitialisation.txt"
    subject_template_name = "comptes/email_reinitialisation_sujet.txt"
    success_url = reverse_lazy("comptes:mot_de_passe_envoye")

    def form_valid(self, form):
        # Ni recherche du compte ni envoi ici : une ligne dans l'outbox, la même pour toute adresse.
        ip = get_client_ip_address(self.request)
        if not services.demander_reinitialisation(email=form.cleaned_data["email"], ip=ip):
            form.add_error(
                None,
                "Trop de demandes de réinitialisation pour cette adresse ou depuis ce poste : réessayez dans une "
                "heure. Si vous avez déjà reçu un lien, il reste valable une heure.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())


class MotDePasseEnvoyeView(auth_views.PasswordResetDoneView):
    template_name = "comptes/mot_de_passe_envoye.html"


class ReinitialisationView(auth_views.PasswordResetConfirmView):
    template_name = "comptes/reinitialisation.html"
    success_url = reverse_lazy("comptes:reinitialisation_terminee")


class ReinitialisationTermineeView(auth_views.PasswordResetCompleteView):
    template_name = "comptes/reinitialisation_terminee.html"


class ChangementMotDePasseView(auth_views.PasswordChangeView):
    template_name = "comptes/changement_mot_de_passe.html"
    success_url = reverse_lazy("comptes:profil")

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return super().form_valid(form)


@login_required
def profil(request):
    return render(
        request,
        "comptes/profil.html",
        {
            "appareil": services.appareil_confirme(request.user),
            "jetons": request.user.jetons_api.order_by("-created_at"),
        },
    )
