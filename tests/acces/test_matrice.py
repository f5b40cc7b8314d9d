"""Matrice de la politique d'accès (CCH R441-2-6) : chaque rôle × son
territoire / un autre territoire × chaque type de question."""

import pytest
from django.contrib.auth.models import AnonymousUser

from demandes.models import Demande
from fdls import acces
from fdls.comptes.models import Role
from fdls.organismes.models import Guichet, Organisme
from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DemandeFactory,
    DemandeurFactory,
    DepartementFactory,
    GuichetFactory,
)


@pytest.fixture
def monde():
    """Deux territoires : A (habilitation de l'organisme testé) et B (ailleurs)."""
    commune_a, commune_b = CommuneFactory(nom="Commune A"), CommuneFactory(nom="Commune B")
    guichet_ailleurs = GuichetFactory(commune=commune_b)
    return {
        "commune_a": commune_a,
        "commune_b": commune_b,
        "demande_a": DemandeFactory(guichet=guichet_ailleurs, communes=[commune_a]),
        "demande_b": DemandeFactory(guichet=guichet_ailleurs, communes=[commune_b]),
        # Plusieurs choix dont un seul dans A : visible, et une seule fois.
        "demande_ab": DemandeFactory(guichet=guichet_ailleurs, communes=[commune_b, commune_a]),
    }


def _agent(monde, *, type_organisme, roles, guichet=Guichet.Type.ACCOMPAGNATEUR, **extra):
    agent = AgentFactory(
        organisme__type=type_organisme, organisme__perimetre=[monde["commune_a"]], roles=roles, **extra
    )
    if guichet:
        GuichetFactory(organisme=agent.organisme, commune=monde["commune_a"], type=guichet)
    return agent


# rôle, type d'organisme, voit A, voit B, modifie A, stats nominatives, stats agrégées, administre
MATRICE = [
    ([Role.AGENT_GUICHET], Organisme.Type.COMMUNE, True, False, True, True, True, False),
    ([Role.AGENT_GUICHET], Organisme.Type.ADIL, True, False, True, True, True, False),
    ([Role.INSTRUCTEUR_BAILLEUR], Organisme.Type.BAILLEUR, True, False, False, True, True, False),
    ([Role.RESERVATAIRE], Organisme.Type.ETAT, True, False, False, True, True, False),
    ([Role.RESERVATAIRE], Organisme.Type.ACTION_LOGEMENT, True, False, False, True, True, False),
    ([Role.OBSERVATEUR], Organisme.Type.EPCI, False, False, False, False, True, False),
    ([Role.ADMINISTRATEUR], Organisme.Type.GESTIONNAIRE, True, False, False, True, True, True),
    ([Role.ADMINISTRATEUR], Organisme.Type.BAILLEUR, True, False, False, True, True, False),
    ([], Organisme.Type.BAILLEUR, False, False, False, False, False, False),
]


@pytest.mark.parametrize(
    ("roles", "type_organisme", "voit_a", "voit_b", "modifie_a", "stats_nom", "stats", "administre"), MATRICE
)
def test_matrice_roles_territoires(
    monde, roles, type_organisme, voit_a, voit_b, modifie_a, stats_nom, stats, administre
):
    agent = _agent(monde, type_organisme=type_organisme, roles=roles)
    visibles = set(Demande.objects.visibles_par(agent))
    modifiables = set(Demande.objects.modifiables_par(agent))

    assert (monde["demande_a"] in visibles) is voit_a
    assert (monde["demande_ab"] in visibles) is voit_a
    assert (monde["demande_b"] in visibles) is voit_b
    assert acces.peut_voir(agent, monde["demande_a"]) is voit_a
    assert acces.voit_territoire(agent, monde["commune_a"]) is voit_a
    assert acces.voit_territoire(agent, monde["commune_b"]) is False
    assert (monde["demande_a"] in modifiables) is modifie_a
    assert (monde["demande_b"] in modifiables) is False
    assert acces.voit_statistiques(agent, nominatives=True) is stats_nom
    assert acces.voit_statistiques(agent) is stats
    assert acces.administre(agent) is administre
    assert acces.consulte_audit(agent) is administre


def test_une_demande_a_plusieurs_choix_n_apparait_qu_une_fois(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.BAILLEUR, roles=[Role.INSTRUCTEUR_BAILLEUR])
    monde["demande_ab"].localisations.create(rang=3, commune=monde["commune_a"])
    ids = list(Demande.objects.visibles_par(agent).values_list("pk", flat=True))
    assert sorted(ids) == sorted([monde["demande_a"].pk, monde["demande_ab"].pk])


def test_un_organisme_voit_les_demandes_enregistrees_a_ses_guichets_hors_territoire(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.ASSOCIATION, roles=[Role.AGENT_GUICHET])
    agent.organisme.perimetre.clear()
    propre = DemandeFactory(guichet=agent.organisme.guichets.get(), communes=[monde["commune_b"]])
    assert list(Demande.objects.visibles_par(agent)) == [propre]
    assert list(Demande.objects.modifiables_par(agent)) == [propre]


def test_un_guichet_relai_ne_modifie_pas(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.COMMUNE, roles=[Role.AGENT_GUICHET], guichet=Guichet.Type.RELAI)
    assert monde["demande_a"] in Demande.objects.visibles_par(agent)
    assert not Demande.objects.modifiables_par(agent).exists()
    assert acces.enregistre(agent) is False


def test_agent_desactive_et_anonyme_ne_voient_rien(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.BAILLEUR, roles=[Role.INSTRUCTEUR_BAILLEUR], is_active=False)
    assert not Demande.objects.visibles_par(agent).exists()
    assert not Demande.objects.visibles_par(AnonymousUser()).exists()
    assert not Demande.objects.visibles_par(None).exists()
    assert acces.administre(AnonymousUser()) is False


def test_le_demandeur_ne_voit_que_ses_demandes(monde):
    demandeur = DemandeurFactory()
    sienne = DemandeFactory(compte_demandeur=demandeur, communes=[monde["commune_b"]])
    assert list(Demande.objects.visibles_par(demandeur)) == [sienne]
    assert list(Demande.objects.modifiables_par(demandeur)) == [sienne]
    assert acces.voit_statistiques(demandeur) is False
    assert acces.voit_territoire(demandeur, monde["commune_b"]) is False
    assert acces.administre(demandeur) is False


def test_changer_le_territoire_d_habilitation_change_la_visibilite(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.EPCI, roles=[Role.RESERVATAIRE])
    assert monde["demande_b"] not in Demande.objects.visibles_par(agent)
    agent.organisme.perimetre.add(monde["commune_b"])
    # La portée est calculée une fois par requête (objet utilisateur) : la
    # requête suivante voit le nouveau territoire.
    agent = type(agent).objects.get(pk=agent.pk)
    assert monde["demande_b"] in Demande.objects.visibles_par(agent)


def test_superutilisateur_administre_sans_voir_les_demandes_hors_perimetre(monde):
    agent = _agent(monde, type_organisme=Organisme.Type.GESTIONNAIRE, roles=[], is_superuser=True)
    assert acces.administre(agent) is True
    assert not Demande.objects.visibles_par(agent).exists()


def test_un_organisme_qui_couvre_tout_le_departement_voit_tout_son_fichier():
    """Bailleur, État, Action Logement : le fichier départemental entier, y
    compris une demande dont les choix sont hors du département."""

    dep = DepartementFactory(code="99", nom="Test", region="99")
    autre = DepartementFactory(code="98", nom="Autre", region="99")
    c1, c2 = CommuneFactory(departement=dep), CommuneFactory(departement=dep)
    ailleurs = CommuneFactory(departement=autre)
    agent = AgentFactory(
        organisme__type=Organisme.Type.BAILLEUR, organisme__perimetre=[c1, c2], roles=[Role.INSTRUCTEUR_BAILLEUR]
    )
    du_fichier = DemandeFactory(guichet__commune=c1, communes=[ailleurs])
    d_un_autre_fichier = DemandeFactory(guichet__commune=ailleurs, communes=[ailleurs])
    assert acces.portee(agent).departements == ("99",)
    assert acces.portee(agent).communes == ()
    assert list(Demande.objects.visibles_par(agent)) == [du_fichier]
    assert d_un_autre_fichier not in Demande.objects.visibles_par(agent)
