"""Vote à distance d'une séance (comme Vot'Imho) : les membres à voix délibérative votent, dans la fenêtre
ouverte, sur la proposition de chaque logement ; quorum et majorité sont des paramètres de la commission ;
chaque vote émis ou changé est écrit au journal des votes (``JournalVote``, ajout seul) ; le procès-verbal
reprend le dépouillement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fdls.socle.workflow import Auteur
from instruction.commissions import selectors
from instruction.commissions.models import Commission, Examen, JournalVote, Membre, Seance, Vote
from instruction.commissions.workflow import WORKFLOW_SEANCE

#: Durée par défaut de la fenêtre de vote.
DUREE_VOTE = timedelta(hours=48)


def examens():
    return Examen.objects.select_related("seance__commission", "disponibilite__logement__programme")


@transaction.atomic
def ouvrir_vote(*, auteur, seance: Seance, fin: datetime | None = None) -> Seance:
    """Ouvre le vote à distance jusqu'à ``fin`` (48 h par défaut) ; la séance a un ordre du jour."""
    seance = Seance.objects.select_for_update().select_related("commission").get(pk=seance.pk)
    if not selectors.peut_gerer(auteur, seance.commission):
        raise PermissionDenied("Seul le bailleur de la commission ouvre le vote.")
    if not seance.examens.exists():
        raise ValidationError("L'ordre du jour est vide : inscrivez d'abord des logements.")
    fin = fin or timezone.now() + DUREE_VOTE
    if fin <= timezone.now():
        raise ValidationError({"fin_vote": "La fin du vote est dans le futur."})
    seance.fin_vote = fin
    WORKFLOW_SEANCE.appliquer(
        seance,
        "ouvrir_vote",
        auteur=Auteur.agent(auteur),
        commentaire=f"Vote ouvert jusqu'au {timezone.localtime(fin):%d/%m/%Y %H:%M}",
        champs=["fin_vote"],
    )
    return seance


@transaction.atomic
def voter(*, user, examen: Examen, choix: str, commentaire: str = "", le: datetime | None = None) -> Vote:
    """Le vote d'un membre à voix délibérative sur un logement, modifiable jusqu'à la fin du vote."""
    le = le or timezone.now()
    seance = Seance.objects.select_for_update().get(pk=examen.seance_id)
    if seance.etat != Seance.Etat.VOTE:
        raise ValidationError("Le vote à distance de cette séance n'est pas ouvert.")
    if seance.fin_vote and le > seance.fin_vote:
        raise ValidationError(f"Le vote est clos depuis le {timezone.localtime(seance.fin_vote):%d/%m/%Y %H:%M}.")
    membre = Membre.objects.filter(commission_id=seance.commission_id, user=user, voix_deliberative=True).first()
    if membre is None:
        raise PermissionDenied("Seuls les membres à voix délibérative de la commission votent.")
    if choix not in Vote.Choix.values:
        raise ValidationError({"choix": "Choisissez votre vote."})
    vote = Vote.objects.select_for_update().filter(examen=examen, membre=membre).first()
    avant = vote.choix if vote else ""
    if vote is None:
        vote = Vote(examen=examen, membre=membre)
    vote.choix, vote.commentaire = choix, (commentaire or "").strip()
    vote.save()
    JournalVote.objects.create(vote=vote, user=user, choix=choix, avant=avant)
    return vote


@dataclass
class Depouillement:
    votants: int = 0
    quorum: int = 0
    majorite: int = 50
    voix: dict[str, int] = field(default_factory=dict)
    adopte: str = ""

    @property
    def quorum_atteint(self) -> bool:
        return self.votants >= self.quorum

    @property
    def libelle(self) -> str:
        if not self.votants:
            return "Aucun vote"
        if not self.quorum_atteint:
            return f"Quorum non atteint ({self.votants} votant(s) sur {self.quorum} requis)"
        if not self.adopte:
            return "Aucune proposition n'atteint la majorité"
        return f"Adopté : {Vote.Choix(self.adopte).label}"

    def lignes(self) -> list[tuple[str, int]]:
        return [(Vote.Choix(c).label, n) for c, n in self.voix.items()]


def depouiller(commission: Commission, examen: Examen) -> Depouillement:
    """Les voix d'un logement ; adopté : le choix qui dépasse la majorité des voix exprimées, quorum atteint."""
    voix: dict[str, int] = {}
    for vote in examen.votes.all():
        voix[vote.choix] = voix.get(vote.choix, 0) + 1
    votants = sum(voix.values())
    resultat = Depouillement(votants=votants, quorum=commission.quorum, majorite=commission.majorite, voix=voix)
    if votants and resultat.quorum_atteint:
        choix, n = max(voix.items(), key=lambda kv: kv[1])
        if 100 * n > commission.majorite * votants:
            resultat.adopte = choix
    return resultat
