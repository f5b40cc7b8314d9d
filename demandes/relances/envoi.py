"""Rappels de renouvellement : choix des canaux, rédaction, envoi par des backends enfichables.

Règle (CCH R441-2-7, domain.md §8, docs/decisions.md session 8) :

1° le demandeur n'a jamais déposé ni renouvelé en ligne : **par courrier**, et
   **aussi par courriel** quand une adresse électronique est connue ;
2° il a déposé ou renouvelé en ligne au moins une fois : **par courriel** (sans
   adresse électronique connue, par courrier : le préavis doit partir) ;
3° même cas, mais il a demandé les courriers par la poste
   (``Demande.courrier_souhaite``) : **courriel et courrier**.

Un **SMS** s'y ajoute quand un numéro de portable est connu : il n'est pas le
préavis réglementaire, seulement un signal de plus.

Envoi :

- courriel : le mailer Django par défaut (``MAILERS``, console en
  développement) ; ``Message-ID`` fixé par la relance (``<relance-ID@fdls>``)
  pour qu'un renvoi après incident soit reconnaissable ;
- SMS : la classe ``settings.FDLS_SMS_BACKEND`` (``envoyer(numero, texte,
  reference)``) ; par défaut ``SmsVersJournal`` qui écrit en base et dans les
  journaux sans rien envoyer ; un vrai fournisseur reçoit la même
  ``reference`` comme clé d'idempotence ;
- courrier : une lettre PDF (WeasyPrint, mise en page des éditions) par
  relance, au nom de la relance, dans le lot de son échéance sous
  ``settings.FDLS_COURRIERS_DIR`` ; à la fin du paquet, le lot d'impression
  ``lot-<échéance>.pdf`` est refait (``demandes/relances/courriers.py``).

Les états des relances et la reprise sont dans ``demandes/relances/traitements.py``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import get_template
from django.utils.module_loading import import_string

from demandes.dossier.numerotation import formater_numero_unique
from demandes.relances import courriers
from demandes.relances.models import Relance, SmsJournal

logger = logging.getLogger(__name__)

Canal = Relance.Canal

_PORTABLE = re.compile(r"^(?:\+33|0033|0)([67]\d{8})$")


def numero_portable(*numeros: str) -> str:
    """Premier numéro de portable français (06, 07, +33 6/7) parmi ``numeros``, au format 0612345678."""
    for numero in numeros:
        chiffres = re.sub(r"[\s.\-()]", "", numero or "")
        trouve = _PORTABLE.match(chiffres)
        if trouve:
            return "0" + trouve.group(1)
    return ""


@dataclass(frozen=True)
class Coordonnees:
    """Ce qu'il faut savoir d'une demande pour choisir les canaux et rédiger le rappel."""

    demande_id: int
    numero_unique: str
    echeance: object
    date_depot: object
    canal_depot: str
    renouvellement_electronique: bool
    nom: str
    prenom: str
    email: str
    telephones: tuple[str, ...]
    adresse: str
    courrier_souhaite: bool = False
    #: Guichet d'enregistrement, expéditeur des lettres : organisme, guichet, adresse, code_postal, commune…
    expediteur: dict = field(default_factory=dict, compare=False)

    @property
    def en_ligne(self) -> bool:
        return self.canal_depot == "en_ligne" or self.renouvellement_electronique


def canaux(c: Coordonnees) -> list[tuple[str, str]]:
    """[(canal, destinataire)] du rappel de ``c`` (règle R441-2-7 en tête du module)."""
    choisis: list[tuple[str, str]] = []
    if c.email:
        choisis.append((Canal.COURRIEL, c.email))
    if not c.en_ligne or c.courrier_souhaite or not c.email:
        # Par courrier ; sans adresse postale, la ligne est écrite et finira en échec visible.
        choisis.append((Canal.COURRIER, c.adresse))
    portable = numero_portable(*c.telephones)
    if portable:
        choisis.append((Canal.SMS, portable))
    return choisis


# ---------------------------------------------------------------- rédaction


@cache
def _gabarit(nom: str):
    return get_template(f"demandes/relances/{nom}")


def contexte(c: Coordonnees) -> dict:
    return {
        "numero": formater_numero_unique(c.numero_unique) if c.numero_unique else "",
        "echeance": c.echeance,
        "date_depot": c.date_depot,
        "nom": c.nom.upper(),
        "prenom": c.prenom,
        "civilite_nom": f"{c.prenom} {c.nom.upper()}".strip(),
        "adresse": c.adresse,
        "expediteur": c.expediteur,
    }


def message_id(relance_id: int) -> str:
    return f"<relance-{relance_id}@fdls>"


def reference(relance_id: int) -> str:
    return f"fdls-relance-{relance_id}"


def fichier_courrier(relance_id: int) -> str:
    return f"relance-{relance_id}.pdf"


#: Clé d'idempotence de chaque canal, préfixe + identifiant de la relance (notée en base avant l'envoi).
PREFIXES_CLE = {"courriel": ("<relance-", "@fdls>"), "sms": ("fdls-relance-", ""), "courrier": ("relance-", ".pdf")}


def cle_idempotence(relance_id: int, canal: str) -> str:
    """La clé donnée au fournisseur pour cette relance : un renvoi porte la même (``message_id``, ``reference``,
    ``fichier_courrier``)."""
    avant, apres = PREFIXES_CLE[canal]
    return f"{avant}{relance_id}{apres}"


# ---------------------------------------------------------------- backends


class EnvoiImpossible(Exception):
    """Erreur définitive pour ce message (destinataire invalide, adresse manquante) : la relance passe en échec."""


class SmsVersJournal:
    """Backend SMS par défaut : écrit le SMS dans ``demandes_smsjournal`` et les journaux, n'envoie rien.

    Comme un fournisseur sérieux, il est idempotent sur ``reference`` : un
    second envoi de la même relance n'écrit pas de seconde ligne.
    """

    def envoyer(self, numero: str, texte: str, reference: str) -> str:
        creees = SmsJournal.objects.bulk_create(
            [SmsJournal(numero=numero, texte=texte, reference=reference)], ignore_conflicts=True
        )
        logger.info("SMS (journal) %s à %s : %s", reference, numero, texte if creees else "déjà envoyé, ignoré")
        return reference


class Envoyeur:
    """Envoie les rappels d'un paquet : une connexion courriel et un backend SMS pour tout le paquet."""

    def __init__(self):
        self._mailers = mailers
        self._connexion = None
        self.sms = import_string(settings.FDLS_SMS_BACKEND)()
        self.lots: set[Path] = set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._connexion is not None:
            self._connexion.close()
            self._connexion = None
        self.assembler_lots()

    def assembler_lots(self) -> None:
        """Refait le lot d'impression de chaque échéance qui a reçu une lettre (idempotent)."""
        for dossier in sorted(self.lots):
            courriers.assembler_lot(dossier)
        self.lots.clear()

    def _courriel(self):
        if self._connexion is None:
            self._connexion = self._mailers.default
            self._connexion.open()
        return self._connexion

    def envoyer(self, relance_id: int, canal: str, destinataire: str, c: Coordonnees) -> None:
        ctx = contexte(c)
        if canal == Canal.COURRIEL:
            if not destinataire:
                raise EnvoiImpossible("Aucune adresse électronique.")
            message = EmailMessage(
                subject=_gabarit("courriel_objet.txt").render(ctx).strip(),
                body=_gabarit("courriel.txt").render(ctx),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[destinataire],
                headers={"Message-ID": message_id(relance_id)},
            )
            self._courriel().send_messages([message])
        elif canal == Canal.SMS:
            if not destinataire:
                raise EnvoiImpossible("Aucun numéro de portable.")
            self.sms.envoyer(destinataire, _gabarit("sms.txt").render(ctx).strip(), reference(relance_id))
        elif canal == Canal.COURRIER:
            if not destinataire.strip():
                raise EnvoiImpossible("Adresse postale manquante : compléter les coordonnées puis relancer.")
            dossier = courriers.dossier_rappels(c.echeance)
            # Même nom pour un renvoi : la lettre est réécrite, jamais imprimée deux fois.
            courriers.ecrire_lettre(
                dossier,
                f"relance-{relance_id}",
                courriers.GABARIT_RAPPEL,
                {**ctx, "titre_document": "Renouvellement de votre demande de logement social"},
            )
            self.lots.add(dossier)
        else:  # pragma: no cover - erreur de programmation
            raise ValueError(f"Canal inconnu : {canal}")
