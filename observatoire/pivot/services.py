"""Tableau croisé d'une photo : calcul, secret statistique, exports directs et extraction en arrière-plan.

Le tableau croisé (quelques centaines de cases) s'exporte aussitôt. L'extraction des lignes de la photo
(une par demande, attribution ou groupe de logements, sans identifiant) peut compter un million de lignes :
elle passe par ``ExportPivot`` et son workflow (demandé → en cours → prêt / échoué), faite par la tâche
``observatoire.tasks.executer_export`` qui note son avancement ; l'écran le suit par htmx.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fdls.socle.taches import planifier
from fdls.socle.workflow import AUTOMATE, Auteur
from observatoire.croisement.dimensions import SOURCES
from observatoire.croisement.grille import Grille, grille_de
from observatoire.croisement.tableau import Tableau, croiser, requete
from observatoire.pivot.models import EtatExport, ExportPivot
from observatoire.pivot.workflow import WORKFLOW_EXPORT
from observatoire.secret.services import appliquer_secret
from observatoire.tableurs import ecriture

logger = logging.getLogger(__name__)

DOSSIER = "observatoire/exports"
#: ODS : le document entier est construit en mémoire par odfpy ; au-delà, CSV ou XLSX.
LIGNES_MAX_ODS = 200_000


def calculer(photo, parametres: dict) -> Tableau:
    tableau = croiser(
        parametres["source"],
        photo,
        ligne=parametres["lignes"],
        colonne=parametres.get("colonnes"),
        mesure=parametres["mesure"],
        filtres=parametres.get("filtres"),
    )
    if parametres.get("diffusion"):
        appliquer_secret(tableau)
    return tableau


def grille_pivot(photo, parametres: dict) -> Grille:
    tableau = calculer(photo, parametres)
    source = SOURCES[parametres["source"]]
    titre = f"{tableau.mesure.libelle} – {source.libelle.lower()}, photo du {photo.mois:%d/%m/%Y}"
    return grille_de(tableau, titre=titre)


def chemin_export(export: ExportPivot) -> Path:
    return Path(settings.MEDIA_ROOT) / export.fichier


def _colonnes_extraction(source_code: str) -> list[tuple[str, str]]:
    """(champ, libellé) des colonnes extraites : les dimensions de la source, sans identifiant."""
    source = SOURCES[source_code]
    colonnes = [(d.champ, d.libelle) for d in source.dimensions.values()]
    if source_code == "demandes":
        colonnes.append(("anciennete_mois", "Ancienneté (mois)"))
    elif source_code == "attributions":
        colonnes += [("date_bail", "Date du bail"), ("delai_mois", "Délai (mois)")]
    else:
        colonnes += [("nb_logements", "Logements"), ("nb_vacants", "Vacances ouvertes")]
    return colonnes


@transaction.atomic
def demander_extraction(*, user, photo, parametres: dict, format_: str) -> ExportPivot:
    """Crée la demande d'extraction et planifie la tâche (après le commit, par l'outbox)."""
    export = ExportPivot(auteur=user, photo=photo, parametres=parametres, format=format_)
    WORKFLOW_EXPORT.appliquer(export, "demander", auteur=Auteur.agent(user))
    planifier("observatoire.tasks.executer_export", export.pk)
    return export


def _noter(export_id: int, **valeurs) -> None:
    ExportPivot.objects.filter(pk=export_id).update(**valeurs)


def executer_export(export_id: int) -> ExportPivot:
    """Fait l'extraction (idempotente : un export prêt ou échoué n'est pas refait ; rejoué en cours, il repart
    de zéro et réécrit son fichier)."""
    with transaction.atomic():
        export = ExportPivot.objects.select_for_update().get(pk=export_id)
        if export.etat in (EtatExport.PRET, EtatExport.ECHOUE):
            return export
        if export.etat == EtatExport.DEMANDE:
            WORKFLOW_EXPORT.appliquer(export, "commencer", auteur=AUTOMATE)
    try:
        parametres = export.parametres
        qs = requete(SOURCES[parametres["source"]], export.photo, parametres.get("filtres"))
        total = qs.count()
        if export.format == "ods" and total > LIGNES_MAX_ODS:
            raise ValueError(f"{total} lignes : au-delà de {LIGNES_MAX_ODS} lignes, choisissez le format CSV ou XLSX.")
        colonnes = _colonnes_extraction(parametres["source"])
        export.fichier = f"{DOSSIER}/export-{export.pk}.{export.format}"
        _noter(export.pk, fichier=export.fichier, nb_lignes=total, progression=0)

        def lignes():
            yield [libelle for _, libelle in colonnes]
            yield from (list(r) for r in qs.values_list(*[c for c, _ in colonnes]).iterator(chunk_size=5000))

        def progression(n: int) -> None:
            _noter(export.pk, progression=min(99, int(n * 100 / max(total, 1))))

        ecriture.ecrire(export.format, chemin_export(export), lignes(), titre="Extraction", progression=progression)
    except Exception as exc:  # l'échec est noté sur l'export et journalisé ; l'écran le montre
        logger.exception("Export %s en échec", export_id)
        with transaction.atomic():
            export = ExportPivot.objects.select_for_update().get(pk=export_id)
            export.erreur = str(exc)[:2000]
            WORKFLOW_EXPORT.appliquer(
                export, "echouer", auteur=AUTOMATE, commentaire=str(exc)[:2000], champs=["erreur"]
            )
        return export
    with transaction.atomic():
        export = ExportPivot.objects.select_for_update().get(pk=export_id)
        export.progression = 100
        WORKFLOW_EXPORT.appliquer(export, "terminer", auteur=AUTOMATE, champs=["progression"])
    return export
