"""Tableau croisé : calcul, exports CSV / XLSX / ODS lisibles, extraction en arrière-plan (workflow, idempotence)."""

import csv
import io

import pytest
from django.urls import reverse
from odf.opendocument import load as charger_ods
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import load_workbook

from fdls.socle.models import TacheSortante
from observatoire.photos.services import photographier_fichier
from observatoire.pivot import services
from observatoire.pivot.models import EtatExport, ExportPivot, TransitionExport
from tests.monde.factories import AgentFactory, OrganismeFactory
from tests.observatoire.monde import PHOTO, fichier_connu

PIVOT = {"source": "attributions", "lignes": "bailleur", "colonnes": "typologie", "mesure": "nombre", "annee": "2025"}


@pytest.fixture
def connu(agent_verifie):
    f = fichier_connu()
    f.photo = photographier_fichier(PHOTO).photo
    f.analyste = agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    return f


def _cellules_ods(contenu: bytes) -> list[list[str]]:
    document = charger_ods(io.BytesIO(contenu))
    table = document.spreadsheet.getElementsByType(Table)[0]
    return [
        ["".join(str(p) for p in cellule.getElementsByType(P)) for cellule in rangee.getElementsByType(TableCell)]
        for rangee in table.getElementsByType(TableRow)
    ]


def test_le_tableau_croise_s_affiche_et_s_exporte_dans_les_trois_formats(client, connu):
    page = client.get(reverse("observatoire:pivot"), PIVOT).content.decode()
    assert "<caption>Nombre d&#x27;attributions – attributions (baux signés), photo du 01/01/2026</caption>" in page
    assert '<th scope="row">Nantes Métropole Habitat</th>' in page

    en_csv = client.get(reverse("observatoire:pivot"), {**PIVOT, "format": "csv"})
    lignes = list(csv.reader(io.StringIO(en_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Bailleur", "Studio - 1 pièce", "T2 - 2 pièces", "T3 - 3 pièces", "T4 - 4 pièces", "Total"]
    assert lignes[1] == ["Nantes Métropole Habitat", "1", "2", "3", "1", "7"]
    assert lignes[-1] == ["Total", "1", "2", "3", "1", "7"]

    en_xlsx = client.get(reverse("observatoire:pivot"), {**PIVOT, "format": "xlsx"})
    feuille = load_workbook(io.BytesIO(en_xlsx.content)).active
    assert [c.value for c in feuille[2]] == ["Nantes Métropole Habitat", 1, 2, 3, 1, 7]

    en_ods = client.get(reverse("observatoire:pivot"), {**PIVOT, "format": "ods"})
    assert en_ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert _cellules_ods(en_ods.content)[1] == ["Nantes Métropole Habitat", "1", "2", "3", "1", "7"]


def test_le_secret_statistique_masque_les_cases_a_diffuser(client, connu):
    html = client.get(reverse("observatoire:pivot"), {**PIVOT, "diffusion": "on"}).content.decode()
    assert "masquée(s) par le secret statistique" in html
    assert '<th scope="row">Nantes Métropole Habitat</th>' in html
    assert '<td class="nombre">7</td>' not in html  # tout est sous 11 : rien ne se lit


def test_une_combinaison_impossible_est_expliquee(client, connu):
    reponse = client.get(reverse("observatoire:pivot"), {**PIVOT, "lignes": "tranche_anciennete"})
    html = reponse.content.decode()
    assert "« Ancienneté de la demande » ne se croise pas sur les attributions (baux signés)." in html
    assert '<option value="tranche_anciennete" selected>' in html or 'value="tranche_anciennete" selected' in html


def test_l_extraction_en_arriere_plan_suit_son_workflow_et_n_est_faite_qu_une_fois(client, connu, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reponse = client.post(reverse("observatoire:extraction"), {**PIVOT, "format_extraction": "xlsx"})
    export = ExportPivot.objects.get()
    assert reponse.url == reverse("observatoire:export", args=[export.pk])
    assert export.etat == EtatExport.DEMANDE
    assert TacheSortante.objects.filter(nom="observatoire.tasks.executer_export", args=[export.pk]).exists()
    fragment = client.get(reverse("observatoire:export", args=[export.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment

    services.executer_export(export.pk)
    services.executer_export(export.pk)  # rejouée (Celery livre au moins une fois) : rien de plus

    export.refresh_from_db()
    assert (export.etat, export.progression, export.nb_lignes) == (EtatExport.PRET, 100, 7)
    assert list(TransitionExport.objects.filter(export=export).values_list("etat_avant", "etat_apres")) == [
        ("", "demande"),
        ("demande", "en_cours"),
        ("en_cours", "pret"),
    ]
    fragment = client.get(reverse("observatoire:export", args=[export.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in fragment
    assert "Télécharger le fichier" in fragment
    fichier = client.get(reverse("observatoire:export_fichier", args=[export.pk]))
    classeur = load_workbook(io.BytesIO(b"".join(fichier.streaming_content)))
    lignes = list(classeur.active.values)
    assert len(lignes) == 8  # en-tête + 7 attributions de 2025
    assert "Date du bail" in lignes[0]
    assert not any("demande" in str(c).lower() and "id" in str(c).lower() for c in lignes[0])  # aucun identifiant


def test_un_export_en_ods_trop_grand_echoue_avec_son_motif(client, connu, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "LIGNES_MAX_ODS", 3)
    client.post(reverse("observatoire:extraction"), {**PIVOT, "format_extraction": "ods"})
    export = services.executer_export(ExportPivot.objects.get().pk)
    assert export.etat == EtatExport.ECHOUE
    assert "choisissez le format CSV ou XLSX" in export.erreur
    assert TransitionExport.objects.filter(export=export, etat_apres="echoue").exists()


def test_l_export_d_un_autre_agent_est_introuvable(client, connu, agent_verifie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.post(reverse("observatoire:extraction"), {**PIVOT, "format_extraction": "csv"})
    export = ExportPivot.objects.get()
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    assert client.get(reverse("observatoire:export", args=[export.pk])).status_code == 404
    assert client.get(reverse("observatoire:export_fichier", args=[export.pk])).status_code == 404
