"""Noyau des workflows : qui agit, table de transitions, journal des transitions.

Chaque workflow du fichier (demande, grille de cotation, disponibilité d'un
logement, et ceux de l'instruction) se déclare en **une** table
(``Workflow``) de ``Transition`` nommées, et passe par elle pour vérifier une
action, lister les actions possibles et l'appliquer : l'état change et la
ligne du journal (un modèle qui hérite de ``JournalTransition``) s'écrit dans
la même transaction. Une action refusée lève ``TransitionInterdite``, la seule
du projet (écrans : message ; API : 409, ``fdls.socle.api.erreurs``).

``docs/statuts.md`` reproduit chaque table telle que ``Workflow.tableau()``
la rend ; un test compare les deux.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

# État « avant » d'une création : l'objet n'existe pas encore.
CREATION = ""

# ---------------------------------------------------------------- auteurs


@dataclass(frozen=True)
class Auteur:
    """Qui agit : un agent (et son organisme), le demandeur, ou un traitement automatisé."""

    libelle: str
    user: object | None = None
    organisme: object | None = None

    @classmethod
    def agent(cls, user) -> Auteur:
        organisme = getattr(user, "organisme", None)
        return cls(libelle=(organisme.nom if organisme else str(user))[:150], user=user, organisme=organisme)

    @classmethod
    def demandeur(cls, user) -> Auteur:
        return cls(libelle="Le demandeur (espace personnel)", user=user)

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def organisme_id(self) -> int | None:
        return getattr(self.organisme, "pk", None)


AUTOMATE = Auteur(libelle="Traitement automatisé")


def auteur_de(qui) -> Auteur:
    """Un ``Auteur`` tel quel, ou l'agent d'un utilisateur connecté."""
    return qui if isinstance(qui, Auteur) else Auteur.agent(qui)


# ---------------------------------------------------------------- transitions


class TransitionInterdite(ValidationError):
    """Action refusée dans l'état actuel de l'objet (message en français)."""


@dataclass(frozen=True)
class Transition:
    """Une action nommée : des états de départ vers un état d'arrivée.

    ``evenement`` : type de la ligne de journal quand le journal en distingue
    plusieurs (historique d'une demande) ; ``motif_obligatoire`` : l'action
    s'explique par écrit (retour en arrière, retrait, rejet).
    """

    nom: str
    sources: frozenset[str]
    cible: str
    libelle: str
    evenement: str = ""
    motif_obligatoire: bool = False

    def part_de(self, etat: str) -> bool:
        return etat in self.sources


@dataclass
class Workflow:
    """La table des transitions d'un modèle à état, et son journal.

    ``etats`` : les ``TextChoices`` de l'état ; ``journal`` : le modèle du
    journal (sous-classe de ``JournalTransition``) ; ``champ`` : le champ
    d'état du modèle. ``refus`` rend le message d'une action impossible.
    """

    nom: str
    etats: type[models.TextChoices]
    transitions: Iterable[Transition]
    journal: type[JournalTransition] | None = None
    champ: str = "etat"
    article: str = "l'objet"
    refus: Callable[[Workflow, object, Transition], str] | None = None
    _table: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self):
        self._table = {}
        for t in self.transitions:
            if t.nom in self._table:
                raise ValueError(f"Workflow {self.nom} : action « {t.nom} » déclarée deux fois.")
            inconnus = ({t.cible} | set(t.sources)) - set(self.etats.values) - {CREATION}
            if inconnus:
                raise ValueError(f"Workflow {self.nom} : états inconnus {sorted(inconnus)} dans « {t.nom} ».")
            self._table[t.nom] = t
        self.transitions = tuple(self._table.values())
        WORKFLOWS[self.nom] = self

    # ------------------------------------------------------------ lecture de la table

    def __getitem__(self, action: str) -> Transition:
        return self._table[action]

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def __contains__(self, action: str) -> bool:
        return action in self._table

    def etat_de(self, objet) -> str:
        return CREATION if getattr(objet, "pk", None) is None else getattr(objet, self.champ)

    def libelle_etat(self, etat: str) -> str:
        return "nouveau" if etat == CREATION else str(self.etats(etat).label).lower()

    def possibles(self, objet) -> list[Transition]:
        """Actions permises dans l'état actuel de l'objet, dans l'ordre de la table."""
        etat = self.etat_de(objet)
        return [t for t in self.transitions if t.part_de(etat)]

    def vers(self, objet, cible: str) -> Transition:
        """L'action qui mène de l'état actuel à ``cible`` (un formulaire propose un état d'arrivée)."""
        etat = self.etat_de(objet)
        for t in self.transitions:
            if t.part_de(etat) and t.cible == cible:
                return t
        permis = [t.cible for t in self.possibles(objet)]
        if not permis:
            message = f"{self.article.capitalize()} {self.libelle_etat(etat)} ne change plus d'état."
        else:
            liste = ", ".join(f"« {self.libelle_etat(e)} »" for e in dict.fromkeys(permis))
            message = f"{self.article.capitalize()} {self.libelle_etat(etat)} ne peut passer qu'à : {liste}."
        raise TransitionInterdite(message, code="transition")

    def verifier(self, objet, action: str) -> Transition:
        """La transition ``action`` si l'état actuel la permet ; sinon ``TransitionInterdite``."""
        transition = self._table[action]
        if not transition.part_de(self.etat_de(objet)):
            raise TransitionInterdite(self.message_refus(objet, transition), code="transition")
        return transition

    def message_refus(self, objet, transition: Transition) -> str:
        if self.refus is not None:
            return self.refus(self, objet, transition)
        attendus = ", ".join(self.libelle_etat(e) for e in sorted(transition.sources))
        return (
            f"Impossible de {transition.libelle} {self.article} : son état est « "
            f"{self.libelle_etat(self.etat_de(objet))} » (attendu : {attendus})."
        )

    # ------------------------------------------------------------ écriture

    def appliquer(
        self,
        objet,
        action: str,
        *,
        auteur: Auteur,
        commentaire: str = "",
        champs: Iterable[str] = (),
        **journal,
    ) -> JournalTransition | None:
        """Vérifie, change l'état, enregistre ``objet`` (``champs`` en plus) et écrit le journal, atomiquement.

        L'appelant tient déjà le verrou de la ligne (``select_for_update``) s'il
        y a concurrence. ``journal`` : champs propres au modèle du journal.
        """
        transition = self.verifier(objet, action)
        if transition.motif_obligatoire and not commentaire.strip():
            raise ValidationError({"motif": [f"Indiquez le motif : {transition.libelle}."]}, code="motif")
        avant = self.etat_de(objet)
        with transaction.atomic(savepoint=False):
            setattr(objet, self.champ, transition.cible)
            if avant == CREATION:
                objet.save()
            else:
                a_ecrire = [self.champ, *champs]
                if any(f.name == "updated_at" for f in objet._meta.concrete_fields):
                    a_ecrire.append("updated_at")
                objet.save(update_fields=list(dict.fromkeys(a_ecrire)))
            return self.journaliser(
                objet, transition, auteur=auteur, avant=avant, commentaire=commentaire.strip(), **journal
            )

    def journaliser(self, objet, transition: Transition, *, auteur: Auteur, avant: str, commentaire: str = "", **extra):
        """Écrit la ligne du journal d'une transition déjà appliquée par le service."""
        if self.journal is None or (self.journal.par_evenement and not transition.evenement):
            return None
        return self.journal.ecrire_transition(
            objet, transition, auteur=auteur, avant=avant, commentaire=commentaire, **extra
        )

    # ------------------------------------------------------------ documentation

    def tableau(self) -> str:
        """La table en Markdown, telle que docs/statuts.md la montre (un test compare)."""
        lignes = [
            "| action | libellé | de | vers | journal | motif |",
            "|---|---|---|---|---|---|",
        ]
        for t in self.transitions:
            de = ", ".join(f"`{e}`" if e else "(création)" for e in sorted(t.sources))
            evenement = self._libelle_evenement(t)
            motif = "obligatoire" if t.motif_obligatoire else ""
            lignes.append(f"| `{t.nom}` | {t.libelle} | {de} | `{t.cible}` | {evenement} | {motif} |")
        return "\n".join(lignes)

    def _libelle_evenement(self, t: Transition) -> str:
        if self.journal is None:
            return "—"
        if t.evenement:
            return f"« {self.journal.libelle_evenement(t.evenement)} »"
        if self.journal.par_evenement:
            return "aucun"
        return f"`{self.journal._meta.label}`"


# Tous les workflows déclarés, par nom (rendus par le test de docs/statuts.md).
WORKFLOWS: dict[str, Workflow] = {}


# ---------------------------------------------------------------- journal


class JournalTransition(models.Model):
    """Journal d'un workflow : une ligne par transition, en ajout seul.

    Politique commune : le journal survit à tout ce qu'il cite (``PROTECT`` :
    un objet qui a un journal ne se supprime pas, un compte se désactive) ;
    ``auteur_libelle`` garde le nom lisible de l'intervenant (« Traitement
    automatisé », organisme de l'agent). Chaque sous-classe déclare la clé
    étrangère vers l'objet suivi et la nomme dans ``champ_objet``.
    """

    champ_objet = ""
    champ_commentaire = "commentaire"
    # Journal qui distingue ses lignes par type d'événement : une transition sans événement n'y écrit rien.
    par_evenement = False

    date = models.DateTimeField("date", default=timezone.now)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Référence paresseuse : le socle n'importe pas les organismes (il est sous toutes les applications).
    organisme = models.ForeignKey(
        "organismes.Organisme", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    auteur_libelle = models.CharField("intervenant", max_length=150)
    etat_avant = models.CharField("état avant", max_length=20, blank=True)
    etat_apres = models.CharField("état après", max_length=20, blank=True)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.etat_avant or '—'} → {self.etat_apres}"

    @classmethod
    def valeurs_auteur(cls, auteur: Auteur) -> dict:
        return {
            "auteur_id": auteur.user_id,
            "organisme_id": auteur.organisme_id,
            "auteur_libelle": auteur.libelle[:150],
        }

    @classmethod
    def ecrire_transition(
        cls, objet, transition: Transition, *, auteur: Auteur, avant: str, commentaire: str = "", **extra
    ):
        """La ligne du journal d'une transition appliquée (``extra`` : champs propres au journal)."""
        return cls.objects.create(
            **{cls.champ_objet: objet, cls.champ_commentaire: commentaire},
            etat_avant=avant,
            etat_apres=transition.cible,
            **cls.valeurs_auteur(auteur),
            **extra,
        )

    @classmethod
    def libelle_evenement(cls, code: str) -> str:
        return code
