"""Écrans de gestion des partenaires : organismes, guichets, comptes des agents.

La consultation est ouverte à tout agent (les partenaires ne sont pas des
données nominatives) ; la création, la modification et les comptes sont
réservés à l'administration du fichier (``fdls.acces.administre``).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fdls import acces
from fdls.comptes.models import Utilisateur
from fdls.organismes import selectors, services
from fdls.organismes.filters import GuichetFilter, OrganismeFilter
from fdls.organismes.forms import AgentForm, GuichetForm, OrganismeForm
from fdls.organismes.models import Guichet, Organisme
from fdls.socle.vues import agent_requis, liste_filtree, objet_ou_404


def administration_requise(vue):
    @login_required
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces.administre(request.user):
            raise PermissionDenied("La gestion des partenaires est réservée à l'administration du fichier.")
        return vue(request, *args, **kwargs)

    return enveloppe


def contexte_gestion(request, onglet: str = "") -> dict:
    """Contexte commun de la rubrique Gestion (navigation, onglets, droits)."""
    return {
        "section": "gestion",
        "onglet": onglet,
        "administre": acces.administre(request.user),
        "consulte_audit": acces.consulte_audit(request.user),
    }


@agent_requis
def liste(request):
    filtre = OrganismeFilter(request.GET, queryset=selectors.organismes_pour_liste())
    return liste_filtree(
        request,
        filtre,
        "organismes/liste.html",
        contexte_gestion(request, "organismes"),
    )


@agent_requis
def fiche(request, pk):
    organisme = objet_ou_404(selectors.organismes_pour_liste(), pk)
    return render(
        request,
        "organismes/fiche.html",
        {
            **contexte_gestion(request, "organismes"),
            "organisme": organisme,
            "territoire": selectors.resume_territoire(organisme),
            "guichets": selectors.guichets_de(organisme),
        },
    )


@administration_requise
@require_http_methods(["GET", "POST"])
def creer_organisme(request):
    form = OrganismeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisme = services.creer_organisme(auteur=request.user, champs=form.champs(), perimetre=form.perimetre())
        messages.success(request, f"L'organisme « {organisme.nom} » est créé.")
        return redirect("organismes:fiche", pk=organisme.pk)
    return render(
        request, "organismes/formulaire_organisme.html", {**contexte_gestion(request, "organismes"), "form": form}
    )


@administration_requise
@require_http_methods(["GET", "POST"])
def modifier_organisme(request, pk):
    organisme = objet_ou_404(Organisme.objects.all(), pk)
    form = OrganismeForm(request.POST or None, instance=organisme)
    if request.method == "POST" and form.is_valid():
        services.modifier_organisme(
            auteur=request.user, organisme=organisme, champs=form.champs(), perimetre=form.perimetre()
        )
        messages.success(request, "Les modifications de l'organisme sont enregistrées.")
        return redirect("organismes:fiche", pk=organisme.pk)
    organisme.refresh_from_db(fields=["nom"])
    return render(
        request,
        "organismes/formulaire_organisme.html",
        {**contexte_gestion(request, "organismes"), "form": form, "organisme": organisme},
    )


@agent_requis
def guichets(request):
    filtre = GuichetFilter(request.GET, queryset=selectors.guichets_pour_annuaire())
    return liste_filtree(
        request,
        filtre,
        "organismes/guichets.html",
        contexte_gestion(request, "guichets"),
    )


@administration_requise
@require_http_methods(["GET", "POST"])
def creer_guichet(request):
    choisi = request.GET.get("organisme", "")
    organisme = Organisme.objects.filter(pk=choisi).first() if choisi.isdigit() else None
    form = GuichetForm(request.POST or None, initial={"organisme": organisme, "type": Guichet.Type.ACCOMPAGNATEUR})
    if request.method == "POST" and form.is_valid():
        try:
            guichet = services.creer_guichet(auteur=request.user, champs=form.champs())
        except ValidationError as erreur:
            # Code pris entre la validation du formulaire et l'enregistrement.
            for champ, messages_champ in erreur.message_dict.items():
                form.add_error(champ if champ in form.fields else None, messages_champ)
        else:
            messages.success(request, f"Le guichet « {guichet.nom} » ({guichet.code}) est créé.")
            return redirect("organismes:fiche", pk=guichet.organisme_id)
    return render(
        request,
        "organismes/formulaire_guichet.html",
        {**contexte_gestion(request, "organismes"), "form": form, "organisme": organisme},
    )


@administration_requise
@require_http_methods(["GET", "POST"])
def modifier_guichet(request, pk):
    guichet = objet_ou_404(Guichet.objects.select_related("organisme", "commune"), pk)
    form = GuichetForm(request.POST or None, instance=guichet)
    if request.method == "POST" and form.is_valid():
        services.modifier_guichet(auteur=request.user, guichet=guichet, champs=form.champs())
        messages.success(request, "Les modifications du guichet sont enregistrées.")
        return redirect("organismes:fiche", pk=form.cleaned_data["organisme"].pk)
    guichet.refresh_from_db()
    return render(
        request,
        "organismes/formulaire_guichet.html",
        {**contexte_gestion(request, "organismes"), "form": form, "guichet": guichet, "organisme": guichet.organisme},
    )


@administration_requise
def agents(request, pk):
    organisme = objet_ou_404(Organisme.objects.all(), pk)
    return render(
        request,
        "organismes/agents.html",
        {**contexte_gestion(request, "organismes"), "organisme": organisme, "agents": selectors.agents_de(organisme)},
    )


@administration_requise
@require_http_methods(["GET", "POST"])
def creer_agent(request, pk):
    organisme = objet_ou_404(Organisme.objects.all(), pk)
    form = AgentForm(request.POST or None, organisme=organisme)
    if request.method == "POST" and form.is_valid():
        agent = services.creer_agent(
            auteur=request.user,
            organisme=organisme,
            **form.cleaned_data,
            domaine=request.get_host(),
            https=request.is_secure(),
        )
        messages.success(
            request,
            f"Le compte de {agent.get_full_name()} est créé. Un courriel envoyé à {agent.email} "
            "lui permet de choisir son mot de passe.",
        )
        return redirect("organismes:agents", pk=organisme.pk)
    return render(
        request,
        "organismes/formulaire_agent.html",
        {**contexte_gestion(request, "organismes"), "form": form, "organisme": organisme},
    )


def _agent(pk, agent_pk) -> Utilisateur:
    return objet_ou_404(Utilisateur.objects.agents().filter(organisme_id=pk), agent_pk)


@administration_requise
@require_POST
def desactiver_agent(request, pk, agent_pk):
    agent = _agent(pk, agent_pk)
    try:
        services.desactiver_agent(auteur=request.user, agent=agent)
    except ValueError as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"Le compte de {agent} est désactivé ; ses jetons d'API sont révoqués.")
    return redirect("organismes:agents", pk=pk)


@administration_requise
@require_POST
def renvoyer_invitation(request, pk, agent_pk):
    agent = _agent(pk, agent_pk)
    try:
        services.renvoyer_invitation(
            auteur=request.user, agent=agent, domaine=request.get_host(), https=request.is_secure()
        )
    except ValueError as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"Le courriel de choix du mot de passe est renvoyé à {agent.email}.")
    return redirect("organismes:agents", pk=pk)


@administration_requise
@require_POST
def reactiver_agent(request, pk, agent_pk):
    agent = _agent(pk, agent_pk)
    services.reactiver_agent(auteur=request.user, agent=agent)
    messages.success(request, f"Le compte de {agent} est réactivé.")
    return redirect("organismes:agents", pk=pk)
