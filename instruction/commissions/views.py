"""Écrans des commissions d'attribution : commissions et séances, ordre du jour, décisions, suites, éditions.

``seance`` montre l'ordre du jour (logements et candidats) et, pour chaque candidat, le formulaire de
l'action permise dans son état ; chaque action est un POST ordinaire qui revient à la page (PRG) ou la
montre avec l'erreur à sa place et la saisie gardée (400). Accès : ``selectors.peut_gerer`` pour écrire,
``selectors.peut_voir`` pour lire ; les demandes montrées sont inscrites au journal des consultations.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demandes.dossier.vues import demande_visible, montrer_demandes, nominatif_requis
from fdls.audit.models import Consultation
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404
from instruction.commissions import pdf, selectors, services, votes
from instruction.commissions.forms import (
    BailForm,
    CommissionForm,
    ConditionForm,
    DecisionForm,
    InscriptionForm,
    ObjectifForm,
    ReponseForm,
    SeanceForm,
    VoteForm,
)
from instruction.commissions.models import Candidature, Seance
from instruction.propositions import selectors as propositions
from offre.models import gere_offre

SECTION = "commissions"
C = Candidature.Etat
#: Préfixe des formulaires de chaque action sur une candidature (identifiants uniques sur la page).
PREFIXES = {"decision": "d", "reponse": "r", "condition": "l", "bail": "b"}


def _refus(request):
    return render(request, "instruction/propositions/acces_refuse.html", {"section": SECTION}, status=403)


# ---------------------------------------------------------------- accueil de l'instruction


@nominatif_requis
def accueil(request):
    """Les vacances que l'agent instruit, encore ouvertes, et ses commissions."""
    vacances = (
        propositions.disponibilites_instruites_par(request.user)
        .ouvertes()
        .select_related("logement__programme", "logement__commune", "reservataire")
        .order_by("date_disponibilite", "id")[:200]
    )
    contexte = {
        "section": "instruction",
        "vacances": vacances,
        "commissions": selectors.commissions_visibles(request.user),
    }
    return render(request, "instruction/commissions/accueil.html", contexte)


# ---------------------------------------------------------------- commissions et séances


def _page_commissions(request, *, form_commission=None, form_seance=None, status=200):
    commissions = selectors.commissions_visibles(request.user)
    gerees = commissions.filter(bailleur=request.user.organisme_id)
    contexte = {
        "section": SECTION,
        "commissions": commissions,
        "seances": selectors.seances(commissions)[:100],
        "gere": bool(gerees) or gere_offre(request.user),
        "form_commission": form_commission or CommissionForm(user=request.user, prefix="commission"),
        "form_seance": form_seance or SeanceForm(commissions=gerees, prefix="seance"),
        "peut_planifier": gerees.exists(),
    }
    return render(request, "instruction/commissions/commissions.html", contexte, status=status)


@nominatif_requis
def commissions(request):
    return _page_commissions(request)


@nominatif_requis
@require_POST
def creer_commission(request):
    form = CommissionForm(request.POST, user=request.user, prefix="commission")
    if form.is_valid():
        d = form.cleaned_data
        try:
            commission = services.creer_commission(
                auteur=request.user,
                nom=d["nom"],
                quorum=d["quorum"],
                majorite=d["majorite"] if d["majorite"] is not None else 50,
                membres=list(d["membres"]),
                reservataires=list(d["reservataires"]),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"La commission « {commission.nom} » est créée.")
            return redirect("instruction:commissions")
    return _page_commissions(request, form_commission=form, status=400)


@nominatif_requis
@require_POST
def planifier_seance(request):
    gerees = selectors.commissions_visibles(request.user).filter(bailleur=request.user.organisme_id)
    form = SeanceForm(request.POST, commissions=gerees, prefix="seance")
    if form.is_valid():
        try:
            seance = services.planifier_seance(auteur=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"La séance du {seance.date:%d/%m/%Y} est planifiée.")
            return redirect("instruction:seance", seance.pk)
    return _page_commissions(request, form_seance=form, status=400)


# ---------------------------------------------------------------- la séance


def _seance(request, pk) -> tuple[Seance, bool] | None:
    seance = objet_ou_404(selectors.seance_detaillee(pk))
    if not selectors.peut_voir(request.user, seance.commission):
        return None
    return seance, selectors.peut_gerer(request.user, seance.commission)


def _formulaires(candidature: Candidature, saisi: dict) -> dict:
    cle = candidature.pk
    f = {}
    if candidature.etat == C.INSCRITE:
        f["decision"] = saisi.get(("decision", cle)) or DecisionForm(prefix=f"{PREFIXES['decision']}{cle}")
    if candidature.etat in (C.ATTRIBUEE, C.ACCEPTEE):
        f["reponse"] = saisi.get(("reponse", cle)) or ReponseForm(prefix=f"{PREFIXES['reponse']}{cle}")
        f["bail"] = saisi.get(("bail", cle)) or BailForm(prefix=f"{PREFIXES['bail']}{cle}")
    if candidature.etat == C.SOUS_CONDITION:
        f["condition"] = saisi.get(("condition", cle)) or ConditionForm(prefix=f"{PREFIXES['condition']}{cle}")
    return f


def _page_seance(request, seance, gere, *, saisi=None, inscription_form=None, status=200):
    saisi = saisi or {}
    examens = selectors.ordre_du_jour(seance)
    demandes = []
    for examen in examens:
        for candidature in examen.candidatures.all():
            candidature.formulaires = _formulaires(candidature, saisi) if gere else {}
            demandes.append(candidature.demande)
        examen.depouillement = votes.depouiller(seance.commission, examen)
        # Un formulaire de vote par logement : identifiants uniques sur la page.
        examen.form_vote = VoteForm(prefix=f"vote{examen.pk}")
    montrer_demandes(request, demandes, action=Consultation.Action.CONSULTATION)
    ouverte = seance.etat in (Seance.Etat.PLANIFIEE, Seance.Etat.VOTE)
    contexte = {
        "section": SECTION,
        "seance": seance,
        "commission": seance.commission,
        "examens": examens,
        "gere": gere,
        "ouverte": ouverte,
        "membre": seance.commission.membres.filter(user=request.user).first(),
        "form_inscription": inscription_form
        or (InscriptionForm(vacances=selectors.vacances_a_inscrire(seance), prefix="inscription") if gere else None),
        "decidables": seance.date <= timezone.localdate(),
    }
    return render(request, "instruction/commissions/seance.html", contexte, status=status)


@nominatif_requis
def seance(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None:
        return _refus(request)
    return _page_seance(request, *trouvee)


@nominatif_requis
@require_POST
def inscrire_logement(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None or not trouvee[1]:
        return _refus(request)
    seance, gere = trouvee
    form = InscriptionForm(request.POST, vacances=selectors.vacances_a_inscrire(seance), prefix="inscription")
    if form.is_valid():
        try:
            examen = services.inscrire_logement(auteur=request.user, seance=seance, **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                f"Le logement {examen.disponibilite.logement} est inscrit avec "
                f"{examen.candidatures.count()} candidat(s).",
            )
            return redirect(reverse("instruction:seance", args=[seance.pk]) + f"#examen-{examen.pk}")
    return _page_seance(request, seance, gere, inscription_form=form, status=400)


@nominatif_requis
@require_POST
def clore_seance(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None or not trouvee[1]:
        return _refus(request)
    try:
        services.clore_seance(auteur=request.user, seance=trouvee[0])
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
    else:
        messages.success(request, "La séance est close : le procès-verbal est arrêté.")
    return redirect("instruction:seance", pk)


def _action(request, pk, cle: str, form_classe, action, succes: str):
    """Une action sur une candidature : valide, appelle le service, revient (PRG) ou montre l'erreur (400)."""
    candidature = objet_ou_404(Candidature.objects.select_related("examen__seance"), pk)
    trouvee = _seance(request, candidature.examen.seance_id)
    if trouvee is None or not trouvee[1]:
        return _refus(request)
    seance, gere = trouvee
    form = form_classe(request.POST, prefix=f"{PREFIXES[cle]}{pk}")
    if form.is_valid():
        try:
            action(candidature, form)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, succes)
            return redirect(reverse("instruction:seance", args=[seance.pk]) + f"#candidature-{pk}")
    return _page_seance(request, seance, gere, saisi={(cle, pk): form}, status=400)


@nominatif_requis
@require_POST
def decider(request, pk):
    def action(candidature, form):
        services.decider(auteur=request.user, candidature=candidature, saisie=form.saisie())

    return _action(request, pk, "decision", DecisionForm, action, "La décision de la commission est enregistrée.")


@nominatif_requis
@require_POST
def repondre(request, pk):
    def action(candidature, form):
        services.repondre_attribution(auteur=request.user, candidature=candidature, **form.cleaned_data)

    return _action(request, pk, "reponse", ReponseForm, action, "La réponse du candidat est enregistrée.")


@nominatif_requis
@require_POST
def lever_condition(request, pk):
    def action(candidature, form):
        services.lever_condition(auteur=request.user, candidature=candidature, recue_le=form.cleaned_data["recue_le"])

    return _action(request, pk, "condition", ConditionForm, action, "La condition suspensive est levée.")


@nominatif_requis
@require_POST
def signer_bail(request, pk):
    def action(candidature, form):
        d = form.cleaned_data
        services.signer_bail(
            auteur=request.user, candidature=candidature, signe_le=d["signe_le"], entree_le=d["entree_le"]
        )

    return _action(
        request, pk, "bail", BailForm, action, "Le bail est signé : la demande est satisfaite, le logement attribué."
    )


# ---------------------------------------------------------------- vote à distance


@nominatif_requis
@require_POST
def ouvrir_vote(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None or not trouvee[1]:
        return _refus(request)
    try:
        votes.ouvrir_vote(auteur=request.user, seance=trouvee[0])
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Le vote à distance est ouvert aux membres de la commission.")
    return redirect("instruction:seance", pk)


@nominatif_requis
@require_POST
def voter(request, pk):
    examen = objet_ou_404(votes.examens(), pk)
    if _seance(request, examen.seance_id) is None:
        return _refus(request)
    form = VoteForm(request.POST, prefix=f"vote{pk}")
    if form.is_valid():
        try:
            votes.voter(
                user=request.user,
                examen=examen,
                choix=form.cleaned_data["choix"],
                commentaire=form.cleaned_data["commentaire"],
            )
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Votre vote pour {examen.disponibilite.logement} est enregistré.")
    else:
        messages.error(request, "Choisissez votre vote.")
    return redirect(reverse("instruction:seance", args=[examen.seance_id]) + f"#examen-{pk}")


# ---------------------------------------------------------------- éditions PDF


def _pdf(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse


@nominatif_requis
def ordre_du_jour_pdf(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None:
        return _refus(request)
    seance = trouvee[0]
    examens = selectors.ordre_du_jour(seance)
    montrer_demandes(
        request, [c.demande for e in examens for c in e.candidatures.all()], action=Consultation.Action.PDF
    )
    return _pdf(pdf.ordre_du_jour(seance, examens), f"ordre-du-jour-{seance.date:%Y-%m-%d}.pdf")


@nominatif_requis
def proces_verbal_pdf(request, pk):
    trouvee = _seance(request, pk)
    if trouvee is None:
        return _refus(request)
    seance = trouvee[0]
    examens = selectors.ordre_du_jour(seance)
    montrer_demandes(
        request, [c.demande for e in examens for c in e.candidatures.all()], action=Consultation.Action.PDF
    )
    return _pdf(pdf.proces_verbal(seance, examens), f"proces-verbal-{seance.date:%Y-%m-%d}.pdf")


@nominatif_requis
def lettre_pdf(request, pk):
    candidature = objet_ou_404(Candidature.objects.select_related("examen__seance"), pk)
    trouvee = _seance(request, candidature.examen.seance_id)
    if trouvee is None:
        return _refus(request)
    demande_visible(request, candidature.demande_id, action=Consultation.Action.PDF)
    return _pdf(pdf.lettre_decision(candidature), f"decision-cal-{candidature.pk}.pdf")


# ---------------------------------------------------------------- gestion en flux


@nominatif_requis
def flux(request):
    """Le flux d'un réservataire : objectif de l'année et attributions ; le bailleur fixe les objectifs."""
    saisie = request.GET.get("annee", "")
    annee = int(saisie) if saisie.isdigit() and 2000 <= int(saisie) <= 2100 else timezone.localdate().year
    organisme = request.user.organisme
    form = ObjectifForm(initial={"annee": annee}, prefix="objectif")
    if request.method == "POST":
        form = ObjectifForm(request.POST, prefix="objectif")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.fixer_objectif(
                    auteur=request.user, reservataire=d["reservataire"], annee=d["annee"], objectif=d["objectif"]
                )
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, "L'objectif de flux est enregistré.")
                return redirect(reverse("instruction:flux") + f"?annee={d['annee']}")
    contexte = {
        "section": SECTION,
        "annee": annee,
        "lignes": selectors.flux_du_reservataire(organisme, annee) if organisme else [],
        "baux": selectors.baux_du_flux(organisme, annee)[:100] if organisme else [],
        "objectifs": selectors.objectifs_du_bailleur(organisme, annee) if organisme else [],
        "form_objectif": form if gere_offre(request.user) else None,
    }
    return render(request, "instruction/commissions/flux.html", contexte, status=400 if form.errors else 200)
