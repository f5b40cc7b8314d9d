"""La fiche d'une demande : synthèse, ménage, situation, logement, compléments, pièces, cotation, historique.

Écran qui réunit les blocs des fonctionnalités : le contexte de la fiche de
synthèse est celui du PDF (``editions.pdf.donnees_fiche``), les labels et les
pièces se rendent par leurs étiquettes (``demandes/templatetags/``),
l'onglet « Cotation » se charge par htmx depuis l'application cotation, les
actions du cycle de vie sont proposées selon la table des transitions. Chaque
affichage est inscrit au journal des consultations.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.shortcuts import render
from django.utils import timezone

from demandes.cycle import services
from demandes.cycle.forms import AnnulationForm, ReactivationForm
from demandes.dossier.models import Demande
from demandes.dossier.saisie import renouvelable_a_partir_du
from demandes.dossier.vues import demande_visible, nominatif_requis
from demandes.dossier.workflow import transitions_possibles
from demandes.doublons import services as doublons
from demandes.editions import pdf as editions
from demandes.fiche.forms import PeriodeHistoriqueForm
from demandes.liste import navigation
from fdls.audit.services import ENTETE_OUVERTURE, jeton_ouverture
from fdls.socle.dates import ajouter_mois


def _historique(demande, du, au):
    """Événements du dossier (et des demandes qui y ont été fusionnées) sur la période, jours inclus."""
    debut = timezone.make_aware(datetime.combine(du, time.min))
    fin = timezone.make_aware(datetime.combine(au + timedelta(days=1), time.min))
    return doublons.evenements_du_dossier(demande).filter(date__gte=debut, date__lt=fin)


@nominatif_requis
def detail(request, pk):
    # 404 aussi pour une demande hors du territoire : on ne révèle pas qu'elle existe.
    demande = demande_visible(
        request, pk, "guichet__organisme", "guichet__commune", "organisme_saisie", "bailleur_actuel", "departement"
    )

    aujourd_hui = timezone.localdate()
    periode = PeriodeHistoriqueForm(
        request.GET if ("du" in request.GET or "au" in request.GET) else None,
        initial={"du": ajouter_mois(aujourd_hui, -12), "au": aujourd_hui},
    )
    du, au = ajouter_mois(aujourd_hui, -12), aujourd_hui
    if periode.is_bound and periode.is_valid():
        du = periode.cleaned_data["du"] or timezone.localdate(demande.created_at)
        au = periode.cleaned_data["au"] or aujourd_hui

    modifiable = Demande.objects.modifiables_par(request.user).filter(pk=pk).exists()
    # Instructeur bailleur : complète, corrige et ajoute les pièces d'une demande active ; rien de plus.
    instruisible = modifiable or Demande.objects.instruisibles_par(request.user).filter(pk=pk).exists()
    possibles = transitions_possibles(demande)
    reactivable, raison_reactivation = services.reactivation_possible(demande)
    renouvelable_le = renouvelable_a_partir_du(demande)
    contexte = {
        # Mêmes données que la fiche de synthèse PDF (demandes/editions/pdf.py).
        **editions.donnees_fiche(demande, le=aujourd_hui),
        "section": "demande",
        "evenements": _historique(demande, du, au),
        "periode": periode,
        "periode_du": du,
        "periode_au": au,
        "modifiable": modifiable,
        "instruisible": instruisible,
        "peut_modifier": instruisible and demande.etat in (Demande.Etat.BROUILLON, Demande.Etat.ACTIVE),
        "peut_renouveler": modifiable
        and "renouveler" in possibles
        and renouvelable_le is not None
        and renouvelable_le <= aujourd_hui,
        "renouvelable_le": renouvelable_le if "renouveler" in possibles else None,
        "attestation_possible": editions.attestation_possible(demande),
        "peut_annuler": modifiable and "annuler" in possibles,
        "peut_reactiver": modifiable and reactivable,
        "raison_reactivation": raison_reactivation if demande.etat == Demande.Etat.ANNULEE else "",
        "peut_supprimer": modifiable and demande.etat == Demande.Etat.BROUILLON,
        "form_annulation": AnnulationForm(),
        "form_reactivation": ReactivationForm(),
        "radiation_prevue_le": services.radiation_prevue_le(demande),
        # Ouverte depuis la liste : retour avec les critères, demandes précédente et suivante.
        "navigation": navigation.navigation_fiche(request, pk),
        # Les fragments de la fiche (onglet « Cotation ») n'ajoutent pas de ligne au journal : une par ouverture.
        "entete_ouverture": ENTETE_OUVERTURE,
        "jeton_ouverture": jeton_ouverture(request.user, demande),
    }
    return render(request, "demandes/fiche/detail.html", contexte)
