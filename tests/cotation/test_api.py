"""API de la cotation : cotation d'une demande (périmètre de la demande, journal), grilles (filtres, brouillons)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from cotation.grilles import services as grilles
from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from fdls.audit.models import Consultation
from fdls.comptes import services as comptes
from fdls.socle.workflow import AUTOMATE
from tests.monde.dossiers import demande_avec_exclusion, enregistrer
from tests.monde.factories import DemandeurFactory
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes(grille=True, administrateurs=True)


def _entetes(agent) -> dict:
    _jeton, cle = comptes.creer_jeton(agent=agent, nom="ERP de test")
    return {"HTTP_AUTHORIZATION": f"Token {cle}"}


def _cotation(client, demande, agent):
    return client.get(f"/api/v1/demandes/{demande.pk}/cotation/", **_entetes(agent))


def test_la_cotation_d_une_demande(client, m):
    demande = demande_avec_exclusion(m)

    reponse = _cotation(client, demande, m.agent_ehs)

    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["demande"] == demande.pk
    assert donnees["calculee"] is True
    assert donnees["total"] == 20
    assert donnees["message"] == ""
    assert donnees["premier_choix"] == "44109"
    assert donnees["calcule_le"]
    assert donnees["prochaine_echeance"]
    assert donnees["grille"] == {
        "id": m.grille.pk,
        "epci": "244400404",
        "epci_nom": "Nantes Métropole",
        "version": 1,
        "libelle": "Grille de cotation de Nantes Métropole",
        "etat": "en_vigueur",
        "date_effet": "2023-10-02",
        "date_fin": None,
    }
    lignes = {lg["critere"]: lg for lg in donnees["lignes"]}
    assert set(lignes) == {"sans-logement", "anciennete", "heberge-temporaire"}
    assert lignes["sans-logement"] == {
        "critere": "sans-logement",
        "libelle": "Vous êtes sans logement, en situation de logement précaire ou âgé de 25 à 30 ans en difficulté "
        "économique",
        "famille": "priorites-etat",
        "famille_libelle": "Le caractère prioritaire de votre demande : priorités État",
        "points": 15,
        "raison": "Label « CP - Sans logement, logement précaire ou 25-30 ans en difficulté économique » posé sur "
        "la demande.",
        "exclusion": "",
        "jusqu_au": None,
    }
    assert lignes["anciennete"]["points"] == 5
    assert lignes["anciennete"]["jusqu_au"]
    assert lignes["heberge-temporaire"]["points"] == 0
    assert lignes["heberge-temporaire"]["exclusion"].startswith("Non cumulable avec les points accordés")
    assert [h["total"] for h in donnees["historique"]] == [20, 15]
    assert donnees["historique"][0]["grille"] == m.grille.pk
    assert donnees["historique"][0]["grille_version"] == 1
    consultation = Consultation.objects.get()
    assert (consultation.action, consultation.objet_id, consultation.utilisateur) == (
        Consultation.Action.API,
        str(demande.pk),
        m.agent_ehs,
    )


def test_sans_grille_le_message_l_explique(client, m):
    demande = enregistrer(m, communes=[m.ancenis])

    donnees = _cotation(client, demande, m.agent_bailleur).json()

    assert donnees["grille"] is None
    assert donnees["total"] is None
    assert donnees["lignes"] == []
    assert donnees["calculee"] is True
    assert donnees["message"] == (
        "Aucune grille de cotation ne s'applique : aucun choix de commune de la demande (premier choix : "
        "Ancenis-Saint-Géréon) n'est dans un territoire doté d'une grille."
    )
    assert donnees["territoires"] == []


def test_une_demande_a_un_resultat_par_territoire_de_ses_choix(client, m):
    """Seed 001 §5 : la cotation s'applique à toutes les demandes du territoire, pas seulement à celles qui le
    mettent en premier choix."""
    grilles.installer_grille(GRILLE_NANTES_METROPOLE, m.ancenis.epci_id)  # une grille pour la COMPA aussi
    demande = enregistrer(m, communes=[m.ancenis, m.reze, m.nantes], statut_occupation="sans_abri")

    donnees = _cotation(client, demande, m.agent_bailleur).json()

    territoires = {t["territoire"]: t for t in donnees["territoires"]}
    assert list(territoires) == ["200072726", "244400404"]  # dans l'ordre des choix
    assert territoires["244400404"]["commune"] == "44143"  # Rezé : le premier choix dans Nantes Métropole
    assert territoires["244400404"]["territoire_nom"] == "Nantes Métropole"
    assert territoires["244400404"]["total"] == territoires["200072726"]["total"] == 10
    assert donnees["grille"]["epci"] == "200072726"  # premier niveau : le territoire du premier choix


@pytest.mark.parametrize("role", ["agent_ehs", "agent_bailleur", "agent_ddets", "admin_epci", "admin_fichier"])
def test_les_roles_du_territoire_lisent_la_cotation(client, m, role):
    demande = enregistrer(m, communes=[m.nantes])
    assert _cotation(client, demande, getattr(m, role)).status_code == 200


@pytest.mark.parametrize("role", ["agent_lointain", "admin_compa", "agent_reze"])
def test_hors_perimetre_404_et_refus_au_journal(client, m, role):
    demande = enregistrer(m, communes=[m.nantes])

    reponse = _cotation(client, demande, getattr(m, role))

    assert reponse.status_code == 404
    assert "detail" in reponse.json()
    refus = Consultation.objects.get()
    assert (refus.action, refus.objet_id) == (Consultation.Action.REFUS, str(demande.pk))


def test_observateur_demandeur_anonyme_et_session_sans_second_facteur(client, m):
    demande = enregistrer(m, communes=[m.nantes])
    url = f"/api/v1/demandes/{demande.pk}/cotation/"

    assert client.get(url).status_code in (401, 403)
    assert _cotation(client, demande, m.observateur).status_code == 403
    client.force_login(DemandeurFactory())
    assert client.get(url).status_code == 403
    client.force_login(m.agent_ehs)
    assert client.get(url).status_code == 403  # session sans second facteur
    assert not Consultation.objects.exists()


def test_par_session_avec_second_facteur(client, agent_verifie, m):
    demande = enregistrer(m, communes=[m.nantes])
    agent_verifie(m.agent_ehs)

    assert client.get(f"/api/v1/demandes/{demande.pk}/cotation/").status_code == 200


# ---------------------------------------------------------------- grilles


def test_liste_des_grilles_et_filtres(client, m):
    brouillon = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    compa = grilles.creer_grille(m.ancenis.epci_id, libelle="Grille de la COMPA", auteur=AUTOMATE)

    tout_agent = client.get("/api/v1/cotation/grilles/", **_entetes(m.agent_ehs)).json()
    assert [g["id"] for g in tout_agent["results"]] == [m.grille.pk]  # les brouillons ne sont pas publics
    assert tout_agent["results"][0]["epci_nom"] == "Nantes Métropole"

    admin_nm = _entetes(m.admin_epci)
    ids = [g["id"] for g in client.get("/api/v1/cotation/grilles/", **admin_nm).json()["results"]]
    assert ids == [brouillon.pk, m.grille.pk]
    filtre = client.get("/api/v1/cotation/grilles/", {"etat": "brouillon"}, **admin_nm).json()
    assert [g["id"] for g in filtre["results"]] == [brouillon.pk]
    filtre = client.get("/api/v1/cotation/grilles/", {"epci": "244400404", "etat": "en_vigueur"}, **admin_nm)
    assert [g["version"] for g in filtre.json()["results"]] == [1]

    admin = _entetes(m.admin_fichier)
    assert (
        client.get("/api/v1/cotation/grilles/", {"epci": m.ancenis.epci_id}, **admin).json()["results"][0]["id"]
        == compa.pk
    )
    assert client.get("/api/v1/cotation/grilles/", {"etat": "inconnu"}, **admin).status_code == 400
    assert client.get("/api/v1/cotation/grilles/").status_code in (401, 403)


def test_detail_d_une_grille_avec_familles_et_criteres(client, m):
    reponse = client.get(f"/api/v1/cotation/grilles/{m.grille.pk}/", **_entetes(m.agent_bailleur))

    assert reponse.status_code == 200
    grille = reponse.json()
    assert grille["deliberation"] == "CIL du 25 janvier 2022, modifiée en CIL du 22 mars 2023"
    assert grille["introduction"].startswith("La cotation attribue des points")
    assert grille["total_plancher"] is None
    assert [f["code"] for f in grille["familles"]] == [
        "priorites-etat",
        "priorites-nm",
        "motifs",
        "anciennete",
        "situation-professionnelle",
        "situation-actuelle",
        "occupation",
        "historique",
    ]
    nm = grille["familles"][1]
    assert nm["cumul"] == "maximum"
    assert nm["exclue_si_familles"] == ["priorites-etat"]
    assert sum(len(f["criteres"]) for f in grille["familles"]) == 27
    anciennete = grille["familles"][3]["criteres"][0]
    assert anciennete["regle"] == "anciennete"
    assert anciennete["paliers"][0] == {
        "min": 6,
        "max": 18,
        "points": 5,
        "duree_mois": None,
        "libelle": "Entre 6 et 18 mois",
    }
    assert anciennete["paliers"][2]["max"] is None
    handicap = next(c for c in grille["familles"][2]["criteres"] if c["code"] == "logement-inadapte-handicap")
    assert handicap["exclu_si"] == ["situation-handicap"]
    assert handicap["parametres"] == {"motifs": ["handicap"]}
    assert handicap["famille"] == "motifs"


def test_un_brouillon_n_est_lu_que_par_ceux_qui_gerent_la_grille(client, m):
    brouillon = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    url = f"/api/v1/cotation/grilles/{brouillon.pk}/"

    assert client.get(url, **_entetes(m.agent_ehs)).status_code == 404
    assert client.get(url, **_entetes(m.admin_compa)).status_code == 404
    assert client.get(url, **_entetes(m.admin_epci)).status_code == 200
    assert client.get(url, **_entetes(m.admin_fichier)).status_code == 200
    assert client.post("/api/v1/cotation/grilles/", {}, **_entetes(m.admin_fichier)).status_code in (403, 405)


def test_le_schema_decrit_les_routes_de_la_cotation(tmp_path):
    fichier = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fichier))
    schema = yaml.safe_load(fichier.read_text(encoding="utf-8"))
    chemins = schema["paths"]
    assert {
        "/api/v1/demandes/{demande_id}/cotation/",
        "/api/v1/cotation/grilles/",
        "/api/v1/cotation/grilles/{id}/",
    } <= set(chemins)
    parametres = {p["name"] for p in chemins["/api/v1/cotation/grilles/"]["get"]["parameters"]}
    assert {"epci", "etat", "page"} <= parametres
    assert "cotation" in chemins["/api/v1/demandes/{demande_id}/cotation/"]["get"]["tags"]
