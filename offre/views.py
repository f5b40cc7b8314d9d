"""Écrans du parc : liste et fiche des logements, programmes, vacances,
statistiques et import de fichier.

Lecture : agents dont le rôle donne accès au fichier, sur leur territoire
(``visibles_par``) ; écriture : instructeurs du bailleur propriétaire
(``modifiables_par``, vérifié de nouveau par les services).
"""

import csv
import io
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reselect, reswap, retarget

from fdls import acces
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import PAR_PAGE, agent_requis
from fdls.territoires.models import Commune, Epci
from offre import importation, selectors, services
from offre.filters import DisponibiliteFilter, LogementFilter
from offre.forms import DisponibiliteForm, ImportForm, LogementForm, ProgrammeForm, TransitionForm
from offre.models import Disponibilite, EtatDisponibilite, ImportLogements, Logement, Programme, gere_offre


def lecture_requise(vue):
    """Parc d'un territoire : agents dont le rôle donne accès au fichier (docs/acces.md)."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_nominatif(request.user):
            return render(request, "offre/acces_refuse.html", {"section": "offre"}, status=403)
        return vue(request, *args, **kwargs)

    return enveloppe


def gestion_requise(vue):
    """Écritures : instructeurs d'un bailleur social, sur leur propre parc."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not gere_offre(request.user):
            raise PermissionDenied("La gestion du parc est réservée aux instructeurs d'un bailleur social.")
        return vue(request, *args, **kwargs)

    return enveloppe


def _contexte(request, onglet: str, **extra) -> dict:
    return {
        "section": "offre",
        "onglet": onglet,
        "gere_offre": gere_offre(request.user),
        "voit_parc": acces.voit_nominatif(request.user),
        **extra,
    }


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
        _contexte(request, "logements"),
        attacher=selectors.attacher_disponibilites,
    )


def _logement_visible(request, pk) -> Logement:
    # 404 hors du territoire : on ne révèle pas ce qui n'est pas visible.
    return get_object_or_404(
        Logement.objects.visibles_par(request.user).select_related(
            "programme", "commune", "quartier", "bailleur", "reservataire"
        ),
        pk=pk,
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
        _contexte(
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
    return render(request, "offre/formulaire_logement.html", _contexte(request, "logements", form=form))


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
        request, "offre/formulaire_logement.html", _contexte(request, "logements", form=form, logement=logement)
    )


# --- Programmes ------------------------------------------------------------------


@never_cache
@lecture_requise
def programme(request, pk):
    programme = get_object_or_404(
        Programme.objects.visibles_par(request.user).select_related("commune", "quartier", "bailleur"), pk=pk
    )
    logements = list(programme.logements.select_related("reservataire").order_by("code"))
    selectors.attacher_disponibilites(logements)
    modifiable = gere_offre(request.user) and programme.bailleur_id == request.user.organisme_id
    return render(
        request,
        "offre/programme.html",
        _contexte(request, "logements", programme=programme, logements=logements, modifiable=modifiable),
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
    return render(request, "offre/formulaire_programme.html", _contexte(request, "logements", form=form))


@gestion_requise
@require_http_methods(["GET", "POST"])
def modifier_programme(request, pk):
    programme = get_object_or_404(Programme.objects.modifiables_par(request.user), pk=pk)
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
        request, "offre/formulaire_programme.html", _contexte(request, "logements", form=form, programme=programme)
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
        request, "offre/formulaire_disponibilite.html", _contexte(request, "vacances", form=form, logement=logement)
    )


@gestion_requise
@require_POST
def changer_etat_disponibilite(request, pk):
    disponibilite = get_object_or_404(
        Disponibilite.objects.visibles_par(request.user).select_related("logement__programme"), pk=pk
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
        _contexte(
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
    return _liste(request, filtre, "offre/disponibilites.html", _contexte(request, "vacances"))


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
        _contexte(
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


# --- Import ----------------------------------------------------------------------------


@never_cache
@gestion_requise
@require_http_methods(["GET", "POST"])
def importer(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        import_ = importation.importer_logements(
            auteur=request.user,
            fichier=fichier,
            nom_fichier=fichier.name,
            lignes_valides_seulement=form.cleaned_data["lignes_valides_seulement"],
        )
        if import_.etat == ImportLogements.Etat.IMPORTE:
            messages.success(request, _resume_import(import_))
        else:
            messages.error(request, "Le fichier contient des erreurs : rien n'a été importé.")
        return redirect("offre:import", pk=import_.pk)
    derniers = ImportLogements.objects.filter(bailleur=request.user.organisme_id).select_related("auteur")[:10]
    return render(
        request,
        "offre/import.html",
        _contexte(request, "import", form=form, colonnes=importation.COLONNES, derniers=derniers),
    )


def _resume_import(import_: ImportLogements) -> str:
    return (
        f"Import terminé : {import_.nb_crees} logement{'s' if import_.nb_crees > 1 else ''} "
        f"créé{'s' if import_.nb_crees > 1 else ''}, {import_.nb_modifies} mis à jour."
    )


@never_cache
@gestion_requise
def rapport_import(request, pk):
    import_ = get_object_or_404(
        ImportLogements.objects.select_related("auteur"), pk=pk, bailleur=request.user.organisme_id
    )
    return render(
        request,
        "offre/rapport_import.html",
        _contexte(
            request,
            "import",
            import_=import_,
            erreurs=import_.erreurs[:500],
            erreurs_masquees=max(len(import_.erreurs) - 500, 0),
            peut_importer_valides=import_.etat == ImportLogements.Etat.ERREURS
            and bool(import_.fichier)
            and import_.nb_valides > 0,
        ),
    )


@gestion_requise
@require_POST
def importer_valides(request, pk):
    import_ = get_object_or_404(ImportLogements, pk=pk, bailleur=request.user.organisme_id)
    try:
        import_ = importation.importer_lignes_valides(auteur=request.user, import_=import_)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, _resume_import(import_) + f" {import_.nb_erreurs} ligne(s) en erreur ignorée(s).")
    return redirect("offre:import", pk=import_.pk)


@gestion_requise
def modele_import(request):
    """Fichier CSV modèle : les en-têtes documentés et une ligne d'exemple."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow([c.nom for c in importation.COLONNES])
    ecrivain.writerow([c.exemple for c in importation.COLONNES])
    reponse = HttpResponse("\ufeff" + sortie.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = 'attachment; filename="modele_import_logements.csv"'
    return reponse
