"""Politique d'accès au parc (docs/acces.md, « Offre ») : chaque rôle, son
territoire et un autre, à l'écran et dans l'API."""

import pytest
from django.urls import reverse

from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from offre.models import Disponibilite, Logement, Programme
from tests.monde.factories import (
    AgentFactory,
    BailleurFactory,
    CommuneFactory,
    DemandeurFactory,
    DepartementFactory,
    DisponibiliteFactory,
    LogementFactory,
    OrganismeFactory,
    ProgrammeFactory,
)


@pytest.fixture
def monde():
    """Deux départements : 44 (communes A et B) et 85 (commune C) ; deux bailleurs X et Y."""
    commune_a, commune_b = CommuneFactory(nom="Commune A"), CommuneFactory(nom="Commune B")
    commune_c = CommuneFactory(nom="Commune C", departement=DepartementFactory(code="85", nom="Vendée"))
    x = BailleurFactory(nom="Bailleur X", perimetre=[commune_a, commune_b])
    y = BailleurFactory(nom="Bailleur Y", perimetre=[commune_a, commune_b])
    return {
        "a": commune_a,
        "c": commune_c,
        "x": x,
        "x_a": LogementFactory(programme=ProgrammeFactory(bailleur=x, commune=commune_a)),
        "x_c": LogementFactory(programme=ProgrammeFactory(bailleur=x, commune=commune_c)),
        "y_b": LogementFactory(programme=ProgrammeFactory(bailleur=y, commune=commune_b)),
        "y_c": LogementFactory(programme=ProgrammeFactory(bailleur=y, commune=commune_c)),
    }


def _agent(monde, profil):
    if profil == "bailleur X":
        return AgentFactory(organisme=monde["x"], roles=[Role.INSTRUCTEUR_BAILLEUR])
    if profil == "bailleur Y":
        y = Organisme.objects.get(nom="Bailleur Y")
        return AgentFactory(organisme=y, roles=[Role.INSTRUCTEUR_BAILLEUR])
    if profil == "guichet du bailleur X":
        return AgentFactory(organisme=monde["x"], roles=[Role.AGENT_GUICHET])
    departement = list(monde["a"].departement.communes.all())
    if profil == "réservataire (État)":
        return AgentFactory(organisme=OrganismeFactory(etat=True, perimetre=departement), roles=[Role.RESERVATAIRE])
    if profil == "commune A":
        return AgentFactory(
            organisme=OrganismeFactory(commune=True, perimetre=[monde["a"]]), roles=[Role.AGENT_GUICHET]
        )
    if profil == "observateur":
        return AgentFactory(organisme=OrganismeFactory(perimetre=departement), roles=[Role.OBSERVATEUR])
    raise AssertionError(profil)


# profil → logements visibles, logements modifiables
MATRICE = [
    ("bailleur X", {"x_a", "x_c", "y_b"}, {"x_a", "x_c"}),
    ("bailleur Y", {"x_a", "y_b", "y_c"}, {"y_b", "y_c"}),
    ("guichet du bailleur X", {"x_a", "x_c", "y_b"}, set()),
    ("réservataire (État)", {"x_a", "y_b"}, set()),
    ("commune A", {"x_a"}, set()),
    ("observateur", set(), set()),
]


@pytest.mark.parametrize(("profil", "visibles", "modifiables"), MATRICE)
def test_matrice_du_parc(monde, profil, visibles, modifiables):
    agent = _agent(monde, profil)
    noms = {monde[n].pk: n for n in ("x_a", "x_c", "y_b", "y_c")}

    assert {noms[lg.pk] for lg in Logement.objects.visibles_par(agent)} == visibles
    assert {noms[lg.pk] for lg in Logement.objects.modifiables_par(agent)} == modifiables
    programmes = {p.pk for p in Programme.objects.visibles_par(agent)}
    assert programmes == {monde[n].programme_id for n in visibles}
    DisponibiliteFactory(logement=monde["x_a"])
    DisponibiliteFactory(logement=monde["y_c"])
    assert {noms[d.logement_id] for d in Disponibilite.objects.visibles_par(agent)} == visibles & {"x_a", "y_c"}


@pytest.mark.parametrize(("profil", "visibles", "modifiables"), MATRICE)
def test_ecrans_selon_le_role(client, agent_verifie, monde, profil, visibles, modifiables):
    agent_verifie(_agent(monde, profil))
    liste = client.get(reverse("offre:logements"))
    if not visibles:
        assert liste.status_code == 403
        assert "Accès au parc réservé" in liste.content.decode()
        assert client.get(reverse("offre:statistiques")).status_code == 200
        return
    assert liste.status_code == 200
    assert {lg.pk for lg in liste.context["page"].object_list} == {monde[n].pk for n in visibles}
    for nom in ("x_a", "x_c", "y_b", "y_c"):
        fiche = client.get(reverse("offre:logement", args=[monde[nom].pk]))
        assert fiche.status_code == (200 if nom in visibles else 404), nom
        modification = client.get(reverse("offre:modifier_logement", args=[monde[nom].pk]))
        if nom in modifiables:
            attendu = 200
        elif not modifiables or nom in visibles:
            attendu = 403  # pas instructeur d'un bailleur, ou logement d'un autre bailleur
        else:
            attendu = 404  # hors du territoire : on ne révèle pas qu'il existe
        assert modification.status_code == attendu, nom
        vacance = client.post(
            reverse("offre:declarer_disponibilite", args=[monde[nom].pk]),
            {"date_disponibilite": "2026-12-01", "motif": "relocation"},
        )
        assert vacance.status_code in ((302,) if nom in modifiables else (403, 404)), nom
    assert Disponibilite.objects.count() == len(modifiables)


@pytest.mark.parametrize(("profil", "visibles", "modifiables"), MATRICE)
def test_api_selon_le_role(client, jeton, monde, profil, visibles, modifiables):
    _agent_api, entetes, _ = jeton(_agent(monde, profil), ecriture=True)
    liste = client.get("/api/v1/logements/", headers=entetes)
    if not visibles:
        assert liste.status_code == 403
        assert "statistiques sans nom" in liste.json()["detail"]
        return
    assert {lg["id"] for lg in liste.json()["results"]} == {monde[n].pk for n in visibles}
    for nom in ("x_a", "x_c", "y_b", "y_c"):
        lecture = client.get(f"/api/v1/logements/{monde[nom].pk}/", headers=entetes)
        assert lecture.status_code == (200 if nom in visibles else 404), nom
        ecriture = client.patch(
            f"/api/v1/logements/{monde[nom].pk}/", {"loyer": "450.00"}, content_type="application/json", headers=entetes
        )
        if nom in modifiables:
            assert ecriture.status_code == 200, ecriture.json()
        elif nom in visibles:
            assert ecriture.status_code == 403, nom
        else:
            assert ecriture.status_code in (403, 404), nom
    modifies = set(Logement.objects.filter(loyer=450).values_list("pk", flat=True))
    assert modifies == {monde[n].pk for n in modifiables}


def test_anonyme_et_demandeur_n_ont_pas_acces(client, monde):
    assert client.get(reverse("offre:logements")).status_code == 302
    assert client.get(reverse("offre:statistiques")).status_code == 302
    assert client.get("/api/v1/logements/").status_code in (401, 403)
    client.force_login(DemandeurFactory())
    assert client.get(reverse("offre:logements")).status_code == 403
    assert client.get(reverse("offre:statistiques")).status_code == 403
    assert client.get("/api/v1/logements/").status_code == 403


def test_un_jeton_en_lecture_seule_ne_modifie_pas_le_parc(client, jeton, monde):
    _agent_api, entetes, _ = jeton(_agent(monde, "bailleur X"), ecriture=False)
    reponse = client.patch(
        f"/api/v1/logements/{monde['x_a'].pk}/", {"loyer": "450.00"}, content_type="application/json", headers=entetes
    )
    assert reponse.status_code == 403
    assert "lecture seule" in reponse.json()["detail"]
