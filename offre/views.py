"""Écrans du parc : liste et fiche des logements, programmes, vacances,
statistiques (l'import de fichier : ``offre/importation/views.py``).

Lecture : agents dont le rôle donne accès au fichier, sur leur territoire
(``visibles_par``) ; écriture : instructeurs du bailleur propriétaire
(``modifiables_par``, vérifié de nouveau par les services).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reselect, reswap, retarget

from fdls import acces
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import PAR_PAGE, agent_requis, objet_ou_404
from fdls.territoires.models import Commune, Epci
from offre import selectors, services
from offre.filters import DisponibiliteFilter, LogementFilter
from offre.forms import DisponibiliteForm, LogementForm, ProgrammeForm, TransitionForm
from offre.models import Disponibilite, EtatDisponibilite, Logement, Programme, gere_offre
from offre.vues import contexte_offre, gestion_requise, lecture_requise


def _liste(request, filtre, template: str, contexte: dict, *, attacher=None):
    """Liste paginée (50 lignes) au comptage plafonné ; critères invalides : aucune ligne.

    Même contrat htmx que ``fdls.socle.vues.liste_filtree`` : le formulaire ne
    remplace que ``#resultats`` ; invalide, toute la zone ``#zone-liste``.
    """
    valide = filtre.is_valid()
    resultats = filtre.qs if valide else filtre.queryset.none()
    page = selectors.PaginateurPlafonne(resultats, PAR_PAGE).get_page(request.GET.get("page"))
    if attacher:
        attacher(page.object_list)
    pages = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    contexte = {**contexte, "filtre": filtre, "page": page, "pages": pages, "criteres_valides": valide}
    reponse = render(request, template, contexte)
    if request.htmx and not valide:
        reponse = reswap(reselect(retarget(reponse, "#zone-liste"), "#zone-liste"), "outerHTML")
    return reponse


# --- Logements -----------------------------------------------------------------


@never_cache
@lecture_requise
def logements(request):
    filtre = LogementFilter(request.GET, queryset=selectors.logements_pour_liste(request.user))
    return _liste(
        request,
        filtre,
        "offre/logements.html",
        contexte_offre(request, "logements"),
        attacher=selectors.attacher_disponibilites,
    )


def _logement_visible(request, pk) -> Logement:
    # 404 hors du territoire : on ne révèle pas ce qui n'est pas visible.
    return objet_ou_404(
        Logement.objects.visibles_par(request.user).select_related(
            "programme", "commune", "quartier", "bailleur", "reservataire"
        ),
        pk,
    )


def _logement_modifiable(request, pk) -> Logement:
    logement = _logement_visible(request, pk)
    if logement.bailleur_id != request.user.organisme_id:
        raise PermissionDenied(
            "Ce logement appartient à un autre bailleur : vous pouvez le consulter, pas le modifier."
        )
    return logement


@never_cache
@lecture_requise
def logement(request, pk):
    logement = _logement_visible(request, pk)
    modifiable = gere_offre(request.user) and logement.bailleur_id == request.user.organisme_id
    disponibilites = list(
        logement.disponibilites.select_related("reservataire")
        .prefetch_related("evenements__auteur", "evenements__organisme")
        .order_by("-created_at", "-id")
    )
    ouverte = next((d for d in disponibilites if d.ouverte), None)
    transition = TransitionForm(disponibilite=ouverte) if (ouverte and modifiable) else None
    return render(
        request,
        "offre/logement.html",
        contexte_offre(
            request,
            "logements",
            logement=logement,
            modifiable=modifiable,
            disponibilites=disponibilites,
            ouverte=ouverte,
            transition=transition,
        ),
    )


@gestion_requise
@require_http_methods(["GET", "POST"])
def creer_logement(request):
    choisi = request.GET.get("programme", "")
    programme = Programme.objects.modifiables_par(request.user).filter(pk=choisi).first() if choisi.isdigit() else None
    form = LogementForm(
        request.POST or None,
        bailleur_id=request.user.organisme_id,
        initial={"programme": programme, "financement": programme.financement if programme else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            logement = services.creer_logement(
                auteur=request.user, programme=form.cleaned_data["programme"], champs=form.champs()
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le logement {logement.reference} est créé.")
            return redirect("offre:logement", pk=logement.pk)
    if not selectors.programmes_du_bailleur(request.user.organisme_id).exists():
        messages.info(request, "Créez d'abord le programme (la résidence) qui accueillera le logement.")
        return redirect("offre:creer_programme")
    return render(request, "offre/formulaire_logement.html", contexte_offre(request, "logements", form=form))


@gestion_requise
@require_http_methods(["GET", "POST"])
def modifier_logement(request, pk):
    logement = _logement_modifiable(request, pk)
    form = LogementForm(request.POST or None, instance=logement)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_logement(auteur=request.user, logement=logement, champs=form.champs())
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Les modifications du logement sont enregistrées.")
            return redirect("offre:logement", pk=logement.pk)
    logement.refresh_from_db()
    return render(
        request, "offre/formulaire_logement.html", contexte_offre(request, "logements", form=form, logement=logement)
    )


# --- Programmes ------------------------------------------------------------------


@never_cache
@lecture_requise
def programme(request, pk):
    programme = objet_ou_404(
        Programme.objects.visibles_par(request.user).select_related("commune", "quartier", "bailleur"), pk
    )
    logements = list(programme.logements.select_related("reservataire").order_by("code"))
    selectors.attacher_disponibilites(logements)
    modifiable = gere_offre(request.user) and programme.bailleur_id == request.user.organisme_id
    return render(
        request,
        "offre/programme.html",
        contexte_offre(request, "logements", programme=programme, logements=logements, modifiable=modifiable),
    )


@gestion_requise
@require_http_methods(["GET", "POST"])
def creer_programme(request):
    form = ProgrammeForm(request.POST or None, instance=Programme(bailleur=request.user.organisme))
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.creer_programme(auteur=request.user, champs=form.champs())
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Le programme {programme} est créé : ajoutez-lui ses logements.")
            return redirect("offre:programme", pk=programme.pk)
    return render(request, "offre/formulaire_programme.html", contexte_offre(request, "logements", form=form))


@gestion_requise
@require_http_methods(["GET", "POST"])
def modifier_programme(request, pk):
    programme = objet_ou_404(Programme.objects.modifiables_par(request.user), pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_programme(auteur=request.user, programme=programme, champs=form.champs())
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Les modifications du programme sont enregistrées ; ses logements suivent.")
            return redirect("offre:programme", pk=programme.pk)
    programme.refresh_from_db()
    return render(
        request, "offre/formulaire_programme.html", contexte_offre(request, "logements", form=form, programme=programme)
    )


# --- Vacances ----------------------------------------------------------------------


@gestion_requise
@require_http_methods(["GET", "POST"])
def declarer_disponibilite(request, pk):
    logement = _logement_modifiable(request, pk)
    form = DisponibiliteForm(request.POST or None, initial={"reservataire": logement.reservataire})
    if request.method == "POST" and form.is_valid():
        try:
            services.declarer_disponibilite(auteur=request.user, logement=logement, **form.champs())
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"La vacance du logement {logement.reference} est déclarée : il est à pourvoir.")
            return redirect("offre:logement", pk=logement.pk)
    return render(
        request,
        "offre/formulaire_disponibilite.html",
        contexte_offre(request, "vacances", form=form, logement=logement),
    )


@gestion_requise
@require_POST
def changer_etat_disponibilite(request, pk):
    disponibilite = objet_ou_404(
        Disponibilite.objects.visibles_par(request.user).select_related("logement__programme"), pk
    )
    logement = _logement_modifiable(request, disponibilite.logement_id)
    form = TransitionForm(request.POST, disponibilite=disponibilite)
    if form.is_valid():
        try:
            services.changer_etat_disponibilite(
                auteur=request.user,
                disponibilite=disponibilite,
                etat=form.cleaned_data["etat"],
                motif=form.cleaned_data["motif"],
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            etat = EtatDisponibilite(form.cleaned_data["etat"]).label.lower()
            messages.success(request, f"La vacance est maintenant « {etat} ».")
            return redirect("offre:logement", pk=logement.pk)
    disponibilites = list(logement.disponibilites.prefetch_related("evenements__auteur").order_by("-created_at"))
    return render(
        request,
        "offre/logement.html",
        contexte_offre(
            request,
            "logements",
            logement=logement,
            modifiable=True,
            disponibilites=disponibilites,
            ouverte=disponibilite,
            transition=form,
        ),
        status=400,
    )


@never_cache
@lecture_requise
def disponibilites(request):
    donnees = request.GET.copy()
    if "etat" not in donnees:
        donnees["etat"] = EtatDisponibilite.A_POURVOIR
    filtre = DisponibiliteFilter(donnees, queryset=selectors.disponibilites_pour_liste(request.user))
    return _liste(request, filtre, "offre/disponibilites.html", contexte_offre(request, "vacances"))


# --- Statistiques ------------------------------------------------------------------


@never_cache
@agent_requis
def statistiques(request):
    if not acces.voit_statistiques(request.user):
        raise PermissionDenied("Les statistiques sont réservées aux agents des organismes partenaires.")
    # EPCI qui ont du parc (la table des programmes est bien plus petite que celle des logements).
    avec_parc = Commune.objects.filter(code_insee__in=Programme.objects.values("commune_id")).values("epci_id")
    epcis = Epci.objects.filter(siren__in=avec_parc).order_by("nom")
    epci = epcis.filter(siren=request.GET.get("epci") or "").first()
    if epci is None:
        epci = Epci.objects.filter(siren="244400404").first() or epcis.first()
    communes = Commune.objects.filter(epci=epci).values("code_insee") if epci else Commune.objects.none()
    commune = None
    code = request.GET.get("commune", "")
    if code:
        commune = Commune.objects.filter(code_insee=code, epci=epci).first()
    territoire = [commune.code_insee] if commune else communes
    stock = selectors.stock_logements(communes=territoire)
    bailleurs, nb_bailleurs = selectors.bailleurs_principaux(communes=territoire)
    return render(
        request,
        "offre/statistiques.html",
        contexte_offre(
            request,
            "statistiques",
            epcis=epcis,
            epci=epci,
            commune=commune,
            communes_epci=Commune.objects.filter(epci=epci).order_by("nom") if epci else [],
            stock=stock,
            bailleurs=bailleurs,
            nb_bailleurs=nb_bailleurs,
            vacance=selectors.vacance(communes=territoire),
            typologies=selectors.TYPOLOGIES,
        ),
    )
