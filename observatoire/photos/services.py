"""Prise de la photo mensuelle : idempotente, en une transaction, jamais réécrite."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as heure
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from observatoire.photos import photo_sql
from observatoire.photos.models import Photo


@dataclass(frozen=True)
class ResultatPhoto:
    photo: Photo
    prise: bool  # False : la photo du mois existait déjà (rien n'est réécrit)


def premier_du_mois(le: date) -> date:
    return le.replace(day=1)


def _minuit(jour: date) -> datetime:
    return datetime.combine(jour, heure.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def photographier_fichier(
    mois: date | None = None, mesure: Callable[[str, float], None] | None = None
) -> ResultatPhoto:
    """Fige le fichier au 1er du mois (celui d'aujourd'hui par défaut) ; ne refait rien si la photo existe.

    Une seule transaction : la photo apparaît entière ou pas du tout (un job tué ne laisse rien) ; un verrou
    consultatif sérialise deux prises simultanées, la seconde trouve la photo faite et la rend. ``mesure`` : voir
    ``photo_sql.inserer_photo`` (banc)."""
    aujourd_hui = timezone.localdate()
    mois = premier_du_mois(mois or aujourd_hui)
    if mois > aujourd_hui:
        raise ValueError(f"La photo du {mois:%d/%m/%Y} ne peut pas être prise avant ce jour.")
    with transaction.atomic():
        photo_sql.verrouiller_photo(mois)
        existante = Photo.objects.filter(mois=mois).first()
        if existante is not None:
            return ResultatPhoto(existante, prise=False)
        debut = time.perf_counter()
        photo = Photo.objects.create(mois=mois, prise_le=timezone.now(), reconstituee=aujourd_hui != mois)
        precedente = Photo.objects.filter(mois__lt=mois).order_by("-mois").values_list("pk", flat=True).first()
        demandes, attributions, logements = photo_sql.inserer_photo(
            {
                "photo": photo.pk,
                "precedente": precedente or 0,
                "d": mois,
                "annee": mois.year,
                "debut_attributions": _minuit(date(mois.year - 1, 1, 1)),
                "fin_attributions": _minuit(mois),
                "fuseau": settings.TIME_ZONE,
            },
            mesure,
        )
        # Ses compteurs s'écrivent pendant la prise, seul moment où le trigger laisse modifier la photo.
        photo_sql.autoriser_compteurs(True)
        Photo.objects.filter(pk=photo.pk).update(
            nb_demandes=demandes,
            nb_attributions=attributions,
            nb_logements=logements,
            duree_s=round(time.perf_counter() - debut, 2),
        )
        photo_sql.autoriser_compteurs(False)
    debut = time.perf_counter()
    photo_sql.analyser()
    if mesure is not None:
        mesure("statistiques (ANALYZE)", time.perf_counter() - debut)
    photo.refresh_from_db()
    return ResultatPhoto(photo, prise=True)
