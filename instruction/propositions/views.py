"""Écrans de l'instruction d'une vacance : la page de la vacance et ses candidats, les actions, le bloc de la fiche.

``disponibilite`` montre le logement, son état et ses candidats par rang avec
leurs contacts, propositions et visites, et un formulaire par action permise ;
chaque action est un POST ordinaire (sans JavaScript) qui revient à la page
(PRG) ou la montre avec l'erreur à sa place et la saisie gardée (400).
Accès : agents qui instruisent la vacance (``selectors.peut_instruire``) ; les
demandes montrées sont inscrites au journal des consultations.
``instruction_demande`` rend le bloc « Instruction » de la fiche d'une demande
(fragment htmx), avec l'accès et le journal de la fiche (``demande_visible``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demandes.dossier.vues import demande_visible, montrer_demandes, nominatif_requis
from demandes.editions import blocs
from demandes.editions.pdf import nombre_refus
from fdls.audit.services import refuser_si_existe
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404
from instruction.propositions import selectors, services
from instruction.propositions.forms import (
    BilanForm,
    ContactCandidatForm,
    ContactForm,
    PositionnementForm,
    PropositionForm,
    ReponseForm,
    RetraitForm,
    VisiteForm,
)
from instruction.propositions.models import Positionnement, Proposition, Visite
from offre.models import Disponibilite

SECTION = "instruction"


def _disponibilite(request, pk) -> Disponibilite | None:
    """La vacance si l'agent l'instruit ; 404 hors de son territoire ; ``None`` s'il la voit sans l'instruire."""
    visibles = Disponibilite.objects.visibles_par(request.user).values("pk")
    try:
        disponibilite = objet_ou_404(selectors.disponibilite_detaillee(pk).filter(pk__in=visibles))
    except Http404:
        # Hors du territoire : même 404 qu'une vacance inexistante, et une ligne « refus » au journal.
        refuser_si_existe(request, Disponibilite.objects.all(), pk)
        raise
    return disponibilite if selectors.peut_instruire(request.user, disponibilite) else None


def _refus(request, disponibilite=None):
    return render(
        request,
        "instruction/propositions/acces_refuse.html",
        {"section": SECTION, "disponibilite": disponibilite},
        status=403,
    )


def _formulaires(positionnement: Positionnement, saisi: dict) -> dict:
    """Les formulaires des actions permises sur un candidat ; ``saisi`` : le formulaire en erreur, gardé tel quel."""
    cle = positionnement.pk
    formulaires = {}
    if positionnement.actif:
        formulaires["contact"] = saisi.get(("contact", cle)) or ContactForm(prefix=f"c{cle}")
        formulaires["visite"] = saisi.get(("visite", cle)) or VisiteForm(prefix=f"v{cle}")
        formulaires["retrait"] = saisi.get(("retrait", cle)) or RetraitForm(prefix=f"r{cle}")
    en_attente = [p for p in positionnement.propositions.all() if p.etat == Proposition.Etat.ENVOYEE]
    if positionnement.etat == Positionnement.Etat.POSITIONNE and not en_attente:
        formulaires["proposition"] = saisi.get(("proposition", cle)) or PropositionForm(prefix=f"p{cle}")
    formulaires["reponses"] = [(p, saisi.get(("reponse", p.pk)) or ReponseForm(prefix=f"a{p.pk}")) for p in en_attente]
    formulaires["bilans"] = [
        (v, saisi.get(("bilan", v.pk)) or BilanForm(prefix=f"b{v.pk}"))
        for v in positionnement.visites.all()
        if v.etat == Visite.Etat.PREVUE
    ]
    return formulaires


def _page(
    request, disponibilite, *, saisi: dict | None = None, positionnement_form=None, contact_form=None, status=200
):
    saisi = saisi or {}
    candidats = selectors.candidats(disponibilite)
    for candidat in candidats:
        candidat.formulaires = _formulaires(candidat, saisi)
    autres_contacts = list(selectors.contacts_sans_positionnement(disponibilite))
    montrer_demandes(request, list({c.demande.pk: c.demande for c in candidats + autres_contacts}.values()))
    contexte = {
        "section": SECTION,
        "disponibilite": disponibilite,
        "logement": disponibilite.logement,
        "candidats": candidats,
        "actifs": sum(1 for c in candidats if c.actif),
        "autres_contacts": autres_contacts,
        "form_positionnement": positionnement_form or PositionnementForm(user=request.user, prefix="positionnement"),
        "form_contact_candidat": contact_form or ContactCandidatForm(user=request.user, prefix="candidat"),
        "ouverte": disponibilite.ouverte,
    }
    return render(request, "instruction/propositions/disponibilite.html", contexte, status=status)


def _retour(disponibilite, positionnement=None):
    ancre = f"#candidat-{positionnement.pk}" if positionnement is not None else ""
    return redirect(reverse("instruction:disponibilite", args=[disponibilite.pk]) + ancre)


@nominatif_requis
def disponibilite(request, pk):
    disponibilite = _disponibilite(request, pk)
    if disponibilite is None:
        return _refus(request)
    return _page(request, disponibilite)


@nominatif_requis
@require_POST
def positionner(request, pk):
    disponibilite = _disponibilite(request, pk)
    if disponibilite is None:
        return _refus(request)
    # Contrat avec la liste des candidats (R1) : champ ``demande`` sans préfixe (pk ou NU), désignation facultative.
    donnees = request.POST.copy()
    for champ in ("demande", "designation", "reservataire"):
        if champ in donnees and f"positionnement-{champ}" not in donnees:
            donnees[f"positionnement-{champ}"] = donnees[champ]
    form = PositionnementForm(donnees, user=request.user, prefix="positionnement")
    if form.is_valid():
        try:
            positionnement = services.positionner_candidat(
                auteur=request.user,
                disponibilite=disponibilite,
                demande=form.cleaned_data["demande"],
                designation=form.cleaned_data["designation"] or None,
                reservataire=form.cleaned_data["reservataire"],
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                f"La demande {positionnement.demande.numero_unique_affiche} est positionnée "
                f"au rang {positionnement.rang}.",
            )
            return _retour(disponibilite, positionnement)
    disponibilite.refresh_from_db()
    return _page(request, disponibilite, positionnement_form=form, status=400)


@nominatif_requis
@require_POST
def contacter_candidat(request, pk):
    """Contact avec une demande pressentie sur la vacance, sans la positionner (refus d'être positionné compris)."""
    disponibilite = _disponibilite(request, pk)
    if disponibilite is None:
        return _refus(request)
    form = ContactCandidatForm(request.POST, user=request.user, prefix="candidat")
    if form.is_valid():
        donnees = form.cleaned_data
        try:
            services.contacter(
                auteur=request.user,
                disponibilite=disponibilite,
                demande=donnees["demande"],
                **services.saisie_contact(donnees),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Le contact est enregistré.")
            return redirect(reverse("instruction:disponibilite", args=[disponibilite.pk]) + "#titre-autres-contacts")
    return _page(request, disponibilite, contact_form=form, status=400)


def _action_candidat(request, positionnement, cle, form, action, succes: str):
    """Valide ``form``, appelle ``action(form.cleaned_data)`` ; revient à la page, ou la montre avec l'erreur."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, succes)
            return _retour(positionnement.disponibilite, positionnement)
    disponibilite = selectors.disponibilite_detaillee(positionnement.disponibilite_id).get()
    return _page(request, disponibilite, saisi={cle: form}, status=400)


def _positionnement(request, pk):
    positionnement = objet_ou_404(Positionnement.objects.select_related("demande", "disponibilite"), pk)
    if _disponibilite(request, positionnement.disponibilite_id) is None:
        return None
    return positionnement


@nominatif_requis
@require_POST
def contacter(request, pk):
    positionnement = _positionnement(request, pk)
    if positionnement is None:
        return _refus(request)
    form = ContactForm(request.POST, prefix=f"c{pk}")

    def action(donnees):
        services.contacter(
            auteur=request.user,
            positionnement=positionnement,
            **services.saisie_contact(donnees),
        )

    return _action_candidat(request, positionnement, ("contact", pk), form, action, "Le contact est enregistré.")


@nominatif_requis
@require_POST
def retirer_positionnement(request, pk):
    positionnement = _positionnement(request, pk)
    if positionnement is None:
        return _refus(request)
    form = RetraitForm(request.POST, prefix=f"r{pk}")

    def action(donnees):
        services.retirer_positionnement(auteur=request.user, positionnement=positionnement, motif=donnees["motif"])

    return _action_candidat(request, positionnement, ("retrait", pk), form, action, "Le candidat est retiré.")


@nominatif_requis
@require_POST
def proposer(request, pk):
    positionnement = _positionnement(request, pk)
    if positionnement is None:
        return _refus(request)
    form = PropositionForm(request.POST, prefix=f"p{pk}")

    def action(donnees):
        services.proposer_logement(
            auteur=request.user,
            positionnement=positionnement,
            date_envoi=donnees["date_envoi"],
            date_limite=donnees["date_limite"],
            commentaire=donnees["commentaire"],
        )

    return _action_candidat(
        request, positionnement, ("proposition", pk), form, action, "La proposition de logement est envoyée."
    )


@nominatif_requis
@require_POST
def repondre_proposition(request, pk):
    proposition = objet_ou_404(Proposition.objects.all(), pk)
    positionnement = _positionnement(request, proposition.positionnement_id)
    if positionnement is None:
        return _refus(request)
    form = ReponseForm(request.POST, prefix=f"a{pk}")

    def action(donnees):
        if donnees["reponse"] == "accepter":
            services.accepter_proposition(
                auteur=request.user, proposition=proposition, date_reponse=donnees["date_reponse"]
            )
        else:
            services.refuser_proposition(
                auteur=request.user,
                proposition=proposition,
                motif=donnees["motif"],
                commentaire=donnees["commentaire"],
                date_reponse=donnees["date_reponse"],
            )

    return _action_candidat(
        request, positionnement, ("reponse", pk), form, action, "La réponse du candidat est enregistrée."
    )


@nominatif_requis
@require_POST
def planifier_visite(request, pk):
    positionnement = _positionnement(request, pk)
    if positionnement is None:
        return _refus(request)
    form = VisiteForm(request.POST, prefix=f"v{pk}")

    def action(donnees):
        services.planifier_visite(
            auteur=request.user, positionnement=positionnement, date_prevue=donnees["date_prevue"]
        )

    return _action_candidat(request, positionnement, ("visite", pk), form, action, "La visite est planifiée.")


@nominatif_requis
@require_POST
def realiser_visite(request, pk):
    visite = objet_ou_404(Visite.objects.all(), pk)
    positionnement = _positionnement(request, visite.positionnement_id)
    if positionnement is None:
        return _refus(request)
    form = BilanForm(request.POST, prefix=f"b{pk}")

    def action(donnees):
        services.realiser_visite(auteur=request.user, visite=visite, bilan=donnees["bilan"])

    return _action_candidat(request, positionnement, ("bilan", pk), form, action, "Le bilan de la visite est noté.")


@nominatif_requis
def instruction_demande(request, pk):
    """Bloc « Instruction » de la fiche (fragment htmx ; page entière sans JavaScript)."""
    demande = demande_visible(request, pk)
    contexte = {
        "demande": demande,
        # Toutes les sources enregistrées (propositions, commissions) : le même contenu que la fiche PDF.
        "instruction": blocs.instruction_de(demande),
        "nombre_refus": nombre_refus(demande),
        "section": "demande",
    }
    if request.htmx:
        return render(request, "demandes/fiche/_instruction_blocs.html", contexte)
    return render(request, "instruction/propositions/instruction_demande.html", contexte)
