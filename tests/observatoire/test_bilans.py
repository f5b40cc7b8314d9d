"""Bilans (beat de janvier et de juillet) et données ouvertes : idempotents sous double exécution, lisibles."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from observatoire import tasks
from observatoire.bilans.models import Bilan
from observatoire.opendata import services as opendata
from observatoire.photos.models import Photo
from observatoire.photos.services import photographier_fichier
from tests.monde.factories import AgentFactory, LogementFactory, OrganismeFactory
from tests.observatoire.monde import PHOTO, fichier_connu

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def connu(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    f = fichier_connu()
    LogementFactory.create_batch(12, programme__commune=f.m.nantes, programme__bailleur=f.m.bailleur)
    return f


@time_machine.travel(datetime(2026, 1, 1, 4, 30, tzinfo=PARIS), tick=False)
def test_le_beat_de_janvier_prend_la_photo_puis_le_bilan_annuel_une_seule_fois(connu, client, agent_verifie):
    assert tasks.photographier_fichier() == {"mois": "2026-01-01", "prise": True}
    assert tasks.photographier_fichier() == {"mois": "2026-01-01", "prise": False}
    assert tasks.produire_bilans() == {"produits": ["Bilan annuel 2025"]}
    assert tasks.produire_bilans() == {"produits": []}

    bilan = Bilan.objects.get()
    assert (bilan.type, bilan.annee, bilan.photo.mois) == ("annuel", 2025, PHOTO)
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    pdf = client.get(reverse("observatoire:bilan_fichier", args=[bilan.pk, "pdf"]))
    texte = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "Bilan annuel 2025" in texte
    assert "Indicateurs légaux 2025" in texte
    assert "Nantes Métropole" in texte
    xlsx = client.get(reverse("observatoire:bilan_fichier", args=[bilan.pk, "xlsx"]))
    classeur = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert len(classeur.sheetnames) >= 8
    feuille = next(f for f in classeur.worksheets if f["A1"].value == "Indicateurs légaux 2025 par EPCI")
    assert feuille["B2"].value == "Attributions"
    assert [c.value for c in feuille[feuille.max_row]][:2] == ["Ensemble", 7]


@time_machine.travel(datetime(2026, 7, 2, 4, 30, tzinfo=PARIS), tick=False)
def test_en_juillet_le_bilan_du_semestre_s_ajoute(connu):
    photographier_fichier(date(2026, 1, 1))
    photographier_fichier(date(2026, 7, 1))
    assert tasks.produire_bilans() == {"produits": ["Bilan annuel 2025", "Bilan du 1er semestre 2026"]}
    assert tasks.produire_bilans() == {"produits": []}
    assert Bilan.objects.count() == 2


def test_sans_photo_du_premier_janvier_pas_de_bilan(connu):
    with time_machine.travel(datetime(2026, 1, 5, 4, 30, tzinfo=PARIS), tick=False):
        assert tasks.produire_bilans() == {"produits": []}


def test_la_fiche_territoriale_d_une_commune(connu, client, agent_verifie):
    photographier_fichier(PHOTO)
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    reponse = client.get(reverse("observatoire:bilans"), {"commune": "44109"})
    assert reponse["Content-Type"] == "application/pdf"
    texte = PdfReader(io.BytesIO(reponse.content)).pages[0].extract_text()
    assert "Fiche territoriale – Nantes" in texte
    erreur = client.get(reverse("observatoire:bilans"), {"photo": ""})
    assert "Choisissez la commune (ou l&#x27;EPCI) de la fiche territoriale." in erreur.content.decode()


def test_les_donnees_ouvertes_masquent_les_petits_effectifs_et_ont_leur_dictionnaire(connu, client):
    photographier_fichier(PHOTO)
    assert tasks.publier_donnees_ouvertes() == {"fichiers": [opendata.FICHIER, opendata.DICTIONNAIRE]}
    assert tasks.publier_donnees_ouvertes() == {"fichiers": []}

    mois = f"{Photo.objects.get().mois:%Y-%m}"
    extrait = client.get(reverse("observatoire:opendata_fichier", args=[mois, opendata.FICHIER]))
    lignes = list(csv.DictReader(io.StringIO(b"".join(extrait.streaming_content).decode("utf-8-sig")), delimiter=";"))
    nantes = next(r for r in lignes if r["code_insee"] == "44109" and r["typologie"] == "total")
    # 12 logements à Nantes (≥ 11 : publiés) ; 4 demandes et 4 attributions (< 11 : masquées).
    assert nantes["logements_sociaux"] == "12"
    assert (nantes["demandes_en_cours"], nantes["attributions_annee_precedente"], nantes["secret"]) == ("", "", "s")
    for r in lignes:
        for colonne in ("demandes_en_cours", "attributions_annee_precedente", "logements_sociaux"):
            assert r[colonne] == "" or int(r[colonne]) == 0 or int(r[colonne]) >= 11, r
    assert set(lignes[0]) == {c for c, _, _ in opendata.COLONNES}
    dictionnaire = client.get(reverse("observatoire:opendata_fichier", args=[mois, opendata.DICTIONNAIRE]))
    assert "secret statistique" in b"".join(dictionnaire.streaming_content).decode("utf-8-sig")
    assert client.get(reverse("observatoire:opendata_fichier", args=["2026-01", "autre.csv"])).status_code == 404
