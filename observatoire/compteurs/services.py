"""Tenue des compteurs d'activité : chaque nuit le jour écoulé, et les jours manquants (reprise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fdls.socle.dates import ajouter_mois
from observatoire.compteurs import compteurs_sql
from observatoire.compteurs.models import JourCompte

#: Sans jour déjà compté, le premier passage remonte ce nombre de jours.
RATTRAPAGE_JOURS = 92


@dataclass(frozen=True)
class BilanComptage:
    jours: int
    lignes: int


def _minuit(jour: date) -> datetime:
    return datetime.combine(jour, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def compter_jour(jour: date) -> int:
    lignes = compteurs_sql.compter_jour(
        {
            "jour": jour,
            "debut": _minuit(jour),
            "fin": _minuit(jour + timedelta(1)),
            "il_y_a_un_an": ajouter_mois(jour, -12),
        }
    )
    JourCompte.objects.update_or_create(jour=jour, defaults={"compte_le": timezone.now()})
    return lignes


def compter_activite(*, jusqua: date | None = None, depuis: date | None = None, forcer: bool = False) -> BilanComptage:
    """Compte chaque jour de ``depuis`` (le lendemain du dernier jour compté par défaut) à ``jusqua`` (hier) ;
    un jour déjà compté n'est refait que si ``forcer``. Un jour = une transaction (reprise sans perte)."""
    jusqua = jusqua or timezone.localdate() - timedelta(days=1)
    if depuis is None:
        dernier = JourCompte.objects.order_by("-jour").values_list("jour", flat=True).first()
        depuis = dernier + timedelta(days=1) if dernier else jusqua - timedelta(days=RATTRAPAGE_JOURS - 1)
    faits = set()
    if not forcer:
        faits = set(JourCompte.objects.filter(jour__range=(depuis, jusqua)).values_list("jour", flat=True))
    jours = lignes = 0
    jour = depuis
    while jour <= jusqua:
        if jour not in faits:
            lignes += compter_jour(jour)
            jours += 1
        jour += timedelta(days=1)
    return BilanComptage(jours, lignes)
