"""Traitements planifiés de la cotation qui réunissent plusieurs fonctionnalités (tâches minces : ``tasks.py``).

Le calcul de nuit met d'abord en vigueur les grilles programmées (vie des
grilles), puis recote (calcul) : il est au-dessus des deux.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .calcul import services as calcul
from .grilles.services import activer_grilles_programmees


def calcul_de_nuit(*, le: date | None = None, taille_paquet: int = 10000, depuis=None) -> calcul.Bilan:
    """Le traitement de nuit de la cotation ; idempotent (le rejouer réécrit les mêmes résultats).

    1. les grilles programmées dont la date d'effet est atteinte entrent en vigueur (tout le fichier est
       alors recoté, tranches du recalcul en SQL) ;
    2. sinon, le delta : sont recotées les demandes dont ``prochaine_echeance`` est atteinte, celles jamais
       cotées et celles dont un label ou un événement de CAL a été écrit depuis ``depuis`` (26 h par défaut :
       les labels automatiques du fichier, recalculés à 1 h 45 par
       ``demandes.tasks.recalculer_labels_automatiques``), par paquets de ``taille_paquet`` ;
    3. la répartition des totaux analogues est recalculée.

    L'attente estimée des demandes analogues (Kaplan–Meier) est une tâche à part
    (``cotation.tasks.calculer_attentes``, 2 h 30) : elle lit tout le fichier.
    """
    le = le or timezone.localdate()
    if activer_grilles_programmees(le):
        return calcul.recalculer_fichier(le=le)
    return calcul.recalculer_delta(le=le, taille_paquet=taille_paquet, depuis=depuis)
