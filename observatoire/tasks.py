"""Tâches Celery de l'observatoire (minces : elles appellent les services des fonctionnalités).

Toutes idempotentes : la photo d'un mois n'est prise qu'une fois, un jour compté n'est pas recompté, un bilan
produit ne l'est pas deux fois, un export prêt n'est pas refait.
"""

from celery import shared_task

from observatoire.bilans import services as bilans
from observatoire.compteurs import services as compteurs
from observatoire.opendata import services as opendata
from observatoire.photos import services as photos
from observatoire.pivot import services as pivot


@shared_task(name="observatoire.tasks.photographier_fichier", acks_late=True)
def photographier_fichier() -> dict:
    """Chaque nuit (beat) : la photo du mois en cours si elle manque (le 1er, ou le lendemain d'une panne)."""
    resultat = photos.photographier_fichier()
    return {"mois": resultat.photo.mois.isoformat(), "prise": resultat.prise}


@shared_task(name="observatoire.tasks.compter_activite", acks_late=True)
def compter_activite() -> dict:
    bilan = compteurs.compter_activite()
    return {"jours": bilan.jours, "lignes": bilan.lignes}


@shared_task(name="observatoire.tasks.produire_bilans", acks_late=True)
def produire_bilans() -> dict:
    """Chaque nuit : le bilan annuel N-1 dès janvier, le bilan du 1er semestre dès juillet, s'ils manquent."""
    return {"produits": [str(b) for b in bilans.produire_bilans_dus()]}


@shared_task(name="observatoire.tasks.publier_donnees_ouvertes", acks_late=True)
def publier_donnees_ouvertes() -> dict:
    return {"fichiers": opendata.publier_extrait_du_mois()}


@shared_task(name="observatoire.tasks.executer_export", acks_late=True)
def executer_export(export_id: int) -> dict:
    export = pivot.executer_export(export_id)
    return {"export": export.pk, "etat": export.etat}
