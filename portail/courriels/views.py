from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portail.vues import demandeur_requis

from . import services
from .forms import PreferencesForm


@require_http_methods(["GET", "POST"])
@demandeur_requis
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=services.preferences_de(request.user))
    if request.method == "POST" and form.is_valid():
        services.enregistrer_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, "Vos préférences de courriel sont enregistrées.")
        return redirect("portail:preferences")
    return render(request, "portail/courriels/preferences.html", {"form": form}, status=422 if form.errors else 200)
