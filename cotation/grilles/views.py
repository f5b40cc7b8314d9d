"""Gestion des grilles de cotation : liste, fiche, nouvelle version, modification d'un brouillon,
programmation, annulation, archivage ; livret du demandeur (public pour une grille adoptée).

Réservée à ceux qui gèrent les grilles du territoire (``cotation.acces`` :
gestionnaire du fichier, administrateur de l'EPCI). Chaque écriture passe par
un service de ``cotation.grilles.services`` (transaction, verrou de la grille, contrôle
« seul un brouillon se modifie », journal de la grille) ; une saisie refusée
revient avec les erreurs en français sur les champs et tout ce qui avait été
saisi.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cotation import acces as acces_cotation
from cotation.calcul.models import Famille, Grille
from cotation.calcul.regles import REGLES
from cotation.vues import SECTION, gestion_requise
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404
from fdls.socle.workflow import Auteur

from . import livret
from . import services as grilles
from .forms import (
    AjoutCritereForm,
    AjoutFamilleForm,
    CreationForm,
    CritereForm,
    FamilleForm,
    GrilleForm,
    PalierFormSet,
    ProgrammationForm,
    paliers_initiaux,
    paliers_saisis,
)


def _grille(request, pk) -> Grille:
    """Grille d'un territoire que l'agent gère (404 sinon : on ne révèle pas les brouillons des autres)."""
    return objet_ou_404(acces_cotation.grilles_gerables(request.user).select_related("epci"), pk)


def _auteur(request) -> Auteur:
    return Auteur.agent(request.user)


def _refus_non_modifiable(request, grille: Grille):
    messages.error(
        request,
        f"La grille est « {grille.get_etat_display()} » : seule une grille en brouillon se modifie. "
        "Créez une nouvelle version à partir de celle-ci.",
    )
    return redirect("cotation:grille", grille.pk)


# ---------------------------------------------------------------- liste et fiche


@gestion_requise
def liste(request):
    gerables = acces_cotation.grilles_gerables(request.user)
    grilles_ = (
        gerables.select_related("epci")
        .annotate(nb_criteres=Count("criteres", distinct=True))
        .order_by("epci__nom", "-version")
    )
    par_epci: dict = {}
    for g in grilles_:
        par_epci.setdefault(g.epci, []).append(g)
    contexte = {
        "section": SECTION,
        "par_epci": par_epci,
        "sans_grille": acces_cotation.epcis_geres(request.user).filter(grilles_cotation__isnull=True).count(),
    }
    return render(request, "cotation/grilles/grilles.html", contexte)


@gestion_requise
def creer(request):
    form = CreationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        epci = form.cleaned_data["epci"]
        if not acces_cotation.peut_gerer_grilles(request.user, epci):
            return render(request, "cotation/acces_refuse.html", {"section": SECTION}, status=403)
        try:
            grille = grilles.creer_grille(epci, libelle=form.cleaned_data["libelle"], auteur=_auteur(request))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Grille créée en brouillon (version {grille.version}) : ajoutez ses familles.")
            return redirect("cotation:grille", grille.pk)
    statut = 422 if request.method == "POST" else 200
    return render(request, "cotation/grilles/creer.html", {"section": SECTION, "form": form}, status=statut)


def _contexte_fiche(grille: Grille, **extra) -> dict:
    familles = list(grille.familles.annotate(n=Count("criteres")))
    criteres = list(grille.criteres.select_related("famille").order_by("famille__ordre", "famille_id", "ordre", "id"))
    libelles = {c.code: c.libelle for c in criteres}
    libelles_familles = {f.code: f.libelle for f in familles}
    blocs = []
    for f in familles:
        lignes = []
        for c in (c for c in criteres if c.famille_id == f.pk):
            description = REGLES.get(c.regle)
            lignes.append(
                {
                    "critere": c,
                    "regle": description.libelle if description else c.regle,
                    "exclu_si": [libelles.get(x, x) for x in c.exclu_si],
                    "exclu_si_familles": [libelles_familles.get(x, x) for x in c.exclu_si_familles],
                }
            )
        blocs.append(
            {"famille": f, "lignes": lignes, "exclue_par": [libelles_familles.get(x, x) for x in f.exclue_si_familles]}
        )
    erreurs = grilles.erreurs_grille(grille) if grille.etat in (Grille.Etat.BROUILLON, Grille.Etat.PROGRAMMEE) else []
    return {
        "section": SECTION,
        "grille": grille,
        "blocs": blocs,
        "erreurs_grille": erreurs,
        "donnees_manquantes": grilles.donnees_manquantes(grille),
        "transitions": grille.transitions.select_related("auteur").order_by("-date", "-id"),
        "form_programmation": ProgrammationForm(),
        "autres_versions": Grille.objects.filter(epci=grille.epci_id).exclude(pk=grille.pk).order_by("-version"),
        **extra,
    }


@gestion_requise
def fiche(request, pk):
    grille = _grille(request, pk)
    return render(request, "cotation/grilles/grille.html", _contexte_fiche(grille))


# ---------------------------------------------------------------- transitions


@require_POST
@gestion_requise
def nouvelle_version(request, pk):
    source = _grille(request, pk)
    copie = grilles.nouvelle_version(source, auteur=_auteur(request))
    messages.success(
        request,
        f"Version {copie.version} créée en brouillon à partir de la version {source.version} : modifiez-la, "
        "puis programmez sa date d'entrée en vigueur.",
    )
    return redirect("cotation:grille", copie.pk)


@require_POST
@gestion_requise
def programmer(request, pk):
    grille = _grille(request, pk)
    form = ProgrammationForm(request.POST)
    if form.is_valid():
        try:
            grille = grilles.programmer(grille, date_effet=form.cleaned_data["date_effet"], auteur=_auteur(request))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            if grille.etat == Grille.Etat.EN_VIGUEUR:
                messages.success(
                    request,
                    f"La version {grille.version} est en vigueur depuis le {grille.date_effet:%d/%m/%Y} ; la "
                    "précédente est archivée. Les demandes du territoire sont recotées en tâche de fond.",
                )
            else:
                messages.success(
                    request,
                    f"La version {grille.version} entrera en vigueur le {grille.date_effet:%d/%m/%Y} "
                    "(calcul de nuit de ce jour-là).",
                )
            return redirect("cotation:grille", grille.pk)
    grille.refresh_from_db()
    return render(request, "cotation/grilles/grille.html", _contexte_fiche(grille, form_programmation=form), status=422)


def _transition_simple(request, pk, service, succes: str):
    grille = _grille(request, pk)
    try:
        grille = service(grille, auteur=_auteur(request))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes.format(v=grille.version))
    return redirect("cotation:grille", grille.pk)


@require_POST
@gestion_requise
def annuler_programmation(request, pk):
    return _transition_simple(
        request, pk, grilles.annuler_programmation, "Programmation annulée : la version {v} est redevenue un brouillon."
    )


@require_POST
@gestion_requise
def archiver(request, pk):
    return _transition_simple(
        request,
        pk,
        grilles.archiver,
        "Version {v} archivée : aucune grille n'est plus en vigueur sur ce territoire, les demandes n'y ont plus de "
        "points après le prochain recalcul.",
    )


# ---------------------------------------------------------------- modification d'un brouillon


@gestion_requise
def modifier(request, pk):
    grille = _grille(request, pk)
    if not grille.modifiable:
        return _refus_non_modifiable(request, grille)
    # Le formulaire travaille sur une copie : la grille affichée garde ses valeurs tant que rien n'est écrit.
    form = GrilleForm(request.POST or None, instance=Grille.objects.get(pk=grille.pk))
    if request.method == "POST" and form.is_valid():
        try:
            grilles.modifier_grille(grille, auteur=_auteur(request), **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Grille enregistrée.")
            return redirect("cotation:grille", grille.pk)
    statut = 422 if request.method == "POST" else 200
    return render(
        request,
        "cotation/grilles/formulaire_grille.html",
        {"section": SECTION, "grille": grille, "form": form},
        status=statut,
    )


def _formulaire_famille(request, grille, famille=None):
    if not grille.modifiable:
        return _refus_non_modifiable(request, grille)
    classe = FamilleForm if famille else AjoutFamilleForm
    initial = (
        {
            "libelle": famille.libelle,
            "cumul": famille.cumul,
            "ordre": famille.ordre,
            "exclue_si_familles": famille.exclue_si_familles,
        }
        if famille
        else {"cumul": Famille.Cumul.SOMME, "ordre": (max((f.ordre for f in grille.familles.all()), default=0) + 10)}
    )
    form = classe(request.POST or None, initial=initial, grille=grille, famille=famille)
    if request.method == "POST" and form.is_valid():
        try:
            if famille:
                grilles.modifier_famille(famille, auteur=_auteur(request), **form.cleaned_data)
                messages.success(request, f"Famille « {form.cleaned_data['libelle']} » enregistrée.")
            else:
                famille = grilles.ajouter_famille(grille, auteur=_auteur(request), **form.cleaned_data)
                messages.success(request, f"Famille « {famille.libelle} » ajoutée.")
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return redirect(f"{_url_fiche(grille)}#famille-{famille.code}")
    statut = 422 if request.method == "POST" else 200
    contexte = {"section": SECTION, "grille": grille, "famille": famille, "form": form}
    return render(request, "cotation/grilles/formulaire_famille.html", contexte, status=statut)


def _url_fiche(grille) -> str:
    return reverse("cotation:grille", args=[grille.pk])


@gestion_requise
def ajouter_famille(request, pk):
    return _formulaire_famille(request, _grille(request, pk))


@gestion_requise
def modifier_famille(request, pk, famille_pk):
    grille = _grille(request, pk)
    return _formulaire_famille(request, grille, objet_ou_404(grille.familles.all(), famille_pk))


@require_POST
@gestion_requise
def supprimer_famille(request, pk, famille_pk):
    grille = _grille(request, pk)
    famille = objet_ou_404(grille.familles.all(), famille_pk)
    try:
        grilles.supprimer_famille(famille, auteur=_auteur(request))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Famille « {famille.libelle} » supprimée.")
    return redirect("cotation:grille", grille.pk)


def _formulaire_critere(request, grille, critere=None):
    if not grille.modifiable:
        return _refus_non_modifiable(request, grille)
    if critere is not None:
        initial = {
            "famille": critere.famille_id,
            "libelle": critere.libelle,
            "points": critere.points,
            "duree_mois": critere.duree_mois,
            "ordre": critere.ordre,
            "exclu_si": critere.exclu_si,
            "exclu_si_familles": critere.exclu_si_familles,
            "mention_exclusion": critere.mention_exclusion,
        }
        form = CritereForm(request.POST or None, initial=initial, grille=grille, critere=critere)
        paliers = PalierFormSet(request.POST or None, initial=paliers_initiaux(critere.paliers), prefix="paliers")
    else:
        famille = grille.familles.filter(pk=request.GET.get("famille") or 0).first() or grille.familles.first()
        ordre = max((c.ordre for c in grille.criteres.filter(famille=famille)), default=0) + 10
        form = AjoutCritereForm(
            request.POST or None,
            initial={"famille": famille, "points": 0, "ordre": ordre, "regle": request.GET.get("regle", "")},
            grille=grille,
        )
        paliers = PalierFormSet(request.POST or None, prefix="paliers")
    erreurs = {"paliers": []}
    if request.method == "POST":
        form_valide, paliers_valides = form.is_valid(), paliers.is_valid()
        if form_valide and paliers_valides:
            donnees = {**form.donnees_critere(), "paliers": paliers_saisis(paliers)}
            try:
                if critere is not None:
                    critere = grilles.modifier_critere(critere, auteur=_auteur(request), **donnees)
                    messages.success(request, f"Critère « {critere.libelle[:80]} » enregistré.")
                else:
                    critere = grilles.ajouter_critere(grille, auteur=_auteur(request), **donnees)
                    messages.success(request, f"Critère « {critere.libelle[:80]} » ajouté.")
            except ValidationError as erreur:
                reporter_erreurs(form, erreur, autres=erreurs)
            else:
                return redirect(f"{_url_fiche(grille)}#critere-{critere.code}")
        elif paliers_valides:
            # Le formulaire est à corriger : les paliers sont contrôlés tout de suite, pour tout dire en une fois.
            erreurs["paliers"] += [e[:1].upper() + e[1:] for e in grilles.erreurs_paliers(paliers_saisis(paliers))]
    regle = form.regle
    contexte = {
        "section": SECTION,
        "grille": grille,
        "critere": critere,
        "form": form,
        "paliers": paliers,
        "erreurs_paliers": erreurs["paliers"] + list(paliers.non_form_errors()),
        "regle": REGLES.get(regle),
        "regles": REGLES,
        "paliers_en_erreur": bool(erreurs["paliers"] or paliers.non_form_errors() or any(f.errors for f in paliers)),
    }
    statut = 422 if request.method == "POST" else 200
    return render(request, "cotation/grilles/formulaire_critere.html", contexte, status=statut)


@gestion_requise
def ajouter_critere(request, pk):
    grille = _grille(request, pk)
    if grille.modifiable and not grille.familles.exists():
        messages.error(request, "Ajoutez d'abord une famille : chaque critère appartient à une famille.")
        return redirect("cotation:grille", grille.pk)
    return _formulaire_critere(request, grille)


@gestion_requise
def modifier_critere(request, pk, critere_pk):
    grille = _grille(request, pk)
    critere = objet_ou_404(grille.criteres.select_related("famille"), critere_pk)
    return _formulaire_critere(request, grille, critere)


@require_POST
@gestion_requise
def supprimer_critere(request, pk, critere_pk):
    grille = _grille(request, pk)
    critere = objet_ou_404(grille.criteres.all(), critere_pk)
    try:
        grilles.supprimer_critere(critere, auteur=_auteur(request))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Critère « {critere.libelle[:80]} » supprimé.")
    return redirect("cotation:grille", grille.pk)


# ---------------------------------------------------------------- livret du demandeur


def _grille_lisible(request, pk) -> Grille:
    grille = objet_ou_404(Grille.objects.select_related("epci"), pk)
    if not acces_cotation.peut_lire_grille(request.user, grille):
        # Un brouillon est un document de travail : on ne révèle pas qu'il existe.
        raise Http404
    return grille


@never_cache
def livret_html(request, pk):
    grille = _grille_lisible(request, pk)
    contexte = {
        **livret.contenu_livret(grille),
        "section": "cotation",
        "gere": acces_cotation.peut_gerer_grilles(request.user, grille.epci_id),
    }
    return render(request, "cotation/grilles/livret.html", contexte)


@never_cache
def livret_pdf(request, pk):
    grille = _grille_lisible(request, pk)
    reponse = HttpResponse(livret.pdf_livret(grille), content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{livret.nom_fichier(grille)}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse
