"""Écrans du rattachement d'une demande : numéro unique et date de naissance, puis le code reçu."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fdls.socle.formulaires import reporter_erreurs
from portail.vues import demandeur_requis

from . import services
from .forms import CodeForm, DemandeCodeForm


@require_http_methods(["GET", "POST"])
@demandeur_requis
def rattacher(request):
    form = DemandeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.demander_code(
            user=request.user,
            numero_unique=form.cleaned_data["numero_unique"],
            date_naissance=form.cleaned_data["date_naissance"],
            canal=form.cleaned_data["canal"],
        ):
            request.session["portail_canal_code"] = form.cleaned_data["canal"]
            return redirect("portail:confirmer_code")
        form.add_error(None, services.MESSAGE_TROP)
        return render(request, "portail/rattachement/rattacher.html", {"form": form}, status=429)
    return render(request, "portail/rattachement/rattacher.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def confirmer_code(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demande = services.confirmer_code(user=request.user, code=form.cleaned_data["code"])
        except services.CodeFaux as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(
                request, f"La demande n° {demande.numero_unique_affiche} est rattachée à votre espace personnel."
            )
            return redirect("portail:demande", demande.pk)
    contexte = {"form": form, "canal": request.session.get("portail_canal_code", "")}
    return render(request, "portail/rattachement/code.html", contexte, status=422 if form.errors else 200)
