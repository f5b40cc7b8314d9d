"""Étude d'impact d'un projet de grille (seed 001 §5) : gagnants et perdants exacts, corrélation de rang, rien
d'écrit dans les cotations, classeur XLSX, tâche idempotente, accès réservé à ceux qui gèrent les grilles."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from cotation import tasks
from cotation.grilles import services as grilles
from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.impact import services as impact
from cotation.models import EtudeImpact, HistoriqueCotation, ResultatCotation
from demandes.models import Label, TypeLabel
from fdls.socle.models import TacheSortante
from tests.monde.factories import DemandeFactory
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def monde():
    m = territoire_nantes(grille=True, administrateurs=True)
    aujourd_hui = date.today()
    # Nantes Métropole : 3 demandes « éloigné du travail » (5 points), 5 autres, et une qui vise Ancenis puis
    # Nantes (« éloigné du travail ») : elle est aussi de ce territoire (seed 001 §5), avec Nantes pour commune.
    m.eloignees = [
        DemandeFactory(
            guichet=m.guichet_ehs,
            communes=[m.nantes],
            motifs=["eloigne_travail"],
            date_depot=aujourd_hui - timedelta(days=j),
        )
        for j in (30, 300, 800)
    ]
    m.autres = [
        DemandeFactory(
            guichet=m.guichet_ehs,
            communes=[m.reze, m.nantes],
            motifs=["trop_cher"],
            date_depot=aujourd_hui - timedelta(days=j),
        )
        for j in (10, 200, 400, 700, 1200)
    ]
    DemandeFactory(guichet=m.guichet_ehs, communes=[m.ancenis, m.nantes], motifs=["eloigne_travail"])
    DemandeFactory(guichet=m.guichet_ehs, communes=[m.nantes], motifs=["eloigne_travail"], satisfaite=True)
    Label.objects.create(
        demande=m.autres[0], type=TypeLabel.objects.get(code="cp-dalo"), date_pose=aujourd_hui, auteur_libelle="test"
    )
    m.brouillon = grilles.nouvelle_version(m.grille, auteur=m.auteur)
    return m


def _modifier(grille, code, points):
    critere = grille.criteres.get(code=code)
    critere.points = points
    critere.save()


def test_gain_exact_sur_un_critere(monde):
    m = monde
    _modifier(m.brouillon, "eloigne-travail", 12)  # 5 → 12 points
    avant_resultats, avant_historique = ResultatCotation.objects.count(), HistoriqueCotation.objects.count()

    r = impact.etudier(m.brouillon, m.grille)

    assert r["demandes"] == 9  # actives dont un choix est dans Nantes Métropole
    assert (r["gagnent"], r["perdent"], r["inchanges"]) == (4, 0, 5)
    assert (r["gain_moyen"], r["perte_moyenne"]) == (7.0, None)
    ecarts = {e["libelle"]: e["demandes"] for e in r["ecarts"]}
    assert ecarts["gagne 5 à 9 points"] == 4
    assert ecarts["inchangée"] == 5
    assert r["top"] == 9
    assert r["top_communs"] == 9
    assert 0 < r["spearman"] < 1
    assert ResultatCotation.objects.count() == avant_resultats
    assert HistoriqueCotation.objects.count() == avant_historique

    ventilations = r["ventilations"]
    priorites = {v["cle"]: v for v in ventilations["priorite"]}
    assert priorites["etat"]["demandes"] == 1
    assert priorites["aucune"]["demandes"] == 8
    assert priorites["aucune"]["gagnent"] == 4
    assert priorites["etat"]["part_gagnent"] == 0.0
    anciennete = {v["cle"]: v["demandes"] for v in ventilations["anciennete"]}
    assert anciennete == {"moins-6": 3, "6-18": 3, "18-36": 2, "36-plus": 1}
    communes = {v["libelle"]: v for v in ventilations["commune"]}
    assert communes["Nantes"]["demandes"] == 4
    assert communes["Nantes"]["part_gagnent"] == 100.0
    assert communes["Rezé"]["demandes"] == 5
    assert communes["Rezé"]["gagnent"] == 0
    nantes = communes["Nantes"]
    assert nantes["moyenne_apres"] - nantes["moyenne_avant"] == pytest.approx(7.0)


def test_perte_et_moyennes(monde):
    m = monde
    _modifier(m.brouillon, "eloigne-travail", 0)
    r = impact.etudier(m.brouillon, m.grille)
    assert (r["gagnent"], r["perdent"], r["perte_moyenne"]) == (0, 4, 5.0)
    assert r["moyenne_avant"] - r["moyenne_apres"] == pytest.approx(20 / 9, abs=0.15)


def test_grille_inchangee_correlation_1(monde):
    r = impact.etudier(monde.brouillon, monde.grille)
    assert r["spearman"] == 1.0
    assert (r["gagnent"], r["perdent"], r["inchanges"]) == (0, 0, 9)
    assert r["gain_moyen"] is None
    assert r["top_communs"] == r["top"]


def test_tache_idempotente_et_classeur(monde):
    m = monde
    _modifier(m.brouillon, "eloigne-travail", 12)
    etude = impact.lancer(m.brouillon, user=m.admin_epci)
    assert etude.reference == m.grille  # par défaut, la grille en vigueur
    assert TacheSortante.objects.filter(nom="cotation.tasks.etude_impact", args=[etude.pk]).exists()

    assert tasks.etude_impact(etude.pk)["statut"] == EtudeImpact.Statut.TERMINEE
    etude.refresh_from_db()
    termine = etude.terminee_le
    assert etude.resultats["gagnent"] == 4
    tasks.etude_impact(etude.pk)  # livrée deux fois : rien n'est refait
    etude.refresh_from_db()
    assert etude.terminee_le == termine

    classeur = load_workbook(io.BytesIO(impact.classeur(etude)))
    assert classeur.sheetnames == [
        "Synthèse",
        "Écarts",
        "Type de ménage",
        "Priorité",
        "Commune choisie (territoire)",
        "Ancienneté de la demande",
    ]
    synthese = {ligne[0]: ligne[1] for ligne in classeur["Synthèse"].iter_rows(values_only=True)}
    assert synthese["Gagnent des points"] == 4
    assert classeur["Priorité"]["A1"].value == "Groupe"


def test_grilles_de_territoires_differents_refusees(monde):
    compa = grilles.installer_grille(GRILLE_NANTES_METROPOLE, monde.ancenis.epci_id)
    with pytest.raises(ValidationError):
        impact.lancer(monde.brouillon, reference=compa)
    with pytest.raises(ValidationError):
        impact.etudier(monde.brouillon, compa)


# ---------------------------------------------------------------- écrans


def test_ecrans_gestionnaire_du_territoire(client, agent_verifie, monde):
    m = monde
    _modifier(m.brouillon, "eloigne-travail", 12)
    agent_verifie(m.admin_epci)
    url = reverse("cotation:lancer_impact", args=[m.brouillon.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Lancer l'étude d'impact" in page.content.decode()

    reponse = client.post(url, {"reference": m.grille.pk})
    etude = EtudeImpact.objects.get(grille=m.brouillon)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("cotation:etude_impact", args=[etude.pk])
    statut = client.get(reverse("cotation:statut_impact", args=[etude.pk]), headers={"HX-Request": "true"})
    assert statut.status_code == 200
    assert 'hx-trigger="every 2s"' in statut.content.decode()

    impact.executer(etude.pk)
    fini = client.get(reverse("cotation:statut_impact", args=[etude.pk]), headers={"HX-Request": "true"})
    assert fini["HX-Redirect"] == reverse("cotation:resultats_impact", args=[etude.pk])
    resultats = client.get(reverse("cotation:resultats_impact", args=[etude.pk]))
    assert resultats.status_code == 200
    assert "Gagnent des points" in resultats.content.decode()
    export = client.get(reverse("cotation:export_impact", args=[etude.pk]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_ecrans_refuses_a_qui_ne_gere_pas_la_grille(client, agent_verifie, monde):
    m = monde
    etude = EtudeImpact.objects.create(grille=m.brouillon, reference=m.grille)
    agent_verifie(m.agent_nm)  # agent de Nantes Métropole, pas administrateur
    assert client.get(reverse("cotation:lancer_impact", args=[m.brouillon.pk])).status_code == 403
    assert client.post(reverse("cotation:lancer_impact", args=[m.brouillon.pk])).status_code == 403
    assert client.get(reverse("cotation:resultats_impact", args=[etude.pk])).status_code == 403
    assert client.get(reverse("cotation:export_impact", args=[etude.pk])).status_code == 403
    assert not EtudeImpact.objects.exclude(pk=etude.pk).exists()


def test_ecrans_autre_territoire_404(client, agent_verifie, monde):
    m = monde
    etude = EtudeImpact.objects.create(grille=m.brouillon, reference=m.grille)
    agent_verifie(m.admin_compa)  # gère les grilles de la COMPA, pas celles de Nantes Métropole
    assert client.get(reverse("cotation:lancer_impact", args=[m.brouillon.pk])).status_code == 404
    assert client.get(reverse("cotation:etude_impact", args=[etude.pk])).status_code == 404
