"""Listes des demandes (écrans et API) : autant de requêtes SQL avec une ligne qu'avec cinq (pas de N+1)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demandes.cycle import services
from demandes.labels import services as labels
from demandes.models import Evenement, SuspicionDoublon, TypeLabel
from demandes.pieces import services as pieces
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import PDF, piece_identite
from tests.monde.territoires import territoire_nantes
from tests.requetes import lignes_de_la_page, requetes_constantes, resultats_api

HTMX = {"HX-Request": "true"}


def _demande_du_territoire(t, **champs):
    """Une ligne qui exerce tout l'affichage : co-demandeur, deux communes souhaitées."""
    return DemandeFactory(guichet=t.guichet, communes=[t.reze, t.nantes], avec_co_demandeur=True, **champs)


def _deposeur(demande, agent):
    """``deposer()`` : une pièce de plus, d'un autre type à chaque fois, déposée par l'agent."""
    types = iter(["identite", "avis_imposition", "divorce", "conge_vente", "certificat_medical"])

    def deposer():
        type_piece = next(types)
        fichier = SimpleUploadedFile(f"{type_piece}.pdf", PDF)
        pieces.deposer_piece(demande=demande, type=type_piece, fichier=fichier, auteur=services.Auteur.agent(agent))

    return deposer


@pytest.mark.parametrize("entetes", [{}, HTMX], ids=["page", "fragment_htmx"])
def test_liste_des_demandes(client, agent_verifie, territoire_reze, entetes):
    agent_verifie(territoire_reze.agent)
    requetes_constantes(
        lambda: client.get(reverse("demandes:liste"), headers=entetes),
        lambda: _demande_du_territoire(territoire_reze),
        lignes_de_la_page,
    )


@pytest.mark.parametrize("entetes", [{}, HTMX], ids=["page", "fragment_htmx"])
def test_liste_des_doublons_suspectes(client, agent_verifie, territoire_reze, entetes):
    agent_verifie(territoire_reze.agent)

    def paire():
        a, b = (_demande_du_territoire(territoire_reze, nom="Lefebvre") for _ in range(2))
        SuspicionDoublon.objects.create(demande_a=a, demande_b=b, score=92, motif="même nom", source="nuit")

    requetes_constantes(
        lambda: client.get(reverse("demandes:doublons:liste"), headers=entetes), paire, lignes_de_la_page
    )


def test_file_des_demandes_en_ligne(client, agent_verifie):
    m = territoire_nantes()
    agent_verifie(m.agent_ehs)
    requetes_constantes(
        lambda: client.get(reverse("demandes:en_ligne")),
        lambda: DemandeFactory(en_ligne=True, guichet=m.guichet_ehs, communes=[m.reze, m.nantes]),
        lignes_de_la_page,
    )


@pytest.mark.usefixtures("stockage")
def test_pieces_d_une_demande(client, agent_verifie, territoire_reze):
    agent = agent_verifie(territoire_reze.agent)
    demande = _demande_du_territoire(territoire_reze)
    requetes_constantes(
        lambda: client.get(reverse("demandes:pieces", args=[demande.pk])),
        _deposeur(demande, agent),
        lambda reponse: len(reponse.context["p"]["pieces"]),
    )


def _historique_qui_s_allonge(t, agent):
    """Un brouillon, et ``evenement()`` : l'enregistrement par les services, puis une modification par appel."""
    demande = DemandeFactory(brouillon=True, guichet=t.guichet, communes=[t.reze], avec_co_demandeur=True)
    auteur = services.Auteur.agent(agent)
    premier = iter([True])

    def evenement():
        if next(premier, False):
            services.enregistrer_demande(
                services.charger_dossier(demande), auteur=auteur, piece_identite=piece_identite()
            )
        else:
            services.ecrire_evenement(demande, Evenement.Type.MODIFICATION, auteur, details={"changements": []})

    return demande, evenement


def test_historique_de_la_fiche(client, agent_verifie, territoire_reze):
    agent = agent_verifie(territoire_reze.agent)
    demande, evenement = _historique_qui_s_allonge(territoire_reze, agent)
    requetes_constantes(
        lambda: client.get(reverse("demandes:detail", args=[demande.pk])),
        evenement,
        # La pièce d'identité jointe à l'enregistrement est une ligne de plus, toujours la même.
        lambda reponse: len([e for e in reponse.context["evenements"] if e.type != Evenement.Type.PIECE_AJOUTEE]),
    )


# ---------------------------------------------------------------- API


def test_api_liste_des_demandes(client, jeton, territoire_reze):
    _, entetes, _ = jeton(territoire_reze.agent)
    requetes_constantes(
        lambda: client.get("/api/v1/demandes/", headers=entetes),
        lambda: _demande_du_territoire(territoire_reze),
        resultats_api,
    )


def test_api_file_des_demandes_en_ligne(client, jeton):
    m = territoire_nantes()
    _, entetes, _ = jeton(m.agent_ehs)
    requetes_constantes(
        lambda: client.get("/api/v1/demandes-en-ligne/", headers=entetes),
        lambda: DemandeFactory(en_ligne=True, guichet=m.guichet_ehs, communes=[m.reze, m.nantes]),
        resultats_api,
    )


@pytest.mark.usefixtures("stockage")
def test_api_pieces_d_une_demande(client, jeton, territoire_reze):
    agent, entetes, _ = jeton(territoire_reze.agent)
    demande = _demande_du_territoire(territoire_reze)
    requetes_constantes(
        lambda: client.get(f"/api/v1/demandes/{demande.pk}/pieces/", headers=entetes),
        _deposeur(demande, agent),
        resultats_api,
    )


def test_api_labels_d_une_demande(client, jeton):
    m = territoire_nantes()
    _, entetes, _ = jeton(m.agent_ddets)
    demande = DemandeFactory(guichet=m.guichet_ehs, communes=[m.reze])
    types = iter(
        TypeLabel.objects.get(code=code)
        for code in ("cp-dalo", "cp-violences-conjugales", "cp-sortant-hebergement", "cp-refugies", "cp-handicap")
    )
    requetes_constantes(
        lambda: client.get(f"/api/v1/demandes/{demande.pk}/labels/", headers=entetes),
        lambda: labels.poser_label(demande, next(types), user=m.agent_ddets),
        resultats_api,
    )


def _pieces_api(reponse) -> int:
    corps = reponse.json()
    lignes = corps["results"] if isinstance(corps, dict) else corps
    return sum(1 for e in lignes if e["type"] == Evenement.Type.PIECE_AJOUTEE)


def test_api_historique_d_une_demande(client, jeton, territoire_reze):
    agent, entetes, _ = jeton(territoire_reze.agent)
    demande, evenement = _historique_qui_s_allonge(territoire_reze, agent)
    requetes_constantes(
        lambda: client.get(f"/api/v1/demandes/{demande.pk}/historique/", headers=entetes),
        evenement,
        # La pièce d'identité jointe à l'enregistrement est une ligne de plus, toujours la même.
        lambda reponse: resultats_api(reponse) - _pieces_api(reponse),
    )
