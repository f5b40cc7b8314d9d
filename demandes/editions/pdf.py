"""Éditions du dossier de la demande : fiche de synthèse et attestation d'enregistrement.

``donnees_fiche`` construit une fois le contexte de la fiche de synthèse
(seed 000 « Synthèse de la demande ») ; l'écran (``demandes/fiche/views.py``)
et le PDF l'utilisent tous deux, avec les mêmes gabarits de blocs
(``templates/demandes/fiche/``) : ce que l'agent voit est ce qu'il imprime.

Rendu par WeasyPrint, sans aucune ressource externe : ``RecuperateurStatique``
ne sert que les fichiers statiques du projet (feuille ``css/editions.css``) et
refuse toute autre adresse ; les polices sont celles du système (DejaVu Sans,
docs/decisions.md). Les vues (écran et API) vérifient l'accès
(``Demande.objects.visibles_par``) et journalisent le téléchargement.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from demandes.dossier import calculs, choix
from demandes.dossier.models import Demande, Evenement
from demandes.dossier.saisie import charger_dossier, parametre, renouvelable_a_partir_du
from demandes.doublons import services as doublons
from demandes.editions import blocs
from demandes.labels import services as labels
from fdls.socle.pdf import rendre_pdf

TITULAIRES = (choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR)

#: Nombre d'événements de l'historique repris dans la fiche PDF (les plus récents).
TAILLE_EXTRAIT_HISTORIQUE = 15


SELECT_EDITION = ("guichet__organisme", "guichet__commune", "organisme_saisie", "bailleur_actuel", "departement")


class EditionImpossible(Exception):
    """L'édition demandée n'existe pas pour cette demande (message en français pour l'agent)."""


# ---------------------------------------------------------------- contexte partagé écran / PDF


def _tableau_ressources(personnes_saisies) -> dict | None:
    """Revenus mensuels par type (lignes) et par personne (colonnes), avec totaux."""
    personnes = [s for s in personnes_saisies if s.ressources]
    if not personnes:
        return None
    types = [t for t in choix.TypeRessource if any(r.type == t for s in personnes for r in s.ressources)]
    lignes = []
    for t in types:
        montants = [next((r.montant for r in s.ressources if r.type == t), None) for s in personnes]
        lignes.append({"libelle": t.label, "montants": montants, "total": sum(m for m in montants if m)})
    totaux = [sum(r.montant for r in s.ressources) for s in personnes]
    return {"personnes": [s.personne for s in personnes], "lignes": lignes, "totaux": totaux, "total": sum(totaux)}


def nombre_refus(demande: Demande) -> int:
    """Refus de propositions de logement inscrits à l'historique du dossier (demandes fusionnées comprises) :
    avant la CAL (« refus_proposition ») ou d'un logement attribué en CAL (« refus_attribution »)."""
    return (
        Evenement.objects.filter(
            demande_id__in=doublons.demandes_du_dossier(demande),
            type__in=[Evenement.Type.REFUS_PROPOSITION, Evenement.Type.REFUS_ATTRIBUTION],
        )
        .order_by()
        .count()
    )


def donnees_fiche(demande: Demande, *, le: date | None = None) -> dict:
    """Contexte de la fiche de synthèse, le même pour l'écran et le PDF.

    Ménage (demandeur, co-demandeur, autres personnes avec leur âge),
    ressources par type et par personne, valeurs dérivées (``calculs.synthese``),
    nombre de refus, libellés du logement recherché, labels en cours
    (priorités, éligibilités, contingents). Les blocs de l'instruction (``instruction``) : ``None`` à
    l'écran, où la fiche les charge par htmx depuis l'instruction ; lus par ``contexte_synthese`` pour le PDF.
    """
    le = le or timezone.localdate()
    dossier = charger_dossier(demande)
    personnes = [s.personne for s in dossier.personnes]
    for p in personnes:
        p.age = calculs.age(p.date_naissance, le) if p.date_naissance else None
    return {
        "demande": demande,
        "dossier": dossier,
        "personnes": personnes,
        "demandeur": dossier.demandeur,
        "codemandeur": next((p for p in personnes if p.role == choix.Role.CODEMANDEUR), None),
        "autres": [p for p in personnes if p.role not in TITULAIRES],
        "ressources": _tableau_ressources(dossier.personnes),
        "localisations": dossier.localisations,
        "motifs_libelles": [choix.Motif(m).label for m in demande.motifs if m in choix.Motif.values],
        "typologies_libelles": [choix.Typologie(t).label for t in demande.typologies if t in choix.Typologie.values],
        "synthese": calculs.synthese(dossier, le),
        "nombre_refus": nombre_refus(demande),
        "labels_actifs": labels.labels_de(demande)["actifs"] if demande.pk else [],
        "instruction": None,
    }


def extrait_historique(demande: Demande, limite: int = TAILLE_EXTRAIT_HISTORIQUE) -> tuple[list, int]:
    """Les ``limite`` événements les plus récents du dossier et le nombre total d'événements."""
    evenements = doublons.evenements_du_dossier(demande)
    extrait = list(evenements[:limite])
    total = len(extrait) if len(extrait) < limite else evenements.count()
    return extrait, total


def _entete(user, maintenant) -> dict:
    organisme = getattr(user, "organisme", None)
    return {
        "edite_le": maintenant,
        "edite_par": user.get_full_name() if getattr(user, "pk", None) else "",
        "organisme_editeur": organisme.nom if organisme else "",
    }


def contexte_synthese(demande: Demande, *, user, maintenant=None) -> dict:
    """Contexte complet de la fiche de synthèse imprimable."""
    maintenant = timezone.localtime(maintenant)
    evenements, total = extrait_historique(demande)
    return {
        **donnees_fiche(demande, le=maintenant.date()),
        **_entete(user, maintenant),
        # Contacts, positionnements, propositions et visites : registre rempli par l'instruction (blocs.py).
        "instruction": blocs.instruction_de(demande),
        "titre_document": "Synthèse de la demande",
        "evenements": evenements,
        "evenements_total": total,
    }


def contexte_attestation(demande: Demande, *, user, maintenant=None) -> dict:
    """Contexte de l'attestation d'enregistrement ; ``EditionImpossible`` pour un brouillon."""
    # Brouillon, demande en ligne pas encore validée ou rejetée : pas de numéro unique, pas d'attestation.
    if demande.etat == Demande.Etat.ANNULEE:
        raise EditionImpossible(
            "Cette demande est annulée : elle n'a plus d'attestation d'enregistrement. Réactivez-la d'abord "
            "si le délai le permet."
        )
    if demande.etat == Demande.Etat.BROUILLON or not demande.numero_unique:
        raise EditionImpossible(
            "L'attestation d'enregistrement n'existe que pour une demande enregistrée : cette demande "
            f"({demande.get_etat_display().lower()}) n'a pas de numéro unique. Enregistrez-la (ou validez la "
            "demande en ligne) pour pouvoir éditer l'attestation."
        )
    maintenant = timezone.localtime(maintenant)
    dossier = charger_dossier(demande)
    personnes = [s.personne for s in dossier.personnes]
    depart_validite = demande.date_renouvellement or demande.date_depot
    validite = parametre("validite_demande", depart_validite)
    preavis = parametre("preavis_renouvellement", depart_validite)
    return {
        **_entete(user, maintenant),
        "titre_document": "Attestation d'enregistrement",
        "demande": demande,
        "guichet": demande.guichet,
        "demandeur": dossier.demandeur,
        "codemandeur": next((p for p in personnes if p.role == choix.Role.CODEMANDEUR), None),
        "localisations": dossier.localisations,
        "depart_validite": depart_validite,
        "validite_mois": validite,
        "preavis_mois": preavis,
        "renouveler_a_partir_du": renouvelable_a_partir_du(demande),
        "active": demande.etat == Demande.Etat.ACTIVE,
    }


def attestation_possible(demande: Demande) -> bool:
    """L'attestation s'édite pour une demande enregistrée (numéro unique) qui n'est pas annulée."""
    return bool(demande.numero_unique) and demande.etat not in (Demande.Etat.BROUILLON, Demande.Etat.ANNULEE)


def pdf_synthese(demande: Demande, *, user, maintenant=None) -> bytes:
    return rendre_pdf("demandes/editions/synthese.html", contexte_synthese(demande, user=user, maintenant=maintenant))


def pdf_attestation(demande: Demande, *, user, maintenant=None) -> bytes:
    return rendre_pdf(
        "demandes/editions/attestation.html", contexte_attestation(demande, user=user, maintenant=maintenant)
    )


def nom_fichier(demande: Demande, edition: str) -> str:
    """``attestation-044051400008110865.pdf`` ; un brouillon est désigné par son identifiant interne."""
    return f"{edition}-{demande.numero_unique or f'brouillon-{demande.pk}'}.pdf"


EDITIONS = {"synthese": pdf_synthese, "attestation": pdf_attestation}
