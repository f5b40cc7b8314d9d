"""Onglet « Pièces » dans Chromium : un agent de guichet téléverse une pièce, la voit listée, la télécharge ;
un mauvais fichier donne le message d'erreur sur le champ ; obsolescence et suppression avec confirmation."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demandes.models import Piece
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import PDF, PNG

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stockage")]


def test_televerser_voir_telecharger_puis_retirer_une_piece(page, connecter, capture, agent, stockage):
    demande = DemandeFactory(nom="Lefèvre", prenom="Élodie", communes=[agent.reze])
    connecter(agent)
    page.goto(f"/demandes/{demande.pk}/")

    page.get_by_role("tab", name=re.compile("^Pièces")).click()
    panneau = page.get_by_role("tabpanel")
    expect(panneau.get_by_role("heading", name="Pièces à demander")).to_be_visible()
    expect(panneau).to_contain_text("Pièce d'identité – Élodie LEFÈVRE")
    expect(panneau).to_contain_text("Aucune pièce n'a encore été déposée.")
    capture("1-onglet-pieces-vide")

    # Un PNG renommé en .pdf : refusé, message sur le champ, le type choisi est conservé.
    panneau.get_by_label("Type de pièce").select_option("identite")
    panneau.get_by_label("Fichier").set_input_files(
        files=[{"name": "cni.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    panneau.get_by_role("button", name="Ajouter la pièce").click()
    alerte = page.get_by_role("alert")
    expect(alerte).to_contain_text("porte l'extension .pdf mais son contenu est celui d'une image PNG")
    expect(page.locator("#id_fichier_error")).to_contain_text("son contenu est celui d'une image PNG")
    expect(page.get_by_label("Type de pièce")).to_have_value("identite")
    capture("2-depot-refuse")
    assert not Piece.objects.exists()

    # Le bon fichier : la pièce est listée dans l'onglet, qui ne la réclame plus.
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "cni.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_role("status")).to_contain_text("Pièce ajoutée au dossier : Pièce d'identité.")
    panneau = page.get_by_role("tabpanel")
    expect(panneau).to_contain_text("1 pièce au dossier")
    tableau = panneau.get_by_role("table")
    expect(tableau).to_contain_text("LEFÈVRE Élodie (Demandeur)")
    expect(tableau).to_contain_text("Valide")
    expect(panneau.locator(".liste-pieces-manquantes")).not_to_contain_text("Pièce d'identité")
    capture("3-piece-listee")

    with page.expect_download() as attente:
        tableau.get_by_role("link", name="Télécharger la pièce « Pièce d'identité »").click()
    telechargement = attente.value
    assert Path(telechargement.path()).read_bytes() == PDF
    assert telechargement.suggested_filename.endswith(".pdf")

    # Obsolescence avec motif, puis suppression confirmée.
    page.get_by_text("Rendre obsolète la pièce « Pièce d'identité »…").click()
    page.get_by_label("Motif de l'obsolescence").fill("Carte d'identité expirée")
    page.get_by_role("button", name="Confirmer l'obsolescence").click()
    expect(page.get_by_role("status")).to_contain_text("Pièce rendue obsolète")
    tableau = page.get_by_role("tabpanel").get_by_role("table")
    expect(tableau).to_contain_text("Obsolète")
    expect(tableau).to_contain_text("Carte d'identité expirée")
    expect(page.get_by_role("tabpanel").locator(".liste-pieces-manquantes")).to_contain_text("Pièce d'identité")
    capture("4-piece-obsolete")

    page.once("dialog", lambda dialogue: dialogue.accept())
    page.get_by_text("Supprimer la pièce « Pièce d'identité »…").click()
    page.get_by_role("button", name="Confirmer la suppression").click()
    expect(page.get_by_role("status")).to_contain_text("Pièce supprimée du dossier")
    assert not Piece.objects.exists()
    assert not [f for f in Path(stockage).rglob("*") if f.is_file()]
