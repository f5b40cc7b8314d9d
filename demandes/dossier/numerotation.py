"""Numéro unique (NU) et référence interne du dossier.

Format du NU (domain.md §1, exemples des seeds ``044051400008110865``) :
18 chiffres = département (3, complété de zéros) + mois (2) + année (2) du
dépôt initial + séquence (6) + code du guichet d'enregistrement (5).
Référence interne (« N° IW », ``2014050081``) : année (4) + mois (2) +
séquence du mois sur au moins 4 chiffres.

Les séquences sont tirées en base par ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` dans la transaction de l'enregistrement : la ligne du compteur
reste verrouillée jusqu'au commit, deux guichets simultanés s'attendent
quelques millisecondes, et un enregistrement annulé (rollback) rend son
numéro. Aucun doublon, aucun trou dans une séquence.

``analyser_numero_unique`` est la seule fonction qui lit un NU saisi :
formulaires de recherche, API, import.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from demandes.dossier.numerotation_sql import tirer_sequence
from fdls.socle.typographie import formater_nu

MESSAGE_FORMAT = "Le numéro unique compte 18 chiffres (ex. 044 0514 000081 10865)."


@dataclass(frozen=True)
class NumeroUnique:
    departement: str
    mois: int
    annee: int  # sur 4 chiffres
    sequence: int
    guichet: str

    @property
    def valeur(self) -> str:
        return f"{self.departement}{self.mois:02d}{self.annee % 100:02d}{self.sequence:06d}{self.guichet}"

    def __str__(self):
        return self.valeur


def analyser_numero_unique(saisie: str) -> NumeroUnique:
    """Lit un NU tapé (espaces, points, tirets tolérés) ; ``ValidationError`` en français sinon."""
    texte = re.sub(r"[\s.\-/]", "", saisie or "")
    if not re.fullmatch(r"\d{18}", texte):
        raise ValidationError(MESSAGE_FORMAT, code="format")
    mois = int(texte[3:5])
    if not 1 <= mois <= 12:
        raise ValidationError(
            f"Le numéro unique {texte} est invalide : le mois de dépôt ({texte[3:5]}) n'existe pas.", code="mois"
        )
    sequence = int(texte[7:13])
    if sequence == 0:
        raise ValidationError(f"Le numéro unique {texte} est invalide : séquence 000000.", code="sequence")
    annee_courte = int(texte[5:7])
    # Le fichier partagé naît en 2011 (SNE) ; 2000–2099 couvre tous les dépôts.
    return NumeroUnique(
        departement=texte[:3], mois=mois, annee=2000 + annee_courte, sequence=sequence, guichet=texte[13:]
    )


def normaliser_numero_unique(saisie: str) -> str:
    return analyser_numero_unique(saisie).valeur


def formater_numero_unique(valeur: str) -> str:
    """``044051400008110865`` → ``044 0514 000081 10865`` (lecture au téléphone) : ``fdls.socle.typographie``."""
    return formater_nu(valeur)


def attribuer_numero_unique(*, departement: str, guichet: str, date_depot: date) -> str:
    """Tire le NU suivant ; à appeler dans la transaction qui enregistre la demande."""
    departement = departement.zfill(3)
    periode = f"{date_depot.month:02d}{date_depot.year % 100:02d}"
    sequence = tirer_sequence(departement=departement, periode=periode, guichet=guichet)
    if sequence > 999_999:
        raise ValidationError("La séquence mensuelle de ce guichet est épuisée (999 999 demandes).")
    return f"{departement}{periode}{sequence:06d}{guichet}"


# La référence interne (AAAAMM + séquence du mois) est tirée par
# ``cycle.enregistrement_sql.poser_reference_et_historiser``,
# dans l'instruction qui écrit l'événement d'enregistrement (verrou du compteur le plus court possible).
