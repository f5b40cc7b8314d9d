"""Issue 20, points 5 et 6 dans Chromium : dates refusées avec un message clair (label, vacance), une
demande en ligne « À valider » (jamais « Brouillon ») sur la liste et la fiche, une demande annulée sans
attestation ni pièces demandées (et refusées par le serveur), le renouvellement proposé à partir de la
date annoncée par l'attestation, pas avant."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demandes.cycle import services
from demandes.dossier.saisie import renouvelable_a_partir_du
from demandes.editions import pdf as editions
from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Evenement, Label
from fdls.socle.dates import ajouter_mois
from offre.models import Disponibilite
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.factories import LogementFactory, ProgrammeFactory, TOTPDeviceFactory, agent_bailleur
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def m():
    monde = territoire_nantes()
    for agent in (monde.agent_ddets, monde.agent_ehs):
        TOTPDeviceFactory(user=agent)
    return monde


def test_date_du_label_avant_le_depot_refusee_avec_un_message_clair(page, connecter, m):
    demande = enregistrer(m, nom="Lambert", prenom="Nadia", date_depot=datetime.date(2024, 3, 12))
    connecter(m.agent_ddets)
    page.goto(f"/demandes/{demande.pk}/")
    page.get_by_role("tab", name="Compléments").click()
    panneau = page.get_by_role("tabpanel")
    panneau.get_by_label("Priorité, éligibilité ou contingent (obligatoire)").select_option(
        label="Priorité – CP - Dalo"
    )
    date = panneau.get_by_label("Date de pose")
    expect(date).to_have_attribute("placeholder", "jj/mm/aaaa")  # un seul style de date dans tout le projet
    date.fill("11/03/2024")
    panneau.get_by_role("button", name="Ajouter le label").click()

    expect(
        page.get_by_text("La date de début du label ne peut précéder le dépôt de la demande (12/03/2024).").first
    ).to_be_visible()
    expect(page.get_by_label("Date de pose")).to_have_value("11/03/2024")
    assert not Label.objects.filter(demande=demande).exists()
    page.get_by_label("Date de pose").fill("01/01/1899")
    page.get_by_role("button", name="Ajouter le label").click()
    expect(page.get_by_text("antérieure à 1900").first).to_be_visible()
    assert not Label.objects.filter(demande=demande).exists()


def test_date_de_vacance_impossible_refusee(page, connecter):
    agent = agent_bailleur(first_name="Bruno", last_name="Bailleur")
    TOTPDeviceFactory(user=agent)
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=agent.organisme, code="0629", nom="KALLIMA 2"))
    connecter(agent)
    page.goto(f"/offre/logements/{logement.pk}/vacance/")
    date = page.get_by_label("Disponible à partir du")
    expect(date).to_have_attribute("placeholder", "jj/mm/aaaa")
    date.fill("01/12/2999")
    page.get_by_label("Relocation (départ du locataire)").check()
    page.get_by_role("button", name="Déclarer la vacance").click()
    expect(page.get_by_role("alert")).to_contain_text("La date de disponibilité ne peut dépasser le")
    expect(page.get_by_label("Disponible à partir du")).to_have_value("01/12/2999")
    page.get_by_label("Disponible à partir du").fill("01/12/1850")
    page.get_by_role("button", name="Déclarer la vacance").click()
    expect(page.get_by_role("alert")).to_contain_text("antérieure à 1900 : vérifiez l'année")
    assert not Disponibilite.objects.exists()


def test_une_demande_en_ligne_est_a_valider_sur_la_liste_et_la_fiche(page, connecter, m):
    auteur = services.Auteur(libelle="Le demandeur (dépôt en ligne)")
    demande = en_ligne.deposer_en_ligne(dossier(communes=[m.reze], nom="Benali", prenom="Sami"), auteur=auteur)
    connecter(m.agent_ehs)

    page.goto("/demandes/?etat=a_valider")
    ligne = page.get_by_role("row").filter(has_text="BENALI Sami")
    expect(ligne).to_contain_text("À valider")
    expect(ligne).not_to_contain_text("Brouillon")

    ligne.get_by_role("link").first.click()
    expect(page).to_have_title(re.compile("^Demande à valider"))
    expect(page.locator(".entete-fiche")).to_contain_text("non attribué (à valider)")
    expect(page.locator(".entete-fiche")).not_to_contain_text("rouillon")
    expect(page.get_by_role("navigation", name="Fil d'Ariane")).to_contain_text("Demande à valider")
    assert Demande.objects.get(pk=demande.pk).etat == Demande.Etat.A_VALIDER


def test_une_demande_annulee_n_offre_ni_attestation_ni_pieces(page, connecter, m):
    demande = enregistrer(m, nom="Roux", prenom="Paul")
    services.annuler_demande(demande, motif="renonciation", auteur=m.auteur)
    connecter(m.agent_ehs)
    page.goto(f"/demandes/{demande.pk}/")

    expect(page.get_by_role("link", name="Fiche PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Attestation PDF")).to_have_count(0)
    page.get_by_role("tab", name="Pièces").click()
    panneau = page.get_by_role("tabpanel")
    expect(panneau).to_contain_text("Demande annulée : aucune pièce n'est demandée au ménage.")
    expect(panneau.get_by_role("heading", name="Pièces à demander")).to_have_count(0)
    expect(panneau.get_by_role("button", name="Ajouter la pièce")).to_have_count(0)

    # Par l'adresse directe, le serveur refuse : retour à la fiche avec le motif.
    page.goto(f"/demandes/{demande.pk}/attestation.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text("ROUX Paul")
    expect(page.get_by_text("Cette demande est annulée : elle n'a plus d'attestation d'enregistrement")).to_be_visible()
    page.goto(f"/demandes/{demande.pk}/pieces/")
    expect(page.get_by_text("aucune pièce n'est demandée")).to_be_visible()
    expect(page.get_by_role("button", name="Ajouter la pièce")).to_have_count(0)


def test_le_renouvellement_est_propose_a_partir_de_la_date_de_l_attestation(page, connecter, m):
    demande = enregistrer(m, nom="Garnier", prenom="Inès")
    debut = renouvelable_a_partir_du(demande)
    annonce = editions.contexte_attestation(demande, user=m.agent_ehs)["renouveler_a_partir_du"]
    assert annonce == debut > datetime.date.today()
    connecter(m.agent_ehs)

    page.goto(f"/demandes/{demande.pk}/")
    expect(page.get_by_text("Renouveler…")).to_have_count(0)
    expect(page.locator("#renouvellement-a-venir")).to_have_text(
        f"Renouvellement possible à partir du {debut:%d/%m/%Y} (date annoncée par l'attestation)."
    )

    # La veille de la date annoncée, toujours pas ; le jour même, le bouton est là et le service accepte.
    aujourd_hui = datetime.date.today()
    Demande.objects.filter(pk=demande.pk).update(
        date_expiration=ajouter_mois(aujourd_hui + datetime.timedelta(days=1), 1)
    )
    assert renouvelable_a_partir_du(Demande.objects.get(pk=demande.pk)) == aujourd_hui + datetime.timedelta(days=1)
    page.reload()
    expect(page.get_by_text("Renouveler…")).to_have_count(0)
    Demande.objects.filter(pk=demande.pk).update(date_expiration=ajouter_mois(aujourd_hui, 1))
    assert renouvelable_a_partir_du(Demande.objects.get(pk=demande.pk)) <= aujourd_hui
    page.reload()
    expect(page.get_by_text("Renouveler…")).to_be_visible()
    page.get_by_text("Renouveler…").click()
    page.get_by_role("button", name="Confirmer le renouvellement").click()
    expect(page.get_by_role("status")).to_contain_text("Demande renouvelée")
    assert demande.evenements.filter(type=Evenement.Type.RENOUVELLEMENT).count() == 1
