"""Un instructeur bailleur dans Chromium (issue 18, point 5) : sur la fiche d'une demande active de son
territoire, il corrige un champ et ajoute une pièce de l'instruction ; l'historique les inscrit au nom de son
organisme ; les actions de guichet (renouveler, annuler) ne lui sont pas proposées ; pages auditées par axe-core."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from demandes.cycle import services
from demandes.models import Evenement, Piece
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.socle.workflow import Auteur
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory
from tests.monde.fichiers import PDF, piece_identite
from tests.monde.territoires import ville_de_reze

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stockage")]


def test_un_instructeur_bailleur_corrige_un_champ_et_ajoute_une_piece(page, connecter, capture, axe):
    t = ville_de_reze()
    demande = services.enregistrer_demande(
        dossier(communes=[t.reze], loyer_actuel=Decimal("500")),
        auteur=Auteur.agent(t.agent),
        guichet=t.guichet,
        piece_identite=piece_identite(),
    )
    instructeur = AgentFactory(
        organisme__nom="Atlantique Habitations",
        organisme__type=Organisme.Type.BAILLEUR,
        organisme__perimetre=[t.reze],
        roles=[Role.INSTRUCTEUR_BAILLEUR],
        avec_totp=True,
    )
    connecter(instructeur)

    page.goto(f"/demandes/{demande.pk}/")
    actions = page.locator(".actions-fiche")
    expect(actions.get_by_role("link", name="Modifier")).to_be_visible()
    expect(actions).not_to_contain_text("Renouveler")
    expect(actions).not_to_contain_text("Annuler la demande")
    expect(page.get_by_text("Instruction : votre organisme complète et corrige cette demande")).to_be_visible()
    axe()
    capture("instruction-1-fiche")

    # Correction d'un champ : une valeur négative est refusée et la saisie reste, puis la bonne passe.
    actions.get_by_role("link", name="Modifier").click()
    page.get_by_role("tab", name=re.compile("^Situation actuelle")).click()
    page.get_by_label("Loyer avec charges (€/mois)").fill("-10")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_role("tab", name=re.compile("^Situation actuelle")).click()
    expect(page.get_by_label("Loyer avec charges (€/mois)")).to_have_value("-10")
    axe()
    page.get_by_label("Loyer avec charges (€/mois)").fill("640")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("status")).to_contain_text("Demande modifiée : 1 champ modifié.")
    capture("instruction-2-modifiee")

    # Une pièce de l'instruction, par l'onglet « Pièces ».
    page.get_by_role("tab", name=re.compile("^Pièces")).click()
    panneau = page.get_by_role("tabpanel")
    panneau.get_by_label("Type de pièce").select_option("avis_imposition")
    panneau.get_by_label("Fichier").set_input_files(
        files=[{"name": "avis.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    panneau.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_role("status")).to_contain_text("Pièce ajoutée au dossier")
    expect(page.get_by_role("tabpanel").get_by_role("table")).to_contain_text("Atlantique Habitations")
    expect(page.get_by_role("tabpanel")).not_to_contain_text("Rendre obsolète")
    axe()

    # L'historique les inscrit au nom du bailleur.
    page.get_by_role("tab", name="Historique").click()
    historique = page.get_by_role("tabpanel")
    expect(historique).to_contain_text("Modification de la demande")
    expect(historique).to_contain_text("Loyer avec charges (€/mois) : 500,00 → 640,00")
    expect(historique).to_contain_text("Atlantique Habitations")
    capture("instruction-3-historique")

    modification = Evenement.objects.get(demande=demande, type=Evenement.Type.MODIFICATION)
    assert (modification.auteur, modification.organisme) == (instructeur, instructeur.organisme)
    piece = Piece.objects.get(demande=demande, type="avis_imposition")
    assert (piece.deposee_par, piece.organisme) == (instructeur, instructeur.organisme)
