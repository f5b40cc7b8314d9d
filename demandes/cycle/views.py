"""Écrans du cycle de vie d'une demande : saisie (création, brouillon, modification), renouvellement,
annulation, réactivation, suppression d'un brouillon.

Une demande s'écrit parmi ``Demande.objects.modifiables_par(user)`` (politique
d'accès de fdls/acces.py, CCH R441-2-6) et par les services de
``demandes/cycle/services.py`` ; leurs erreurs reviennent sur les champs du
formulaire.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from demandes.cycle import services
from demandes.cycle.forms import (
    AnnulationForm,
    AvertissementForm,
    ReactivationForm,
    ReferentielCommunes,
    ReponseAvertissementForm,
    SaisieDossier,
)
from demandes.dossier.models import Demande
from demandes.dossier.vues import demande_instruisible, demande_modifiable, montrer_demandes, nominatif_requis
from demandes.doublons import services as doublons
from fdls import acces
from fdls.audit.models import Consultation
from fdls.organismes.models import Guichet
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import agent_requis
from fdls.socle.workflow import Auteur

MESSAGE_LECTURE_SEULE = "Votre organisme consulte cette demande mais ne peut pas la modifier."


def _saisie_refusee(request):
    return render(request, "demandes/cycle/saisie_refusee.html", {"section": "demande"}, status=403)


# ---------------------------------------------------------------- saisie


def _guichets_de(user):
    return list(
        Guichet.objects.filter(organisme_id=user.organisme_id, type=Guichet.Type.ACCOMPAGNATEUR, actif=True)
        .select_related("commune")
        .order_by("nom")
    )


#: Actions qui écrivent la demande : leurs contrôles sont tous faits avant d'afficher les erreurs.
ACTIONS_ENREGISTRER = ("creer", "brouillon", "modifier")

#: Entrée dans un champ : l'onglet suivant (le bouton par défaut du formulaire, jamais le brouillon).
ACTION_SUIVANT = "suivant"

ACTIONS_AJOUT = {
    "ajouter_occupant": "occupants",
    "ajouter_colocataire": "colocataires",
    "ajouter_commune": "localisations",
}


def _rendre_saisie(request, saisie, *, demande=None, candidats=None, status=200, mode="creation"):
    resume = saisie.resume_erreurs()
    contexte = {
        "section": "demande",
        "saisie": saisie,
        "demande": demande,
        "mode": mode,
        "resume_erreurs": resume,
        "onglets": saisie.onglets(resume),
        "candidats": candidats,
        "ecartes": {int(v) for v in request.POST.getlist("doublons_ecartes") if v.isdigit()},
    }
    return render(request, "demandes/cycle/saisie.html", contexte, status=status)


def _candidats(request, saisie, demande=None):
    """Demandes qui ressemblent au ménage saisi ; hors territoire, seuls le NU et le guichet sont montrés.

    Recherche plafonnée par agent (``RecherchesTropNombreuses``) ; chaque candidat
    montré, hors territoire compris, a sa ligne au journal des consultations.
    """
    doublons.compter_recherche_doublons(request.user)
    candidats = doublons.candidats_affichables(
        saisie.identites(), request.user, exclure_demande=demande.pk if demande else None
    )
    montrer_demandes(request, [c["demande"] for c in candidats], action=Consultation.Action.CONSULTATION)
    return candidats


def _jetons_candidats(candidats) -> set[str]:
    return {c["jeton"] for c in candidats}


def _traiter_saisie(request, *, demande=None):
    """Création (demande=None), reprise d'un brouillon, ou modification d'une demande active."""
    user = request.user
    brouillon = demande is None or demande.etat == Demande.Etat.BROUILLON
    mode = "creation" if demande is None else ("brouillon" if brouillon else "modification")
    guichets = _guichets_de(user) if brouillon else None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    saisie = SaisieDossier(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        demande=demande,
        guichets=guichets,
        ajout=ACTIONS_AJOUT.get(action),
    )
    if request.method != "POST":
        return _rendre_saisie(request, saisie, demande=demande, mode=mode)
    auteur = Auteur.agent(user)

    if action in ACTIONS_AJOUT or action == ACTION_SUIVANT:
        saisie.masquer_erreurs()
        return _rendre_saisie(request, saisie, demande=demande, mode=mode)

    if action == "doublons":
        try:
            candidats = _candidats(request, saisie, demande)
        except doublons.RecherchesTropNombreuses as exc:
            return _trop_de_recherches(request, saisie, exc, demande=demande, mode=mode)
        saisie.masquer_erreurs_sauf_identite()
        return _rendre_saisie(request, saisie, demande=demande, mode=mode, candidats=candidats)

    valide = saisie.est_valide()
    if action in ACTIONS_ENREGISTRER:
        # Toutes les erreurs en un seul envoi : celles des formulaires et celles des services (dossier
        # complet, guichet, pièce d'identité), contrôlées sur ce qui est déjà lisible de la saisie.
        try:
            services.verifier_saisie(
                saisie.dossier(partiel=not valide),
                action=action,
                guichet=saisie.guichet,
                piece_identite=saisie.piece_identite,
            )
        except ValidationError as erreur:
            saisie.appliquer_erreurs(erreur, nouvelles_seulement=True)
            valide = False
    if not valide:
        return _rendre_saisie(request, saisie, demande=demande, mode=mode, status=422)
    dossier = saisie.dossier()

    try:
        if action == "brouillon" and brouillon:
            d = services.sauver_brouillon(dossier, auteur=auteur, guichet=saisie.guichet)
            messages.success(request, "Brouillon enregistré : la demande n'a pas encore de numéro unique.")
            return redirect("demandes:modifier", d.pk)
        if action == "creer" and brouillon:
            try:
                candidats = _candidats(request, saisie, demande)
            except doublons.RecherchesTropNombreuses as exc:
                return _trop_de_recherches(request, saisie, exc, demande=demande, mode=mode)
            vus = set(request.POST.getlist("doublons_vus"))
            if _jetons_candidats(candidats) - vus:
                messages.warning(
                    request,
                    "Des demandes ressemblent à celle-ci. Vérifiez-les, cochez celles qui ne concernent pas "
                    "ce ménage, puis cliquez à nouveau sur « Créer la demande ».",
                )
                return _rendre_saisie(request, saisie, demande=demande, mode=mode, candidats=candidats)
            ecartes = tuple(int(v) for v in request.POST.getlist("doublons_ecartes") if v.isdigit())
            d = services.enregistrer_demande(
                dossier,
                auteur=auteur,
                guichet=saisie.guichet,
                doublons_ecartes=ecartes,
                piece_identite=saisie.piece_identite,
            )
            messages.success(
                request,
                f"Demande enregistrée : numéro unique {d.numero_unique_affiche} (n° de dossier {d.reference}).",
            )
            return redirect("demandes:detail", d.pk)
        if action == "modifier" and not brouillon:
            changements = services.modifier_demande(dossier, auteur=auteur)
            if changements:
                n = len(changements)
                messages.success(
                    request, f"Demande modifiée : {n} champ{'s' if n > 1 else ''} modifié{'s' if n > 1 else ''}."
                )
            else:
                messages.info(request, "Aucune modification : la demande est inchangée.")
            return redirect("demandes:detail", demande.pk)
    except ValidationError as erreur:
        saisie.appliquer_erreurs(erreur)
        return _rendre_saisie(request, saisie, demande=demande, mode=mode, status=422)
    messages.error(request, "Action inconnue : utilisez les boutons du formulaire.")
    return _rendre_saisie(request, saisie, demande=demande, mode=mode, status=400)


def _trop_de_recherches(request, saisie, exc, *, demande, mode):
    """Plafond des recherches de doublons atteint : la saisie revient intacte, avec le message (429)."""
    messages.error(request, " ".join(exc.messages))
    saisie.masquer_erreurs()
    return _rendre_saisie(request, saisie, demande=demande, mode=mode, status=429)


@agent_requis
@require_GET
def communes_suggerees(request):
    """Suggestions de communes pendant la frappe (fragment htmx : options du combobox de la saisie).

    Données publiques du référentiel : les communes des départements demandés (ceux des guichets de
    l'agent par défaut), par début de nom ou par code postal / INSEE. La valeur choisie reste
    « Nom (code INSEE) », reconnue par ``ReferentielCommunes.trouver`` à l'envoi du formulaire.
    """
    saisie = request.GET.get("q", "")
    for cle, valeur in request.GET.items():
        if cle.endswith("-commune"):
            saisie = valeur
    departements = [d for d in request.GET.get("departements", "").split(",") if d.strip()]
    if not departements:
        departements = sorted({g.commune.departement_id for g in _guichets_de(request.user)})
    referentiel = ReferentielCommunes(departements[:5])
    communes = referentiel.suggestions(saisie)
    cible = re.sub(r"[^\w-]", "", request.headers.get("HX-Target", "suggestions"))
    return render(
        request,
        "demandes/cycle/saisie/_suggestions_communes.html",
        {"communes": communes, "referentiel": referentiel, "saisie": saisie, "cible": cible},
    )


@nominatif_requis
def nouvelle(request):
    if not acces.enregistre(request.user):
        return _saisie_refusee(request)
    return _traiter_saisie(request)


def _demande_modifiable(request, pk):
    """La demande si l'agent peut la modifier ; 404 hors territoire, 403 si lecture seule."""
    return demande_modifiable(request, pk, refus=MESSAGE_LECTURE_SEULE)


@nominatif_requis
def modifier(request, pk):
    # Guichet accompagnateur, ou instructeur bailleur sur une demande active (compléter, corriger).
    demande = demande_instruisible(request, pk, refus=MESSAGE_LECTURE_SEULE)
    if demande.etat not in (Demande.Etat.BROUILLON, Demande.Etat.ACTIVE):
        messages.error(request, f"Une demande {demande.get_etat_display().lower()} ne se modifie pas.")
        return redirect("demandes:detail", pk)
    return _traiter_saisie(request, demande=demande)


# ---------------------------------------------------------------- vie de la demande


@require_POST
@nominatif_requis
def renouveler(request, pk):
    demande = _demande_modifiable(request, pk)
    try:
        demande = services.renouveler_demande(demande, auteur=Auteur.agent(request.user))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Demande renouvelée : valable jusqu'au {demande.date_expiration:%d/%m/%Y}.")
    return redirect("demandes:detail", pk)


@nominatif_requis
def annuler(request, pk):
    demande = _demande_modifiable(request, pk)
    form = AnnulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.annuler_demande(
                demande,
                motif=form.cleaned_data["motif"],
                commentaire=form.cleaned_data["commentaire"],
                auteur=Auteur.agent(request.user),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Demande annulée.")
            return redirect("demandes:detail", pk)
    statut = 422 if request.method == "POST" else 200
    return render(request, "demandes/cycle/action.html", _contexte_action(demande, form, "annuler"), status=statut)


@nominatif_requis
def reactiver(request, pk):
    demande = _demande_modifiable(request, pk)
    possible, raison = services.reactivation_possible(demande)
    form = ReactivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reactiver_demande(demande, motif=form.cleaned_data["motif"], auteur=Auteur.agent(request.user))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Demande réactivée.")
            return redirect("demandes:detail", pk)
    contexte = _contexte_action(demande, form, "reactiver")
    contexte["impossible"] = "" if possible else raison
    statut = 422 if request.method == "POST" else 200
    return render(request, "demandes/cycle/action.html", contexte, status=statut)


@require_POST
@nominatif_requis
def supprimer(request, pk):
    demande = _demande_modifiable(request, pk)
    try:
        services.supprimer_brouillon(demande)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("demandes:detail", pk)
    messages.success(request, "Brouillon supprimé.")
    return redirect("demandes:liste")


LIBELLES_ACTIONS = {
    "annuler": {
        "verbe": "Annuler",
        "nom": "Annulation",
        "bouton": "Confirmer l'annulation",
        "explication": "Un guichet radie une demande sur la renonciation écrite du demandeur (CCH R441-2-8 b). "
        "Sans réponse du demandeur à un courrier, envoyez un avertissement : la demande sera radiée un mois "
        "plus tard s'il ne répond pas.",
    },
    "reactiver": {"verbe": "Réactiver", "nom": "Réactivation", "bouton": "Confirmer la réactivation"},
    "avertir": {
        "verbe": "Avertir avant radiation",
        "nom": "Avertissement",
        "bouton": "Envoyer l'avertissement",
        "explication": "Le demandeur n'a pas répondu à un courrier envoyé à sa dernière adresse : la lettre "
        "d'avertissement part avec le lot du jour (lettre recommandée avec accusé de réception). Sans réponse "
        "dans un mois, la demande est radiée automatiquement (CCH R441-2-8 c) ; sa réponse ou toute mise à "
        "jour de la demande arrête la radiation.",
    },
    "repondre": {
        "verbe": "Enregistrer la réponse à l'avertissement pour",
        "nom": "Réponse à l'avertissement",
        "bouton": "Enregistrer la réponse",
        "explication": "La radiation annoncée par l'avertissement n'aura pas lieu.",
    },
}


def _contexte_action(demande, form, action):
    return {
        "section": "demande",
        "demande": demande,
        "form": form,
        "action": action,
        "libelles": LIBELLES_ACTIONS[action],
    }


@nominatif_requis
def avertir(request, pk):
    demande = _demande_modifiable(request, pk)
    form = AvertissementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demande = services.avertir_demande(
                demande, precisions=form.cleaned_data["precisions"], auteur=Auteur.agent(request.user)
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                "Avertissement enregistré : la lettre part avec le lot du jour ; sans réponse, la demande sera "
                f"radiée le {services.radiation_prevue_le(demande):%d/%m/%Y}.",
            )
            return redirect("demandes:detail", pk)
    statut = 422 if request.method == "POST" else 200
    return render(request, "demandes/cycle/action.html", _contexte_action(demande, form, "avertir"), status=statut)


@nominatif_requis
def repondre(request, pk):
    demande = _demande_modifiable(request, pk)
    form = ReponseAvertissementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enregistrer_reponse(
                demande, precisions=form.cleaned_data["precisions"], auteur=Auteur.agent(request.user)
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Réponse enregistrée : la demande ne sera pas radiée.")
            return redirect("demandes:detail", pk)
    statut = 422 if request.method == "POST" else 200
    return render(request, "demandes/cycle/action.html", _contexte_action(demande, form, "repondre"), status=statut)
