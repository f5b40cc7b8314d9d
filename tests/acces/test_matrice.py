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
    agent = _agent(monde, type_organisme=Organisme.Type.ADIL, roles=[Role.AGENT_GUICHET])
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


# ------------------------------------------------------------------ associations (CCH R441-2-6)


@pytest.mark.parametrize("roles", [[Role.AGENT_GUICHET], [Role.RESERVATAIRE], [Role.ADMINISTRATEUR]])
def test_une_association_n_a_aucun_acces_nominatif(monde, roles):
    """La liste a–i de l'article R441-2-6 ne nomme aucune association : ni son territoire, ni ses propres
    guichets ne lui ouvrent une demande ; seules les statistiques sans nom lui restent."""
    agent = _agent(monde, type_organisme=Organisme.Type.ASSOCIATION, roles=roles)
    a_ses_guichets = DemandeFactory(guichet=agent.organisme.guichets.get(), communes=[monde["commune_a"]])

    assert acces.voit_nominatif(agent) is False
    assert not Demande.objects.visibles_par(agent).exists()
    assert not Demande.objects.modifiables_par(agent).exists()
    assert acces.peut_voir(agent, a_ses_guichets) is False
    assert acces.voit_territoire(agent, monde["commune_a"]) is False
    assert acces.voit_statistiques(agent, nominatives=True) is False
    assert acces.voit_statistiques(agent) is True
    assert acces.enregistre(agent) is False
    assert acces.cles_acces(agent) is None


def test_les_types_sans_acces_nominatif_sont_des_types_d_organisme():
    assert set(Organisme.Type.values) >= acces.TYPES_SANS_ACCES_NOMINATIF
    assert set(acces.ETATS_HORS_FICHIER) <= set(Demande.Etat.values)


# ------------------------------------------------------------------ par état : brouillons et dépôts en ligne


@pytest.fixture
def hors_fichier(monde):
    """Dans le territoire A : un brouillon et un dépôt en ligne saisis au guichet d'un autre organisme, et un
    dépôt en ligne rejeté."""
    guichet_a = GuichetFactory(commune=monde["commune_a"])
    rejete = DemandeFactory(guichet=guichet_a, en_ligne=True, communes=[monde["commune_a"]])
    rejete.etat = Demande.Etat.REJETEE
    rejete.save(update_fields=["etat"])
    return {
        "brouillon": DemandeFactory(guichet=guichet_a, brouillon=True, communes=[monde["commune_a"]]),
        "a_valider": DemandeFactory(guichet=guichet_a, en_ligne=True, communes=[monde["commune_a"]]),
        "rejetee": rejete,
    }


# rôle, type d'organisme, type de guichet, voit le brouillon d'un autre, voit les dépôts en ligne
MATRICE_ETATS = [
    ([Role.INSTRUCTEUR_BAILLEUR], Organisme.Type.BAILLEUR, Guichet.Type.ACCOMPAGNATEUR, False, False),
    ([Role.RESERVATAIRE], Organisme.Type.ETAT, None, False, False),
    ([Role.RESERVATAIRE], Organisme.Type.ACTION_LOGEMENT, None, False, False),
    ([Role.ADMINISTRATEUR], Organisme.Type.GESTIONNAIRE, None, False, False),
    ([Role.AGENT_GUICHET], Organisme.Type.COMMUNE, Guichet.Type.RELAI, False, False),
    ([Role.AGENT_GUICHET], Organisme.Type.COMMUNE, Guichet.Type.ACCOMPAGNATEUR, False, True),
    ([Role.AGENT_GUICHET], Organisme.Type.ADIL, Guichet.Type.ACCOMPAGNATEUR, False, True),
    ([Role.AGENT_GUICHET], Organisme.Type.BAILLEUR, Guichet.Type.ACCOMPAGNATEUR, False, True),
]


@pytest.mark.parametrize(("roles", "type_organisme", "guichet", "voit_brouillon", "voit_en_ligne"), MATRICE_ETATS)
def test_matrice_par_etat(monde, hors_fichier, roles, type_organisme, guichet, voit_brouillon, voit_en_ligne):
    """R441-2-6 partage les demandes enregistrées : un brouillon n'est vu que de son organisme, un dépôt en
    ligne (à valider, rejeté) que des guichets qui peuvent le valider ; les demandes actives restent partagées."""
    agent = _agent(monde, type_organisme=type_organisme, roles=roles, guichet=guichet)
    visibles = set(Demande.objects.visibles_par(agent))

    assert monde["demande_a"] in visibles
    assert (hors_fichier["brouillon"] in visibles) is voit_brouillon
    assert (hors_fichier["a_valider"] in visibles) is voit_en_ligne
    assert (hors_fichier["rejetee"] in visibles) is voit_en_ligne
    assert acces.peut_voir(agent, hors_fichier["brouillon"]) is voit_brouillon
    assert acces.peut_voir(agent, hors_fichier["a_valider"]) is voit_en_ligne
    assert hors_fichier["brouillon"] not in Demande.objects.modifiables_par(agent)


@pytest.mark.parametrize("roles", [[Role.AGENT_GUICHET], [Role.INSTRUCTEUR_BAILLEUR]])
def test_un_organisme_voit_ses_propres_brouillons(monde, roles):
    """Le brouillon est vu de tous les agents nominatifs de l'organisme qui le saisit, même si le guichet
    est dans un département qu'il couvre entièrement (pas de clé de guichet)."""
    agent = _agent(monde, type_organisme=Organisme.Type.BAILLEUR, roles=roles)
    sien = DemandeFactory(guichet=agent.organisme.guichets.get(), brouillon=True, communes=[monde["commune_b"]])
    assert sien in Demande.objects.visibles_par(agent)
    assert (sien in Demande.objects.modifiables_par(agent)) is (Role.AGENT_GUICHET in roles)


def test_le_demandeur_voit_son_depot_en_ligne(monde):
    demandeur = DemandeurFactory()
    sienne = DemandeFactory(compte_demandeur=demandeur, en_ligne=True, communes=[monde["commune_a"]])
    assert list(Demande.objects.visibles_par(demandeur)) == [sienne]
