"""Saisie et cycle de vie des demandes par l'API : mêmes règles que les écrans, erreurs en français par
chemin de champ, rien d'écrit sur une erreur, politique d'accès par rôle et par territoire."""

import base64
import datetime
import json

import pytest
import time_machine

from demandes.dossier.numerotation import MESSAGE_FORMAT, formater_numero_unique
from demandes.models import Demande, Evenement, Personne, SuspicionDoublon
from fdls.audit.models import Consultation
from fdls.territoires.models import Quartier
from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DemandeFactory,
    DepartementFactory,
    GuichetFactory,
    OrganismeFactory,
)
from tests.monde.fichiers import PDF

LISTE = "/api/v1/demandes/"


@pytest.fixture(autouse=True)
def _date_fixe():
    # L'horloge avance (tick) : l'historique se lit dans l'ordre des instants, comme en service.
    with time_machine.travel(datetime.datetime(2026, 5, 14, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def territoire():
    """Un bailleur habilité sur Nantes et Rezé, avec un guichet accompagnateur « 10865 » à Nantes."""
    nantes = CommuneFactory(code_insee="44109", nom="Nantes")
    reze = CommuneFactory(code_insee="44143", nom="Rezé")
    organisme = OrganismeFactory(nom="Habitat 44", perimetre=[nantes, reze])
    guichet = GuichetFactory(code="10865", nom="Habitat 44 – accueil", organisme=organisme, commune=nantes)
    return {"nantes": nantes, "reze": reze, "organisme": organisme, "guichet": guichet}


@pytest.fixture
def agent(territoire, jeton):
    """Agent de guichet du bailleur, jeton de portée « écriture » : (agent, en-têtes)."""
    agent, entetes, _ = jeton(organisme=territoire["organisme"], ecriture=True)
    return agent, entetes


def charge(**champs) -> dict:
    corps = {
        "guichet": "10865",
        "typologies": ["T3"],
        "statut_occupation": "locataire_prive",
        "motifs": ["trop_cher"],
        "loyer_actuel": "640.00",
        "personnes": [
            {
                "role": "demandeur",
                "civilite": "MME",
                "nom": "Martin",
                "prenom": "Claire",
                "date_naissance": "1985-04-12",
                "nationalite": "francaise",
                "situation_familiale": "celibataire",
                "activite": "salarie_prive",
                "profession": "Aide-soignante",
                "employeur": "CHU de Nantes",
                "revenu_fiscal": "18500.00",
                "ressources": [
                    {"type": "salaire", "montant": "1450.00"},
                    {"type": "prime_activite", "montant": "120.50"},
                ],
            },
            {
                "role": "occupant",
                "nom": "Martin",
                "prenom": "Léo",
                "date_naissance": "2015-06-01",
                "lien_parente": "enfant",
                "a_charge": True,
            },
        ],
        "localisations": [{"commune": "44143"}, {"commune": "44109"}],
        # La pièce d'identité du demandeur, obligatoire pour enregistrer (seed 001 §2).
        "piece_identite": PIECE_IDENTITE,
    }
    corps.update(champs)
    return corps


PIECE_IDENTITE = {"nom": "carte-identite.pdf", "contenu": base64.b64encode(PDF).decode()}


def envoyer(client, methode, adresse, corps, entetes):
    return getattr(client, methode)(adresse, json.dumps(corps), content_type="application/json", headers=entetes)


def creer(client, entetes, **champs) -> dict:
    reponse = envoyer(client, "post", LISTE, charge(**champs), entetes)
    assert reponse.status_code == 201, reponse.content
    return reponse.json()


def ecritures() -> tuple[int, int, int]:
    return Demande.objects.count(), Personne.objects.count(), Evenement.objects.count()


# ---------------------------------------------------------------- création


def test_creer_une_demande_numero_unique_historique_et_dossier_complet(client, territoire, agent):
    user, entetes = agent
    reponse = envoyer(client, "post", LISTE, charge(), entetes)
    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    demande = Demande.objects.get()
    assert reponse["Location"].endswith(f"{LISTE}{demande.pk}/")
    assert corps["id"] == demande.pk
    # Département (3) + mois et année du dépôt + séquence (6) + code du guichet (domain.md §1).
    assert corps["numero_unique"] == demande.numero_unique == "044052600000110865"
    assert corps["numero_unique_affiche"] == formater_numero_unique(corps["numero_unique"])
    assert corps["reference"] == "2026050001"
    assert (corps["etat"], corps["canal"], corps["guichet_code"]) == ("active", "api", "10865")
    assert corps["date_depot"] == "2026-05-14"
    assert corps["date_expiration"] == "2027-05-14"
    assert (corps["nom"], corps["prenom"], corps["date_naissance"]) == ("Martin", "Claire", "1985-04-12")
    assert corps["loyer_actuel"] == "640.00"
    assert corps["nb_personnes"] == 2
    demandeur, enfant = corps["personnes"]
    assert (demandeur["role"], demandeur["profession"], demandeur["employeur"]) == (
        "demandeur",
        "Aide-soignante",
        "CHU de Nantes",
    )
    assert {(r["type"], r["montant"]) for r in demandeur["ressources"]} == {
        ("salaire", "1450.00"),
        ("prime_activite", "120.50"),
    }
    assert enfant["lien_parente"] == "enfant"
    localisations = [(c["rang"], c["commune"], c["commune_nom"], c["date_anciennete"]) for c in corps["localisations"]]
    assert localisations == [
        (1, "44143", "Rezé", "2026-05-14"),
        (2, "44109", "Nantes", "2026-05-14"),
    ]
    assert corps["changements"] == []
    assert corps["doublons_candidats"] == []
    evenement = demande.evenements.get(type="enregistrement")
    assert (evenement.type, evenement.auteur, evenement.organisme) == ("enregistrement", user, territoire["organisme"])
    assert demande.pieces.get().type == "identite"


def test_brouillon_puis_enregistrement(client, territoire, agent):
    _, entetes = agent
    identite = charge()["personnes"][:1]
    sans_piece = charge(brouillon=True, personnes=identite, localisations=[])
    del sans_piece["piece_identite"]
    reponse = envoyer(client, "post", LISTE, sans_piece, entetes)
    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    assert (corps["etat"], corps["numero_unique"], corps["reference"]) == ("brouillon", None, None)
    adresse = f"{LISTE}{corps['id']}/"
    assert not Evenement.objects.exists()

    # Mise à jour du brouillon : il le reste tant que « brouillon » n'est pas false.
    reponse = envoyer(client, "patch", adresse, {"typologies": ["T2"]}, entetes)
    assert reponse.status_code == 200, reponse.content
    assert (reponse.json()["etat"], reponse.json()["typologies"]) == ("brouillon", ["T2"])

    # Enregistrer un brouillon incomplet : les règles du dossier complet s'appliquent, et toutes les
    # erreurs viennent en une réponse (dossier et pièce d'identité).
    reponse = envoyer(client, "patch", adresse, {"brouillon": False}, entetes)
    assert reponse.status_code == 400
    assert set(reponse.json()["erreurs"]) == {"localisations", "piece_identite"}
    assert Demande.objects.get().etat == "brouillon"

    # Sans la pièce d'identité du demandeur : refusé, rien n'est écrit.
    reponse = envoyer(client, "patch", adresse, {"brouillon": False, "localisations": [{"commune": "44109"}]}, entetes)
    assert reponse.status_code == 400
    assert "pièce d'identité du demandeur" in reponse.json()["erreurs"]["piece_identite"][0]
    assert Demande.objects.get().etat == "brouillon"

    reponse = envoyer(
        client,
        "patch",
        adresse,
        {"brouillon": False, "localisations": [{"commune": "44109"}], "piece_identite": PIECE_IDENTITE},
        entetes,
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["etat"] == "active"
    assert len(reponse.json()["numero_unique"]) == 18
    assert list(Evenement.objects.values_list("type", flat=True)) == ["piece_ajoutee", "enregistrement"]


def test_doublons_candidats_montres_puis_ecartes(client, territoire, agent):
    _, entetes = agent
    meme_menage = DemandeFactory(
        nom="MARTIN", prenom="Claire", date_naissance=datetime.date(1985, 4, 12), communes=[territoire["reze"]]
    )
    ailleurs = CommuneFactory(code_insee="85191", nom="La Roche-sur-Yon", departement=DepartementFactory(code="85"))
    hors_territoire = DemandeFactory(
        nom="Martin", prenom="Claire", date_naissance=datetime.date(1985, 4, 12), communes=[ailleurs]
    )
    brouillon = creer(client, entetes, brouillon=True)
    candidats = {c["numero_unique"]: c for c in brouillon["doublons_candidats"]}
    assert set(candidats) == {meme_menage.numero_unique, hors_territoire.numero_unique}
    visible = candidats[meme_menage.numero_unique]
    assert visible["demande"] == meme_menage.pk
    assert visible["hors_territoire"] is False
    assert visible["score"] >= 85
    assert (visible["nom"], visible["numero_unique"]) == ("MARTIN", meme_menage.numero_unique)
    cache = candidats[hors_territoire.numero_unique]
    assert cache["hors_territoire"] is True
    # Ni identité ni identifiant interne d'une demande hors du territoire (issue 15).
    assert cache["demande"] is None
    assert (cache["score"], cache["nom"], cache["prenom"], cache["motif"]) == (None, None, None, "")
    assert cache["numero_unique"] == hors_territoire.numero_unique

    reponse = envoyer(
        client,
        "patch",
        f"{LISTE}{brouillon['id']}/",
        {"brouillon": False, "doublons_ecartes": [meme_menage.pk], "piece_identite": PIECE_IDENTITE},
        entetes,
    )
    assert reponse.status_code == 200, reponse.content
    statuts = {
        (s.demande_a_id, s.demande_b_id): s.statut for s in SuspicionDoublon.objects.filter(demande_b=brouillon["id"])
    }
    assert statuts[(meme_menage.pk, brouillon["id"])] == "distinctes"
    assert statuts[(hors_territoire.pk, brouillon["id"])] == "a_traiter"


# ---------------------------------------------------------------- saisie invalide


def _sans(chemin_personne: int, champ: str):
    corps = charge()
    del corps["personnes"][chemin_personne][champ]
    return corps


def _avec_personne(indice, **champs):
    corps = charge()
    corps["personnes"][indice].update(champs)
    return corps


def _avec_ressource(indice, **champs):
    corps = charge()
    corps["personnes"][0]["ressources"][indice].update(champs)
    return corps


INVALIDES = {
    "date impossible": (
        _avec_personne(0, date_naissance="1985-02-30"),
        "personnes[0].date_naissance",
        "La date n'a pas le bon format",
    ),
    "date future": (
        _avec_personne(1, date_naissance="2031-01-01"),
        "personnes[1].date_naissance",
        "Cette date est dans le futur.",
    ),
    "date avant 1900": (
        _avec_personne(1, date_naissance="1850-01-01"),
        "personnes[1].date_naissance",
        "antérieure à 1900",
    ),
    "revenu négatif": (
        _avec_ressource(1, montant="-120.50"),
        "personnes[0].ressources[1].montant",
        "Assurez-vous que cette valeur est supérieure ou égale à",
    ),
    "montant qui n'est pas un nombre": (
        _avec_ressource(0, montant="beaucoup"),
        "personnes[0].ressources[0].montant",
        "nombre valide",
    ),
    "revenu fiscal négatif": (
        _avec_personne(0, revenu_fiscal=-1),
        "personnes[0].revenu_fiscal",
        "supérieure ou égale à",
    ),
    "occupant sans date de naissance": (
        _sans(1, "date_naissance"),
        "personnes[1].date_naissance",
        "Ce champ est obligatoire.",
    ),
    "occupant avec date de naissance nulle": (
        _avec_personne(1, date_naissance=None),
        "personnes[1].date_naissance",
        "Ce champ ne peut être nul.",
    ),
    "type de ressource inconnu": (
        _avec_ressource(0, type="loto"),
        "personnes[0].ressources[0].type",
        "n'est pas un choix valide",
    ),
    "même type de ressource deux fois": (
        _avec_ressource(1, type="salaire"),
        "personnes[0].ressources",
        "Chaque type de ressource n'apparaît qu'une fois.",
    ),
    "SIRET mal formé": (
        _avec_personne(0, employeur_siret="1234"),
        "personnes[0].employeur_siret",
        "Le SIRET compte 14 chiffres.",
    ),
    "fin d'activité avant son début": (
        _avec_personne(0, activite_depuis="2020-01-01", activite_jusqua="2019-01-01"),
        "personnes[0].activite_jusqua",
        "La fin d'activité précède son début",
    ),
    "demandeur mineur": (
        _avec_personne(0, date_naissance="2015-01-01"),
        "personnes[0].date_naissance",
        "au moins 16 ans",
    ),
    "deux demandeurs": (_avec_personne(1, role="demandeur"), "personnes", "exactement un demandeur"),
    "occupant sans lien de parenté": (
        _avec_personne(1, lien_parente=""),
        "personnes[1].lien_parente",
        "Indiquez le lien avec le demandeur.",
    ),
    "ménage vide": (charge(personnes=[]), "personnes", "au moins 1"),
    "sans typologie": (charge(typologies=[]), "typologies", "Indiquez au moins une typologie recherchée."),
    "typologie inconnue": (charge(typologies=["T3", "T12"]), "typologies[1]", "n'est pas un choix valide"),
    "commune inconnue": (
        charge(localisations=[{"commune": "44109"}, {"commune": "44999"}]),
        "localisations[1].commune",
        "Commune inconnue : aucune commune n'a le code INSEE « 44999 ».",
    ),
    "code commune mal formé": (
        charge(localisations=[{"commune": "Nantes"}]),
        "localisations[0].commune",
        "Le code INSEE d'une commune compte 5 caractères",
    ),
    "même commune deux fois": (
        charge(localisations=[{"commune": "44109"}, {"commune": "44109"}]),
        "localisations",
        "Une même commune ne peut être choisie deux fois.",
    ),
    "quartier inconnu": (
        charge(localisations=[{"commune": "44109", "quartier": 999999999}]),
        "localisations[0].quartier",
        "Quartier inconnu",
    ),
    "sans guichet": ({k: v for k, v in charge().items() if k != "guichet"}, "guichet", "Ce champ est obligatoire."),
    "guichet mal formé": (charge(guichet="12"), "guichet", "Le code guichet compte exactement 5 chiffres."),
    "guichet inconnu": (charge(guichet="99999"), "guichet", "Guichet inconnu"),
    "loyer trop précis": (charge(loyer_actuel="640.123"), "loyer_actuel", "chiffres après la virgule"),
    "nombre de pièces négatif": (charge(pieces_actuelles=-2), "pieces_actuelles", "supérieure ou égale à"),
    "champ inconnu": (charge(couleur="bleu"), "couleur", "Champ inconnu ou non modifiable."),
    "champ en lecture seule": (charge(numero_unique="044051400008110865"), "numero_unique", "Champ inconnu"),
    "champ inconnu imbriqué": (_avec_personne(0, pointure=42), "personnes[0].pointure", "Champ inconnu"),
}


@pytest.mark.parametrize(("corps", "chemin", "message"), INVALIDES.values(), ids=INVALIDES.keys())
def test_saisie_invalide_400_par_chemin_en_francais_et_rien_d_ecrit(client, territoire, agent, corps, chemin, message):
    _, entetes = agent
    avant = ecritures()
    reponse = envoyer(client, "post", LISTE, corps, entetes)
    assert reponse.status_code == 400, reponse.content
    reponse_json = reponse.json()
    assert reponse_json["code"] == "invalide"
    assert reponse_json["detail"] == "La requête contient des erreurs : corrigez les champs indiqués."
    assert chemin in reponse_json["erreurs"], reponse_json["erreurs"]
    assert any(message in m for m in reponse_json["erreurs"][chemin]), reponse_json["erreurs"][chemin]
    assert ecritures() == avant


def test_commune_d_un_autre_departement_et_quartier_d_une_autre_commune(client, territoire, agent):
    _, entetes = agent
    CommuneFactory(code_insee="85191", nom="La Roche-sur-Yon", departement=DepartementFactory(code="85"))
    quartier = Quartier.objects.create(commune=territoire["reze"], nom="Château")
    reponse = envoyer(
        client,
        "post",
        LISTE,
        charge(localisations=[{"commune": "44109", "quartier": quartier.pk}, {"commune": "85191"}]),
        entetes,
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()["erreurs"]
    assert erreurs["localisations[0].quartier"] == ["Le quartier Château n'est pas à Nantes."]
    assert "n'est pas dans le département 44" in erreurs["localisations[1].commune"][0]
    assert not Demande.objects.exists()


def test_guichet_d_un_autre_organisme_ou_relai_refuse(client, territoire, agent):
    _, entetes = agent
    GuichetFactory(code="20999", nom="Autre bailleur", commune=territoire["nantes"])
    GuichetFactory(code="20998", nom="Mairie annexe", organisme=territoire["organisme"], relai=True)
    autre = envoyer(client, "post", LISTE, charge(guichet="20999"), entetes).json()["erreurs"]["guichet"]
    assert autre == [
        "Le guichet Autre bailleur (20999) n'appartient pas à votre organisme : "
        "enregistrez la demande à l'un de vos guichets."
    ]
    relai = envoyer(client, "post", LISTE, charge(guichet="20998"), entetes).json()["erreurs"]["guichet"]
    assert "guichet relai" in relai[0]
    assert not Demande.objects.exists()


# ---------------------------------------------------------------- modification


def test_modification_historisee_avec_ancienne_et_nouvelle_valeur(client, territoire, agent):
    user, entetes = agent
    creee = creer(client, entetes)
    adresse = f"{LISTE}{creee['id']}/"
    reponse = envoyer(client, "patch", adresse, {"loyer_actuel": "700.00", "typologies": ["T3", "T4"]}, entetes)
    assert reponse.status_code == 200, reponse.content
    changements = {(c["champ"], c["ancien"], c["nouveau"]) for c in reponse.json()["changements"]}
    assert ("Loyer avec charges (€/mois)", "640,00", "700,00") in changements
    assert ("Typologies recherchées", "T3 - 3 pièces", "T3 - 3 pièces, T4 - 4 pièces") in changements
    evenement = Evenement.objects.get(demande_id=creee["id"], type="modification")
    assert evenement.auteur == user
    assert {(c["champ"], c["ancien"], c["nouveau"]) for c in evenement.details["changements"]} == changements

    # PUT : le ménage entier ; une personne garde son identifiant.
    personnes = charge()["personnes"]
    personnes[0]["id"] = creee["personnes"][0]["id"]
    personnes[0]["prenom"] = "Clara"
    reponse = envoyer(client, "put", adresse, {"personnes": personnes}, entetes)
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["prenom"] == "Clara"
    assert reponse.json()["personnes"][0]["id"] == creee["personnes"][0]["id"]
    assert ("Demandeur", "Prénom", "Claire", "Clara") in {
        (c["rubrique"], c["champ"], c["ancien"], c["nouveau"]) for c in reponse.json()["changements"]
    }
    assert reponse.json()["loyer_actuel"] == "700.00"  # absent du PUT : inchangé

    # Rien de changé : rien d'écrit.
    avant = Evenement.objects.count()
    reponse = envoyer(client, "patch", adresse, {"loyer_actuel": "700"}, entetes)
    assert (reponse.status_code, reponse.json()["changements"]) == (200, [])
    assert Evenement.objects.count() == avant


def test_modification_invalide_rien_d_ecrit(client, territoire, agent):
    _, entetes = agent
    creee = creer(client, entetes)
    autre = DemandeFactory(communes=[territoire["nantes"]])
    adresse = f"{LISTE}{creee['id']}/"
    avant = ecritures()
    cas = [
        ("put", {"loyer_actuel": "700"}, "personnes", "Ce champ est obligatoire."),
        ("patch", {"brouillon": True}, "brouillon", "ne redevient pas un brouillon"),
        ("patch", {"guichet": "20001"}, "guichet", None),
        ("patch", {"doublons_ecartes": [autre.pk]}, "doublons_ecartes", "suspicions de doublon"),
        ("patch", {"typologies": []}, "typologies", "Indiquez au moins une typologie"),
        (
            "patch",
            {"personnes": [{**charge()["personnes"][0], "id": autre.personnes.get().pk}]},
            "personnes[0].id",
            "ne fait pas partie du ménage",
        ),
        ("patch", {"localisations": [{"commune": "44999"}]}, "localisations[0].commune", "Commune inconnue"),
    ]
    for methode, corps, chemin, message in cas:
        reponse = envoyer(client, methode, adresse, corps, entetes)
        assert reponse.status_code == 400, (corps, reponse.content)
        assert chemin in reponse.json()["erreurs"], reponse.json()
        if message:
            assert any(message in m for m in reponse.json()["erreurs"][chemin]), reponse.json()
    assert ecritures() == avant
    assert Demande.objects.get(pk=creee["id"]).loyer_actuel == 640


# ---------------------------------------------------------------- cycle de vie


def test_renouveler_garde_la_date_de_depot(client, territoire, agent):
    _, entetes = agent
    creee = creer(client, entetes)
    with time_machine.travel(datetime.datetime(2027, 4, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        reponse = client.post(f"{LISTE}{creee['id']}/renouveler/", headers=entetes)
    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert (corps["date_depot"], corps["date_renouvellement"], corps["date_expiration"]) == (
        "2026-05-14",
        "2027-04-20",
        "2028-04-20",
    )
    assert Evenement.objects.filter(demande_id=creee["id"], type="renouvellement").count() == 1


def test_annuler_reactiver_et_transitions_refusees(client, territoire, agent):
    _, entetes = agent
    creee = creer(client, entetes)
    adresse = f"{LISTE}{creee['id']}/"

    reponse = envoyer(client, "post", f"{adresse}annuler/", {"motif": "autre", "commentaire": "Déménagé"}, entetes)
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["motif"]
    reponse = envoyer(client, "post", f"{adresse}annuler/", {"motif": "non_reponse"}, entetes)
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["motif"]
    reponse = envoyer(client, "post", f"{adresse}annuler/", {"motif": "doublon"}, entetes)
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["motif"]

    annulation = {"motif": "renonciation", "commentaire": "Relogée"}
    reponse = envoyer(client, "post", f"{adresse}annuler/", annulation, entetes)
    assert reponse.status_code == 200, reponse.content
    assert (reponse.json()["etat"], reponse.json()["motif_annulation"]) == ("annulee", "renonciation")
    assert reponse.json()["date_fin"] == "2026-05-14"

    # Une demande annulée ne s'annule, ne se renouvelle ni ne se modifie.
    refus = [
        envoyer(client, "post", f"{adresse}annuler/", {"motif": "renonciation"}, entetes),
        client.post(f"{adresse}renouveler/", headers=entetes),
        envoyer(client, "patch", adresse, {"loyer_actuel": "1.00"}, entetes),
    ]
    for reponse in refus:
        assert reponse.status_code == 409, reponse.content
        assert reponse.json()["code"] == "transition_interdite"
        assert "à l'état « annulée »" in reponse.json()["detail"]

    reponse = envoyer(client, "post", f"{adresse}reactiver/", {"motif": ""}, entetes)
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["motif"]
    reponse = envoyer(client, "post", f"{adresse}reactiver/", {"motif": "Annulée par erreur"}, entetes)
    assert reponse.status_code == 200, reponse.content
    assert (reponse.json()["etat"], reponse.json()["date_fin"]) == ("active", None)

    reponse = envoyer(client, "post", f"{adresse}reactiver/", {"motif": "Encore"}, entetes)
    assert reponse.status_code == 409
    assert reponse.json()["detail"] == "Impossible de réactiver une demande à l'état « active »."
    types = list(Evenement.objects.filter(demande_id=creee["id"]).values_list("type", flat=True))
    assert types == ["reactivation", "annulation", "piece_ajoutee", "enregistrement"]


def test_reactivation_hors_delai_409(client, territoire, agent):
    _, entetes = agent
    creee = creer(client, entetes)
    adresse = f"{LISTE}{creee['id']}/"
    assert envoyer(client, "post", f"{adresse}annuler/", {"motif": "renonciation"}, entetes).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        reponse = envoyer(client, "post", f"{adresse}reactiver/", {"motif": "Retour du courrier"}, entetes)
    assert reponse.status_code == 409
    assert "nouvelle demande" in reponse.json()["detail"]
    assert Demande.objects.get(pk=creee["id"]).etat == "annulee"


# ---------------------------------------------------------------- accès


def test_acces_par_role_et_territoire(client, territoire, agent, jeton):
    _, entetes = agent
    creee = creer(client, entetes)
    adresse = f"{LISTE}{creee['id']}/"
    avant = ecritures()

    # Instructeur du bailleur, même territoire : lit, corrige (plus bas), mais n'enregistre ni ne renouvelle (403).
    _, instructeur, _ = jeton(organisme=territoire["organisme"], bailleur=True, ecriture=True)
    assert client.get(adresse, headers=instructeur).status_code == 200
    for reponse in (
        envoyer(client, "post", LISTE, charge(), instructeur),
        client.post(f"{adresse}renouveler/", headers=instructeur),
        envoyer(client, "post", f"{adresse}annuler/", {"motif": "renonciation"}, instructeur),
    ):
        assert reponse.status_code == 403
        assert reponse.json()["code"] == "acces_refuse"
        assert "guichet accompagnateur" in reponse.json()["detail"]

    # Agent de guichet d'un autre territoire : 404, comme une demande qui n'existe pas.
    ailleurs = CommuneFactory(code_insee="44190", nom="Saint-Nazaire")
    autre = OrganismeFactory(nom="Silène", perimetre=[ailleurs])
    GuichetFactory(organisme=autre, commune=ailleurs)
    _, etranger, _ = jeton(organisme=autre, ecriture=True)
    for reponse in (
        client.get(adresse, headers=etranger),
        client.get(f"{adresse}historique/", headers=etranger),
        envoyer(client, "patch", adresse, {"loyer_actuel": "1.00"}, etranger),
        envoyer(client, "post", f"{adresse}annuler/", {"motif": "renonciation"}, etranger),
    ):
        assert reponse.status_code == 404
        assert reponse.json() == {"detail": "Ressource introuvable.", "code": "introuvable"}

    # Observateur : aucune donnée nominative.
    _, observateur, _ = jeton(organisme=territoire["organisme"], observateur=True, ecriture=True)
    for reponse in (client.get(adresse, headers=observateur), envoyer(client, "post", LISTE, charge(), observateur)):
        assert reponse.status_code == 403
        assert "R441-2-6" in reponse.json()["detail"]

    # Jeton en lecture seule de l'agent de guichet : aucune écriture.
    _, lecture, _ = jeton(AgentFactory(organisme=territoire["organisme"]))
    for reponse in (
        envoyer(client, "post", LISTE, charge(), lecture),
        envoyer(client, "patch", adresse, {"loyer_actuel": "1.00"}, lecture),
        client.post(f"{adresse}renouveler/", headers=lecture),
        envoyer(client, "post", f"{adresse}annuler/", {"motif": "renonciation"}, lecture),
    ):
        assert reponse.status_code == 403
        assert "lecture seule" in reponse.json()["detail"]
    assert client.get(adresse, headers=lecture).status_code == 200
    assert ecritures() == avant

    # Issue 18, point 5 : l'instructeur du bailleur complète et corrige la demande active, au nom de son organisme.
    reponse = envoyer(client, "patch", adresse, {"loyer_actuel": "1.00"}, instructeur)
    assert reponse.status_code == 200
    modification = Evenement.objects.get(demande_id=creee["id"], type="modification")
    assert modification.organisme_id == territoire["organisme"].pk


def test_organisme_sans_guichet_accompagnateur_n_enregistre_pas(client, territoire, jeton):
    mairie = OrganismeFactory(type="commune", perimetre=[territoire["nantes"]])
    GuichetFactory(organisme=mairie, commune=territoire["nantes"], relai=True)
    _, entetes, _ = jeton(organisme=mairie, ecriture=True)
    reponse = envoyer(client, "post", LISTE, charge(), entetes)
    assert reponse.status_code == 403
    assert not Demande.objects.exists()


# ---------------------------------------------------------------- lecture


def test_fiche_complete_et_journalisee(client, territoire, agent):
    user, entetes = agent
    creee = creer(client, entetes)
    avant = Consultation.objects.filter(utilisateur=user).count()
    corps = client.get(f"{LISTE}{creee['id']}/", headers=entetes).json()
    assert corps["numero_unique_affiche"] == formater_numero_unique(creee["numero_unique"])
    assert corps["personnes"][0]["ressources"][0]["type_libelle"]
    assert corps["localisations"][0]["quartier_nom"] is None
    assert "changements" not in corps
    assert Consultation.objects.filter(utilisateur=user).count() == avant + 1
    derniere = Consultation.objects.filter(utilisateur=user).order_by("-id").first()
    assert (derniere.action, derniere.objet_id) == ("api", str(creee["id"]))


def test_par_numero_unique(client, territoire, agent):
    user, entetes = agent
    creee = creer(client, entetes)
    nu = creee["numero_unique"]
    reponse = client.get(f"{LISTE}par-numero/{formater_numero_unique(nu)}/", headers=entetes)
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["id"] == creee["id"]
    assert Consultation.objects.filter(utilisateur=user, objet_id=str(creee["id"]), chemin__contains="par-numero")

    mal_forme = client.get(f"{LISTE}par-numero/12345/", headers=entetes)
    assert mal_forme.status_code == 400
    assert mal_forme.json()["erreurs"] == {"numero_unique": [MESSAGE_FORMAT]}
    mois_13 = client.get(f"{LISTE}par-numero/044132600000110865/", headers=entetes)
    assert mois_13.status_code == 400
    assert "le mois de dépôt (13) n'existe pas" in mois_13.json()["erreurs"]["numero_unique"][0]
    inconnu = client.get(f"{LISTE}par-numero/044052600009910865/", headers=entetes)
    assert inconnu.status_code == 404

    # Le filtre de la liste : un numéro partiel d'au moins 4 chiffres cherche, moins est refusé en français.
    assert client.get(LISTE, {"numero_unique": "123"}, headers=entetes).status_code == 400
    partiel = client.get(LISTE, {"numero_unique": nu[-9:]}, headers=entetes).json()
    assert [d["id"] for d in partiel["results"]] == [creee["id"]]
    trouve = client.get(LISTE, {"numero_unique": formater_numero_unique(nu)}, headers=entetes).json()
    assert [d["id"] for d in trouve["results"]] == [creee["id"]]


def test_liste_filtree_comme_les_ecrans(client, territoire, agent):
    _, entetes = agent
    martin = creer(client, entetes)
    durand = creer(
        client,
        entetes,
        personnes=[{**charge()["personnes"][0], "nom": "Durand", "prenom": "Paul", "date_naissance": "1970-01-02"}],
    )
    annulee = envoyer(client, "post", f"{LISTE}{durand['id']}/annuler/", {"motif": "renonciation"}, entetes)
    assert annulee.status_code == 200
    with time_machine.travel(datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        juin = creer(
            client,
            entetes,
            personnes=[{**charge()["personnes"][0], "nom": "Bernard", "prenom": "Inès", "date_naissance": "1990-3-3"}],
        )

    def ids(**filtres):
        reponse = client.get(LISTE, filtres, headers=entetes)
        assert reponse.status_code == 200, reponse.content
        return {d["id"] for d in reponse.json()["results"]}

    assert ids() == {martin["id"], durand["id"], juin["id"]}
    assert ids(nom="mart") == {martin["id"]}
    assert ids(etat="annulee") == {durand["id"]}
    assert ids(reference=juin["reference"]) == {juin["id"]}
    assert ids(depot_du="2026-06-01") == {juin["id"]}
    reponse = client.get(LISTE, {"etat": "perdue"}, headers=entetes)
    assert reponse.status_code == 400
    assert "etat" in reponse.json()["erreurs"]


def test_historique_du_plus_recent_au_plus_ancien_filtre_par_periode(client, territoire, agent):
    user, entetes = agent
    creee = creer(client, entetes)
    adresse = f"{LISTE}{creee['id']}/"
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert envoyer(client, "patch", adresse, {"loyer_actuel": "710.00"}, entetes).status_code == 200
    # Le renouvellement s'ouvre un mois avant l'échéance (date annoncée par l'attestation).
    Demande.objects.filter(pk=creee["id"]).update(date_expiration=datetime.date(2027, 4, 20))
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert client.post(f"{adresse}renouveler/", headers=entetes).status_code == 200

    avant = Consultation.objects.filter(utilisateur=user).count()
    reponse = client.get(f"{adresse}historique/", headers=entetes)
    assert reponse.status_code == 200, reponse.content
    evenements = reponse.json()["results"]
    types = ["renouvellement", "modification", "piece_ajoutee", "enregistrement"]
    assert [e["type"] for e in evenements] == types
    assert evenements[0]["libelle"] == "Renouvellement de la demande"
    assert {e["auteur_libelle"] for e in evenements} == {"Habitat 44"}
    assert evenements[0]["details"]["nouvelle_expiration"] == "2028-04-01"
    modification = evenements[1]
    assert modification["details"]["changements"] == [
        {
            "rubrique": "Situation actuelle",
            "champ": "Loyer avec charges (€/mois)",
            "ancien": "640,00",
            "nouveau": "710,00",
        }
    ]
    assert modification["precisions"] == "Situation actuelle"
    assert Consultation.objects.filter(utilisateur=user).count() == avant + 1

    def types(**periode):
        return [e["type"] for e in client.get(f"{adresse}historique/", periode, headers=entetes).json()["results"]]

    assert types(du="2026-06-01", au="2026-12-31") == ["modification"]
    assert types(au="2026-05-14") == ["piece_ajoutee", "enregistrement"]
    assert types(du="2027-01-01") == ["renouvellement"]
    reponse = client.get(f"{adresse}historique/", {"du": "2026-13-01"}, headers=entetes)
    assert reponse.status_code == 400
    assert "du" in reponse.json()["erreurs"]
    reponse = client.get(f"{adresse}historique/", {"du": "2026-06-01", "au": "2026-01-01"}, headers=entetes)
    assert reponse.json()["erreurs"] == {"au": ["La date de fin précède la date de début."]}


def test_aucune_lecture_journalisee_sur_une_erreur(client, territoire, agent):
    user, entetes = agent
    envoyer(client, "post", LISTE, charge(typologies=[]), entetes)
    client.get(f"{LISTE}par-numero/123/", headers=entetes)
    assert not Consultation.objects.filter(utilisateur=user).exists()


# ---------------------------------------------------------------- robustesse

CORPS_MALFORMES = [
    None,
    [],
    "demande",
    42,
    {"personnes": None},
    {"personnes": "Martin"},
    {"personnes": [None]},
    {"personnes": [[]]},
    {"personnes": [{"ressources": "beaucoup"}]},
    {"personnes": [{"ressources": [{"type": None, "montant": {"a": 1}}]}]},
    {"personnes": [{"date_naissance": 19850412, "nom": ["x"], "role": {"r": 1}}]},
    {"localisations": {"commune": "44109"}},
    {"localisations": [{"commune": 44109}]},
    {"localisations": [{"commune": "44109\x00"}]},
    {"localisations": [{"commune": "44109", "quartier": 10**30}]},
    {"localisations": [{"commune": "44109", "quartier": "-1"}]},
    {"localisations": [{"commune": "44109", "quartier": True}]},
    {"guichet": None},
    {"guichet": "1086\x00"},
    {"typologies": "T3"},
    {"typologies": [None, {}, []]},
    {"motifs": ["x" * 100_000]},
    {"complement": "x" * 100_000},
    {"nom_inconnu\x00": 1},
    {"loyer_actuel": "NaN"},
    {"loyer_actuel": "Infinity"},
    {"loyer_actuel": 1e308},
    {"enfants_a_naitre": 10**40},
    {"bailleur_actuel": 10**40},
    {"bailleur_actuel": "abc"},
    {"doublons_ecartes": [10**40, -1, "x"]},
    {"doublons_ecartes": list(range(1, 500))},
    {"brouillon": "peut-être"},
    {"email": "pas une adresse"},
    {"code_postal": "4400"},
    {"occupation_depuis": "2026-02-30"},
    {"personnes": [{"role": "demandeur", "nom": "\x00", "prenom": "A", "date_naissance": "1985-01-01"}]},
    {"personnes": [{"role": "demandeur", "nom": "A" * 10_000, "prenom": "A", "date_naissance": "1985-01-01"}]},
    {"personnes": [{"id": 10**40, "role": "demandeur", "nom": "A", "prenom": "B", "date_naissance": "1985-01-01"}]},
]


@pytest.mark.parametrize("modification", CORPS_MALFORMES, ids=range(len(CORPS_MALFORMES)))
def test_corps_malformes_toujours_400_jamais_500(client, territoire, agent, modification):
    _, entetes = agent
    creee = creer(client, entetes)
    avant = ecritures()
    corps_creation = charge(**modification) if isinstance(modification, dict) else modification
    for methode, adresse, corps in (
        ("post", LISTE, corps_creation),
        ("patch", f"{LISTE}{creee['id']}/", modification),
        ("put", f"{LISTE}{creee['id']}/", modification),
        ("post", f"{LISTE}{creee['id']}/annuler/", modification),
        ("post", f"{LISTE}{creee['id']}/reactiver/", modification),
    ):
        reponse = envoyer(client, methode, adresse, corps, entetes)
        assert reponse.status_code in (400, 409), (methode, adresse, corps, reponse.content)
        assert reponse.json()["detail"]
    assert ecritures() == avant


def test_identifiants_d_url_mal_formes(client, territoire, agent):
    _, entetes = agent
    for adresse in (f"{LISTE}abc/", f"{LISTE}{10**30}/", f"{LISTE}-1/historique/", f"{LISTE}{10**30}/renouveler/"):
        methode = client.post if "renouveler" in adresse else client.get
        reponse = methode(adresse, headers=entetes)
        assert reponse.status_code == 404, adresse
    assert client.get(f"{LISTE}par-numero/{'9' * 5000}/", headers=entetes).status_code == 400


def test_echange_des_roles_demandeur_codemandeur_jamais_500(client, territoire, agent):
    """Les services écrivent les personnes une à une : échanger les rôles de deux personnes gardées
    heurte l'unicité du demandeur en base. La réponse est une 409 lisible, jamais une 500."""
    _, entetes = agent
    conjoint = {
        "role": "codemandeur",
        "nom": "Martin",
        "prenom": "Hugo",
        "date_naissance": "1983-09-30",
        "nationalite": "francaise",
        "lien_parente": "conjoint",
    }
    creee = creer(client, entetes, personnes=[charge()["personnes"][0], conjoint])
    demandeur, codemandeur = creee["personnes"]
    personnes = [
        {**conjoint, "id": codemandeur["id"], "role": "demandeur", "lien_parente": ""},
        {**charge()["personnes"][0], "id": demandeur["id"], "role": "codemandeur", "lien_parente": "conjoint"},
    ]
    reponse = envoyer(client, "put", f"{LISTE}{creee['id']}/", {"personnes": personnes}, entetes)
    assert reponse.status_code in (200, 409), reponse.content
    if reponse.status_code == 409:
        assert reponse.json()["code"] == "conflit"
        assert Demande.objects.get(pk=creee["id"]).prenom == "Claire"
