"""Écrans des demandes pour les agents : liste, exports, saisie, vie de la demande, fiche.

Tout passe par ``Demande.objects.visibles_par(user)`` (lecture) ou
``modifiables_par(user)`` (écriture), politique d'accès de fdls/acces.py
(CCH R441-2-6) ; chaque affichage de fiche et chaque export est inscrit au
journal des consultations. Les écritures passent par ``demandes.services``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from demandes import choix, doublons, editions, exports, services
from demandes.filters import DemandeFilter
from demandes.forms import AnnulationForm, PeriodeHistoriqueForm, ReactivationForm, SaisieDossier
from demandes.models import Demande, LocalisationSouhaitee, Personne
from demandes.recherche import ResultatRecherche
from demandes.workflow import transitions_possibles
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.organismes.models import Guichet
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import agent_requis, liste_filtree
from fdls.socle.workflow import Auteur

TITULAIRES = [choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR]


def _acces_refuse(request):
    """Un agent sans rôle nominatif (observateur) : 403 qui explique la règle d'accès."""
    return render(request, "demandes/acces_refuse.html", {"section": "demande"}, status=403)


def _saisie_refusee(request):
    return render(request, "demandes/saisie_refusee.html", {"section": "demande"}, status=403)


def nominatif_requis(vue):
    """Agent avec un rôle nominatif (CCH R441-2-6) ; sinon une page 403 qui explique la règle."""

    @agent_requis
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_nominatif(request.user):
            return _acces_refuse(request)
        return vue(request, *args, **kwargs)

    enveloppe.__name__ = vue.__name__
    enveloppe.__doc__ = vue.__doc__
    return never_cache(enveloppe)


# ---------------------------------------------------------------- liste et exports


def _demandes_pour_liste(user):
    premiere_commune = LocalisationSouhaitee.objects.filter(demande=OuterRef("pk"), rang=1).values("commune__nom")[:1]
    titulaires = Personne.objects.filter(role__in=TITULAIRES).only(
        "demande_id", "role", "nom", "prenom", "date_naissance", "situation_familiale"
    )
    return (
        Demande.objects.visibles_par(user)
        .select_related("guichet")
        .annotate(premiere_commune=Subquery(premiere_commune))
        .prefetch_related(Prefetch("personnes", queryset=titulaires, to_attr="titulaires"))
        .order_by("-date_depot", "-id")
    )


def _tri_affiche(filtre) -> str:
    if not filtre.is_valid():
        return ""
    criteres = filtre.criteres()
    if criteres.par_nom:
        return "par ordre alphabétique"
    if criteres.par_echeance:
        return "par date de renouvellement"
    return "du dépôt le plus récent au plus ancien"


@nominatif_requis
def liste(request):
    # La page lit la table de recherche (demandes/recherche.py) ; le queryset
    # du filtre ne sert qu'à charger les 50 demandes de la page.
    user = request.user
    filtre = DemandeFilter(request.GET, queryset=_demandes_pour_liste(user), request=request)
    return liste_filtree(
        request,
        filtre,
        "demandes/liste.html",
        {
            "section": "demande",
            "peut_enregistrer": acces.enregistre(request.user),
            "plafond_export": exports.PLAFOND,
            "criteres": request.GET.urlencode(),
            "tri": _tri_affiche(filtre),
        },
        resultats=lambda: ResultatRecherche(
            user, filtre.criteres(), lambda ids: _demandes_pour_liste(user).filter(pk__in=ids)
        ),
    )


@nominatif_requis
def exporter(request, format):
    filtre = DemandeFilter(request.GET, queryset=_demandes_pour_liste(request.user), request=request)
    retour = f"{reverse('demandes:liste')}?{request.GET.urlencode()}"
    if not filtre.is_valid():
        messages.error(request, "Corrigez les critères de recherche avant d'exporter.")
        return HttpResponseRedirect(retour)
    queryset = filtre.qs
    nombre = queryset.count()
    if nombre > exports.PLAFOND:
        messages.error(
            request,
            f"{nombre:,} demandes correspondent à ces critères : l'export est limité à "
            f"{exports.PLAFOND:,} lignes. Affinez la recherche (état, dates, guichet…).".replace(",", "\u202f"),
        )
        return HttpResponseRedirect(retour)
    exports.journaliser(queryset, user=request.user, request=request)
    return exports.reponse_csv(queryset) if format == "csv" else exports.reponse_xlsx(queryset)


# ---------------------------------------------------------------- saisie


def _guichets_de(user):
    return list(
        Guichet.objects.filter(organisme_id=user.organisme_id, type=Guichet.Type.ACCOMPAGNATEUR, actif=True)
        .select_related("commune")
        .order_by("nom")
    )


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
    return render(request, "demandes/saisie.html", contexte, status=status)


def _candidats(request, saisie, demande=None):
    """Demandes qui ressemblent au ménage saisi ; hors territoire, seuls le NU et le guichet sont montrés."""
    return doublons.candidats_affichables(
        saisie.identites(), request.user, exclure_demande=demande.pk if demande else None
    )


def _ids_candidats(candidats) -> set[int]:
    return {c["demande"].pk for c in candidats}


def _traiter_saisie(request, *, demande=None):
    """Création (demande=None), reprise d'un brouillon, ou modification d'une demande active."""
    user = request.user
    brouillon = demande is None or demande.etat == Demande.Etat.BROUILLON
    mode = "creation" if demande is None else ("brouillon" if brouillon else "modification")
    guichets = _guichets_de(user) if brouillon else None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    saisie = SaisieDossier(
        request.POST if request.method == "POST" else None,
        demande=demande,
        guichets=guichets,
        ajout=ACTIONS_AJOUT.get(action),
    )
    if request.method != "POST":
        return _rendre_saisie(request, saisie, demande=demande, mode=mode)
    auteur = Auteur.agent(user)

    if action in ACTIONS_AJOUT:
        saisie.masquer_erreurs()
        return _rendre_saisie(request, saisie, demande=demande, mode=mode)

    if action == "doublons":
        candidats = _candidats(request, saisie, demande)
        saisie.masquer_erreurs_sauf_identite()
        return _rendre_saisie(request, saisie, demande=demande, mode=mode, candidats=candidats)

    if not saisie.est_valide():
        return _rendre_saisie(request, saisie, demande=demande, mode=mode, status=422)
    dossier = saisie.dossier()

    try:
        if action == "brouillon" and brouillon:
            d = services.sauver_brouillon(dossier, auteur=auteur, guichet=saisie.guichet)
            messages.success(request, "Brouillon enregistré : la demande n'a pas encore de numéro unique.")
            return redirect("demandes:modifier", d.pk)
        if action == "creer" and brouillon:
            candidats = _candidats(request, saisie, demande)
            vus = {int(v) for v in request.POST.getlist("doublons_vus") if v.isdigit()}
            if _ids_candidats(candidats) - vus:
                messages.warning(
                    request,
                    "Des demandes ressemblent à celle-ci. Vérifiez-les, cochez celles qui ne concernent pas "
                    "ce ménage, puis cliquez à nouveau sur « Créer la demande ».",
                )
                return _rendre_saisie(request, saisie, demande=demande, mode=mode, candidats=candidats)
            ecartes = tuple(int(v) for v in request.POST.getlist("doublons_ecartes") if v.isdigit())
            d = services.enregistrer_demande(dossier, auteur=auteur, guichet=saisie.guichet, doublons_ecartes=ecartes)
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


@nominatif_requis
def nouvelle(request):
    if not acces.enregistre(request.user):
        return _saisie_refusee(request)
    return _traiter_saisie(request)


def _demande_modifiable(request, pk):
    """La demande si l'agent peut la modifier ; 404 hors territoire, 403 si lecture seule."""
    demande = get_object_or_404(Demande.objects.visibles_par(request.user), pk=pk)
    if not Demande.objects.modifiables_par(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Votre organisme consulte cette demande mais ne peut pas la modifier.")
    return demande


@nominatif_requis
def modifier(request, pk):
    demande = _demande_modifiable(request, pk)
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
    return render(request, "demandes/action.html", _contexte_action(demande, form, "annuler"), status=statut)


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
    return render(request, "demandes/action.html", contexte, status=statut)


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


def _contexte_action(demande, form, action):
    return {"section": "demande", "demande": demande, "form": form, "action": action}


# ---------------------------------------------------------------- fiche


def _historique(demande, du, au):
    """Événements du dossier (et des demandes qui y ont été fusionnées) sur la période, jours inclus."""
    debut = timezone.make_aware(datetime.combine(du, time.min))
    fin = timezone.make_aware(datetime.combine(au + timedelta(days=1), time.min))
    return doublons.evenements_du_dossier(demande).filter(date__gte=debut, date__lt=fin)


@nominatif_requis
def detail(request, pk):
    # 404 aussi pour une demande hors du territoire : on ne révèle pas qu'elle existe.
    demande = get_object_or_404(
        Demande.objects.visibles_par(request.user).select_related(
            "guichet__organisme", "guichet__commune", "organisme_saisie", "bailleur_actuel", "departement"
        ),
        pk=pk,
    )
    journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.CONSULTATION, request=request)

    aujourd_hui = timezone.localdate()
    periode = PeriodeHistoriqueForm(
        request.GET if ("du" in request.GET or "au" in request.GET) else None,
        initial={"du": aujourd_hui - relativedelta(months=12), "au": aujourd_hui},
    )
    du, au = aujourd_hui - relativedelta(months=12), aujourd_hui
    if periode.is_bound and periode.is_valid():
        du = periode.cleaned_data["du"] or demande.created_at.date()
        au = periode.cleaned_data["au"] or aujourd_hui

    modifiable = Demande.objects.modifiables_par(request.user).filter(pk=pk).exists()
    possibles = transitions_possibles(demande)
    reactivable, raison_reactivation = services.reactivation_possible(demande)
    contexte = {
        # Mêmes données que la fiche de synthèse PDF (demandes/editions.py).
        **editions.donnees_fiche(demande, le=aujourd_hui),
        "section": "demande",
        "evenements": _historique(demande, du, au),
        "periode": periode,
        "periode_du": du,
        "periode_au": au,
        "modifiable": modifiable,
        "peut_modifier": modifiable and demande.etat in (Demande.Etat.BROUILLON, Demande.Etat.ACTIVE),
        "peut_renouveler": modifiable and "renouveler" in possibles,
        "peut_annuler": modifiable and "annuler" in possibles,
        "peut_reactiver": modifiable and reactivable,
        "raison_reactivation": raison_reactivation if demande.etat == Demande.Etat.ANNULEE else "",
        "peut_supprimer": modifiable and demande.etat == Demande.Etat.BROUILLON,
        "form_annulation": AnnulationForm(),
        "form_reactivation": ReactivationForm(),
    }
    return render(request, "demandes/detail.html", contexte)
