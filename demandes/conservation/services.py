"""Conservation limitée des données personnelles des demandes radiées (RGPD, docs/decisions.md session 8).

Une demande radiée (annulée, satisfaite) ou rejetée depuis plus que la durée
de conservation (``ParametreReglementaire`` ``conservation_apres_radiation``,
en mois ; **12 par défaut**) est purgée par le traitement planifié
``demandes/relances/traitements.py`` (job « conservation ») :

- les fichiers des pièces sont effacés et leurs lignes supprimées ;
- les identités sont anonymisées : noms et prénoms remplacés, coordonnées,
  employeurs, commentaires effacés, date de naissance ramenée au 1er janvier
  de l'année, clés de doublons supprimées, compte du demandeur détaché ;
- l'historique est gardé sans les noms : les noms et prénoms du ménage sont
  masqués dans les précisions, les valeurs des champs modifiés retirées
  (``anonymisation_sql``) ;
- ce qui sert aux statistiques reste : état, dates, guichet, communes
  souhaitées, composition, ressources, motifs, typologies, motif de radiation ;
- la purge est journalisée : événement « Données personnelles effacées » et
  ``Demande.purgee_le`` ; une demande purgée ne l'est pas deux fois.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from demandes.conservation.anonymisation_sql import autoriser_anonymisation_historique
from demandes.dossier.models import CleIdentite, Demande, Evenement, Personne
from demandes.dossier.saisie import parametre
from demandes.dossier.workflow import ecrire_evenement
from demandes.pieces import services as pieces
from demandes.pieces.models import Piece
from fdls.socle.dates import ajouter_mois
from fdls.socle.typographie import pluriel
from fdls.socle.workflow import AUTOMATE

logger = logging.getLogger(__name__)

Etat = Demande.Etat

PARAMETRE_CONSERVATION = "conservation_apres_radiation"
#: Durée de conservation par défaut après la radiation (mois), faute de paramètre réglementaire en vigueur.
CONSERVATION_DEFAUT_MOIS = 12
ETATS_RADIES = (Etat.ANNULEE, Etat.SATISFAITE, Etat.REJETEE)
NOM_ANONYME = "ANONYME"
MASQUE = "***"

CHAMPS_DEMANDE_EFFACES = (
    "adresse_numero",
    "adresse_voie",
    "adresse_complement",
    "telephone",
    "telephone_portable",
    "email",
    "complement",
    "motif_precision",
    "commentaire_annulation",
)
CHAMPS_PERSONNE_EFFACES = (
    "nom_naissance",
    "telephone",
    "email",
    "profession",
    "employeur",
    "employeur_siret",
    "employeur_adresse",
)


def duree_conservation(le: date) -> int:
    try:
        return parametre(PARAMETRE_CONSERVATION, le)
    except ValidationError:
        return CONSERVATION_DEFAUT_MOIS


def limite_conservation(le: date) -> date:
    """Les demandes radiées avant cette date ont dépassé la durée de conservation le ``le``."""
    return ajouter_mois(le, -duree_conservation(le))


def demandes_a_purger(le: date | None = None):
    le = le or timezone.localdate()
    return Demande.objects.filter(
        etat__in=ETATS_RADIES, purgee_le__isnull=True, date_fin__isnull=False, date_fin__lt=limite_conservation(le)
    )


def _masquer(texte: str, noms: list[str]) -> str:
    for nom in noms:
        texte = re.sub(re.escape(nom), MASQUE, texte, flags=re.IGNORECASE)
    return texte


def _details_sans_noms(valeur, noms: list[str]):
    if isinstance(valeur, dict):
        if {"ancien", "nouveau"} <= valeur.keys():
            return {k: v for k, v in valeur.items() if k not in ("ancien", "nouveau")}
        return {k: _details_sans_noms(v, noms) for k, v in valeur.items()}
    if isinstance(valeur, list):
        return [_details_sans_noms(v, noms) for v in valeur]
    if isinstance(valeur, str):
        return _masquer(valeur, noms)
    return valeur


def _noms_connus(demande, personnes, evenements) -> set[str]:
    """Noms et prénoms du ménage, actuels et passés (valeurs des noms modifiés dans l'historique)."""
    noms = {demande.nom, demande.prenom}
    for p in personnes:
        noms |= {p.nom, p.prenom, p.nom_naissance}
    for e in evenements:
        for changement in (e.details or {}).get("changements", []) if isinstance(e.details, dict) else []:
            champ = str(changement.get("champ", "")).lower()
            if "nom" in champ or "prénom" in champ:
                noms |= {str(changement.get("ancien") or ""), str(changement.get("nouveau") or "")}
    return {n for n in noms if n and n != "—"}


@transaction.atomic
def purger_demande(demande: Demande, *, le: date | None = None) -> bool:
    """Efface les données personnelles d'une demande radiée au-delà de la conservation ; ``False`` si rien à faire."""
    le = le or timezone.localdate()
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if (
        demande.purgee_le
        or demande.etat not in ETATS_RADIES
        or not demande.date_fin
        or demande.date_fin >= limite_conservation(le)
    ):
        return False
    personnes = list(Personne.objects.filter(demande=demande))
    evenements = list(Evenement.objects.filter(demande=demande))
    noms = sorted(
        {n.strip() for n in _noms_connus(demande, personnes, evenements) if len(n.strip()) >= 2},
        key=len,
        reverse=True,
    )

    # Pièces : lignes supprimées ici, fichiers effacés au commit (rien d'effacé si la purge est annulée).
    chemins = list(Piece.objects.filter(demande=demande).values_list("chemin", flat=True))
    Piece.objects.filter(demande=demande).delete()
    transaction.on_commit(lambda: [pieces.effacer_fichier(chemin) for chemin in chemins])

    # Identités.
    for p in personnes:
        p.nom = NOM_ANONYME
        p.prenom = MASQUE
        for champ in CHAMPS_PERSONNE_EFFACES:
            setattr(p, champ, "")
        p.date_naissance = date(p.date_naissance.year, 1, 1)
    Personne.objects.bulk_update(personnes, ["nom", "prenom", "date_naissance", *CHAMPS_PERSONNE_EFFACES])
    CleIdentite.objects.filter(demande=demande).delete()
    demande.nom = NOM_ANONYME
    demande.prenom = MASQUE
    for champ in CHAMPS_DEMANDE_EFFACES:
        setattr(demande, champ, "")
    demande.date_naissance = date(demande.date_naissance.year, 1, 1)
    demande.compte_demandeur = None
    demande.purgee_le = timezone.now()
    demande.save(
        update_fields=[
            "nom",
            "prenom",
            "date_naissance",
            "compte_demandeur",
            "purgee_le",
            "updated_at",
            *CHAMPS_DEMANDE_EFFACES,
        ]
    )
    demande.relances.update(destinataire="")

    # Historique gardé, sans les noms.
    autoriser_anonymisation_historique()
    for e in evenements:
        e.precisions = _masquer(e.precisions, noms)
        e.details = _details_sans_noms(e.details, noms)
    Evenement.objects.bulk_update(evenements, ["precisions", "details"])

    ecrire_evenement(
        demande,
        Evenement.Type.PURGE,
        AUTOMATE,
        precisions=(
            f"Radiée le {demande.date_fin:%d/%m/%Y}, conservation de {duree_conservation(le)} mois écoulée : "
            f"{pluriel(len(chemins), 'pièce effacée', 'pièces effacées')}, "
            f"{pluriel(len(personnes), 'personne anonymisée', 'personnes anonymisées')}"
        ),
        details={"pieces_effacees": len(chemins), "personnes_anonymisees": len(personnes), "jour": le.isoformat()},
        etat_avant=demande.etat,
        etat_apres=demande.etat,
    )
    logger.info("Conservation : demande %s purgée (%s pièces)", demande.pk, len(chemins))
    return True
