"""La pièce d'identité du demandeur est obligatoire pour enregistrer (seed 001 §2 : « Pièce d'identité du
demandeur (obligation) ») : au guichet, par l'API et à la validation d'une demande en ligne."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from demandes.cycle import services
from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Evenement, Piece
from demandes.pieces import services as pieces
from fdls.socle.workflow import Auteur
from tests.demandes.cycle.test_saisie import formulaire
from tests.monde.dossiers import dossier
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import EXE, PDF, piece_identite
from tests.monde.territoires import ville_de_reze


@pytest.fixture
def territoire():
    return ville_de_reze(habilitee_sur_nantes=True)


def test_sans_piece_d_identite_l_enregistrement_est_refuse_et_rien_n_est_ecrit(territoire):
    with pytest.raises(ValidationError) as refus:
        services.enregistrer_demande(
            dossier(communes=[territoire.reze]), auteur=Auteur.agent(territoire.agent), guichet=territoire.guichet
        )

    assert "pièce d'identité du demandeur" in refus.value.message_dict["piece_identite"][0]
    assert not Demande.objects.exists()
    assert not Piece.objects.exists()


def test_la_piece_jointe_a_l_enregistrement_entre_au_dossier(territoire):
    demande = services.enregistrer_demande(
        dossier(communes=[territoire.reze]),
        auteur=Auteur.agent(territoire.agent),
        guichet=territoire.guichet,
        piece_identite=piece_identite(),
    )

    piece = Piece.objects.get(demande=demande)
    assert piece.type == "identite"
    assert piece.personne.role == "demandeur"
    with pieces.ouvrir_piece(piece) as flux:
        assert flux.read() == PDF
    assert demande.evenements.filter(type=Evenement.Type.PIECE_AJOUTEE).exists()


def test_un_fichier_refuse_n_enregistre_rien(territoire):
    with pytest.raises(ValidationError) as refus:
        services.enregistrer_demande(
            dossier(communes=[territoire.reze]),
            auteur=Auteur.agent(territoire.agent),
            guichet=territoire.guichet,
            piece_identite=SimpleUploadedFile("cni.pdf", EXE),
        )
    assert "piece_identite" in refus.value.message_dict
    assert not Demande.objects.exists()


def test_une_piece_se_joint_au_brouillon_qui_s_enregistre_ensuite(territoire):
    auteur = Auteur.agent(territoire.agent)
    saisie = dossier(communes=[territoire.reze])
    brouillon = services.sauver_brouillon(saisie, auteur=auteur, guichet=territoire.guichet)

    pieces.deposer_piece(demande=brouillon, type="identite", fichier=piece_identite(), auteur=auteur)
    demande = services.enregistrer_demande(
        services.charger_dossier(brouillon), auteur=auteur, guichet=territoire.guichet
    )

    assert demande.etat == Demande.Etat.ACTIVE
    assert Piece.objects.filter(demande=demande, type="identite").count() == 1


def test_au_guichet_creer_sans_piece_est_refuse_en_francais_et_la_saisie_reste(client, agent_verifie, territoire):
    agent_verifie(territoire.agent)

    refus = client.post(reverse("demandes:nouvelle"), formulaire(territoire, piece_identite=None))

    assert refus.status_code == 422
    assertContains(refus, "Joignez la pièce d&#x27;identité du demandeur", status_code=422)
    assertContains(refus, 'value="Lefèvre"', status_code=422)
    assert not Demande.objects.exists()

    accepte = client.post(reverse("demandes:nouvelle"), formulaire(territoire, piece_identite=piece_identite()))
    assert accepte.status_code == 302
    assert Piece.objects.filter(demande=Demande.objects.get(), type="identite").exists()


def test_la_validation_en_ligne_refuse_un_dossier_sans_piece_meme_case_cochee(territoire):
    demande = DemandeFactory(en_ligne=True, guichet=territoire.guichet, depot_en_ligne__piece_identite=False)
    assert demande.etat == Demande.Etat.A_VALIDER
    assert not Piece.objects.filter(demande=demande).exists()

    with pytest.raises(ValidationError) as refus:
        en_ligne.valider_demande_en_ligne(demande, user=territoire.agent, identite_verifiee=True)
    assert "ne contient pas la pièce d'identité" in refus.value.message_dict["identite_verifiee"][0]
    demande.refresh_from_db()
    assert demande.etat == Demande.Etat.A_VALIDER
    assert demande.numero_unique is None

    # La pièce se joint à la demande en ligne à valider ; la validation passe alors.
    pieces.deposer_piece(
        demande=demande, type="identite", fichier=piece_identite(), auteur=Auteur.agent(territoire.agent)
    )
    validee = en_ligne.valider_demande_en_ligne(demande, user=territoire.agent, identite_verifiee=True)
    assert validee.etat == Demande.Etat.ACTIVE
    assert validee.numero_unique
