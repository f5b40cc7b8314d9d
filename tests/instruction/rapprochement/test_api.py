"""API des candidats d'une vacance : liste classée, filtres, raisons d'exclusion, accès, journal, schéma."""

import yaml
from django.core.management import call_command

from fdls.audit.models import Consultation
from tests.instruction.rapprochement.aides import COUPLE
from tests.monde.dossiers import enregistrer


def chemin(vacance, suite=""):
    return f"/api/v1/disponibilites/{vacance.pk}/candidats/{suite}"


def test_liste_classee_avec_points_labels_et_journal(m, vacance, client, jeton):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE)
    _, entetes, _ = jeton(m.agent_bailleur)
    reponse = client.get(chemin(vacance), headers=entetes)
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["count"] == 1
    (candidat,) = corps["results"]
    assert candidat["demande"] == demande.pk
    assert candidat["numero_unique"] == demande.numero_unique
    assert candidat["rang"] == 1
    assert set(candidat) >= {"points", "date_depot", "labels", "contingents", "nb_propositions", "nb_refus"}
    assert Consultation.objects.filter(objet_id=str(demande.pk), action=Consultation.Action.API).count() == 1


def test_filtres_et_raisons_sur_demande(m, vacance, client, jeton):
    enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="DURAND")
    exclue = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="LEROY", rez_de_chaussee=True)
    _, entetes, _ = jeton(m.agent_bailleur)
    corps = client.get(chemin(vacance), {"nom": "LER", "raisons": "leroy"}, headers=entetes).json()
    assert corps["results"] == []
    assert corps["explications"][0]["demande"] == exclue.pk
    assert corps["explications"][0]["raisons"] == [
        "exige un rez-de-chaussée (logement au 2e étage)",
    ]
    raisons = client.get(chemin(vacance, "raisons/"), {"demande": exclue.numero_unique}, headers=entetes).json()
    assert raisons[0]["proposee"] is False
    assert raisons[0]["raisons"] == ["exige un rez-de-chaussée (logement au 2e étage)"]


def test_filtre_invalide_400_en_francais(m, vacance, client, jeton):
    _, entetes, _ = jeton(m.agent_bailleur)
    reponse = client.get(chemin(vacance), {"points_min": 20, "points_max": 5}, headers=entetes)
    assert reponse.status_code == 400
    assert "Le nombre de points maximum est inférieur au minimum." in reponse.content.decode()
    reponse = client.get(chemin(vacance, "raisons/"), headers=entetes)
    assert reponse.status_code == 400
    assert "Indiquez un numéro unique ou un nom." in reponse.content.decode()


def test_acces_refuse_au_guichet_et_introuvable_hors_parc(m, vacance, client, jeton):
    _, entetes, _ = jeton(m.agent_ehs)
    assert client.get(chemin(vacance), headers=entetes).status_code == 403
    _, entetes, _ = jeton(m.agent_lointain)
    assert client.get(chemin(vacance), headers=entetes).status_code == 404


def test_schema_openapi(tmp_path):
    fichier = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fichier))
    chemins = yaml.safe_load(fichier.read_text(encoding="utf-8"))["paths"]
    assert set(chemins["/api/v1/disponibilites/{id}/candidats/"]) == {"get"}
    parametres = {p["name"] for p in chemins["/api/v1/disponibilites/{id}/candidats/"]["get"]["parameters"]}
    assert {"typologies", "rang_max", "points_min", "taux_effort_max", "raisons", "page"} <= parametres
    assert set(chemins["/api/v1/disponibilites/{id}/candidats/raisons/"]) == {"get"}
