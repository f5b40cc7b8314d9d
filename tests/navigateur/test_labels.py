"""Dans Chromium : la DDETS pose un label CP (sans se voir proposer le contingent d'une ville) ; un agent
de guichet valide une demande en ligne de la file, en rejette une autre (sans motif : message ; puis avec)."""

import datetime

import pytest
from playwright.sync_api import expect

from demandes.cycle import services
from demandes.dossier.choix import TypePiece
from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Label
from demandes.pieces import services as pieces
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.factories import TOTPDeviceFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def m():
    monde = territoire_nantes()
    for agent in (monde.agent_ddets, monde.agent_ehs):
        TOTPDeviceFactory(user=agent)
    return monde


def test_la_ddets_pose_un_label_cp(page, connecter, capture, m):
    demande = enregistrer(m, nom="Lambert", prenom="Nadia")
    connecter(m.agent_ddets)
    page.goto(f"/demandes/{demande.pk}/")
    page.get_by_role("tab", name="Compléments").click()
    panneau = page.get_by_role("tabpanel")
    choix = panneau.get_by_label("Priorité, éligibilité ou contingent (obligatoire)")
    options = choix.locator("option").all_inner_texts()
    assert "Priorité – CP - Dalo" in options
    assert not any("Mairie de Rezé" in o or "Eligibilité ALS" in o or "1er quartile" in o for o in options)
    choix.select_option(label="Priorité – CP - Dalo")
    panneau.get_by_label("Commentaire").fill("Décision COMED du 12/03")
    panneau.get_by_role("button", name="Ajouter le label").click()
    expect(page.get_by_text("Label « CP - Dalo » ajouté.")).to_be_visible()
    panneau = page.get_by_role("tabpanel")
    expect(panneau.get_by_role("table").first).to_contain_text("CP - Dalo")
    expect(panneau.get_by_role("table").first).to_contain_text("DDETS de Loire-Atlantique")
    capture("labels_fiche_ddets")
    assert Label.objects.get(demande=demande).type == m.cp_dalo


def test_le_guichet_valide_une_demande_en_ligne_et_en_rejette_une_autre(page, connecter, capture, m):
    depot = datetime.date.today() - datetime.timedelta(days=3)
    auteur = services.Auteur(libelle="Le demandeur (dépôt en ligne)")
    a_valider = en_ligne.deposer_en_ligne(
        dossier(communes=[m.reze], nom="Benali", prenom="Sami"), auteur=auteur, le=depot
    )
    a_rejeter = en_ligne.deposer_en_ligne(dossier(communes=[m.nantes], nom="Costa", prenom="Rita"), auteur=auteur)
    # Le demandeur a joint sa pièce d'identité à son dépôt : sans elle, la validation est refusée.
    pieces.deposer_piece(demande=a_valider, type=TypePiece.IDENTITE, fichier=piece_identite(), auteur=auteur)
    connecter(m.agent_ehs)
    page.goto("/demandes/en-ligne/")
    expect(page.get_by_role("heading", name="Demandes en ligne à valider")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("BENALI Sami")
    capture("en_ligne_file")

    page.get_by_role("link", name="BENALI Sami").click()
    page.get_by_label("Identité du demandeur vérifiée").check()
    capture("en_ligne_examen")
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.get_by_text("validée et enregistrée : numéro unique")).to_be_visible()
    a_valider.refresh_from_db()
    assert a_valider.etat == Demande.Etat.ACTIVE
    assert a_valider.date_depot == depot

    page.get_by_role("link", name="COSTA Rita").click()
    page.get_by_role("button", name="Rejeter la demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez le motif du rejet")
    capture("en_ligne_rejet_sans_motif")
    page.get_by_label("Motif du rejet").fill("Pièce d'identité illisible : nouveau dépôt demandé.")
    page.get_by_role("button", name="Rejeter la demande").click()
    expect(page.get_by_text("Demande de COSTA Rita rejetée.")).to_be_visible()
    expect(page.get_by_text("Aucune demande en ligne n'attend de validation")).to_be_visible()
    a_rejeter.refresh_from_db()
    assert a_rejeter.etat == Demande.Etat.REJETEE
