"""Parcours d'un agent de guichet dans Chromium : recherche, saisie en onglets, doublons, vie de la demande."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demandes.models import Demande
from tests.monde.factories import (
    DemandeFactory,
)
from tests.monde.fichiers import PDF

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def onglet(page, nom):
    page.get_by_role("tab", name=nom, exact=True).click()
    return page.get_by_role("tabpanel")


def test_rechercher_enregistrer_avec_une_erreur_puis_vivre_la_demande(page, connecter, agent):
    existante = DemandeFactory(
        nom="Lefèvre", prenom="Élodie", date_naissance=datetime.date(1970, 9, 4), communes=[agent.reze]
    )
    connecter(agent)

    # Recherche par nom, tapé sans accent ni majuscule.
    page.get_by_role("link", name="Demande", exact=True).click()
    page.get_by_label("Nom", exact=True).fill("lefevre")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("table")).to_contain_text("LEFÈVRE Élodie (04/09/1970)")

    # Saisie en onglets, avec une date impossible.
    page.get_by_role("link", name="Enregistrer une demande").click()
    panneau = onglet(page, "Demandeur")
    panneau.get_by_label("Civilité").select_option("MME")
    panneau.get_by_label("Nom (obligatoire)", exact=True).fill("Lefevre")
    panneau.get_by_label("Prénom (obligatoire)", exact=True).fill("Elodie")
    panneau.get_by_label("Date de naissance (obligatoire)").fill("31/02/1970")
    panneau.get_by_label("Nationalité").select_option("francaise")
    onglet(page, "Occupants")
    page.locator("#id_occupants-0-nom").fill("Bullet")
    page.locator("#id_occupants-0-prenom").fill("Louis")
    page.locator("#id_occupants-0-date_naissance").fill("05/04/2012")
    page.locator("#id_occupants-0-lien_parente").select_option("enfant")
    panneau = onglet(page, "Revenus")
    panneau.get_by_label("Salaires ou revenus d'activité – Demandeur").fill("1 120,00")
    panneau = onglet(page, "Situation actuelle")
    panneau.get_by_label("Statut d'occupation").select_option("locataire_prive")
    panneau = onglet(page, "Logement recherché")
    panneau.get_by_label("T3 - 3 pièces").check()
    panneau = onglet(page, "Localisations souhaitées")
    panneau.get_by_label("Commune du choix 1").fill("Rezé (44143)")
    panneau.get_by_label("Rang du choix 1").fill("1")
    panneau = onglet(page, "Motifs")
    panneau.get_by_label("Logement trop cher").check()
    page.get_by_role("button", name="Créer la demande").click()

    resume = page.get_by_role("alert")
    expect(resume).to_contain_text("Date impossible ou mal écrite")
    resume.get_by_role("link", name="Demandeur – Date de naissance").click()
    date = page.get_by_label("Date de naissance (obligatoire)")
    expect(date).to_be_focused()
    expect(date).to_have_value("31/02/1970")
    date.fill("04/09/1970")

    # Vérification des doublons : la demande existante est proposée, l'agent l'écarte.
    page.get_by_role("button", name="Vérifier les doublons").first.click()
    doublons = page.locator("#doublons")
    expect(doublons).to_contain_text(existante.numero_unique_affiche)
    doublons.get_by_label("Ce n'est pas le même ménage").check()
    expect(page.locator("#id_occupants-0-nom")).to_have_value("Bullet")
    # La pièce d'identité du demandeur, obligatoire pour créer la demande.
    panneau = onglet(page, "Demandeur")
    panneau.get_by_label("Pièce d'identité du demandeur").set_input_files(
        files=[{"name": "carte-identite.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Créer la demande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("LEFEVRE Elodie")
    demande = Demande.objects.exclude(pk=existante.pk).get()
    expect(page.get_by_role("status")).to_contain_text(f"numéro unique {demande.numero_unique_affiche}")

    # Renouvellement, avec confirmation : proposé à partir de la date annoncée par l'attestation (un mois
    # avant l'échéance) ; on rapproche l'échéance pour l'atteindre.
    expect(page.get_by_text("Renouveler…")).to_have_count(0)
    Demande.objects.filter(pk=demande.pk).update(date_expiration=datetime.date.today() + datetime.timedelta(days=20))
    page.reload()
    page.get_by_text("Renouveler…").click()
    page.get_by_role("button", name="Confirmer le renouvellement").click()
    expect(page.get_by_role("status")).to_contain_text("Demande renouvelée")

    # Annulation motivée.
    page.get_by_text("Annuler la demande…").click()
    page.get_by_role("button", name="Confirmer l'annulation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Annuler la demande"))
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le motif de l'annulation.")
    page.get_by_label("Motif de l'annulation").select_option("renonciation")
    page.get_by_role("button", name="Confirmer l'annulation").click()
    expect(page.get_by_role("status")).to_contain_text("Demande annulée.")

    # Historique : tous les événements, avec l'intervenant.
    panneau = onglet(page, "Historique")
    for evenement in ["Enregistrement de la demande", "Renouvellement de la demande", "Annulation de la demande"]:
        expect(panneau).to_contain_text(evenement)
    expect(panneau).to_contain_text("Renonciation écrite du demandeur")
    expect(panneau).to_contain_text("CCH art. R441-2-8 b)")
    expect(panneau).to_contain_text("Pièce ajoutée")
    expect(panneau).to_contain_text(agent.get_full_name())
    demande.refresh_from_db()
    assert demande.etat == Demande.Etat.ANNULEE
