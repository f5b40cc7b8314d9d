"""Le parcours entier de l'instruction dans un vrai Chromium : un bailleur part d'une vacance de démonstration,
cherche ses candidats, positionne le premier depuis la liste, note un contact, envoie la proposition et
enregistre l'acceptation ; la vacance passe « en cours », l'historique de la demande le montre."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from demandes.models import Evenement
from instruction.propositions.models import Positionnement, Proposition
from offre.models import EtatDisponibilite
from tests.instruction.rapprochement.aides import COUPLE
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory, TOTPDeviceFactory
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_de_la_recherche_des_candidats_a_la_proposition_acceptee(page, connecter, axe):
    importlib.import_module("instruction.migrations.0002_rapprochement").charger_occupation(apps, None)
    m = territoire_nantes(grille=True)
    TOTPDeviceFactory(user=m.agent_bailleur)
    programme = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes, code="0629", nom="KALLIMA 2")
    logement = LogementFactory(programme=programme, code="0013", typologie="T3", loyer=Decimal("412.30"))
    vacance = DisponibiliteFactory(logement=logement, date_disponibilite=datetime.date.today())
    ancienne = datetime.date.today() - datetime.timedelta(days=120)
    durand = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="DURAND", date_depot=ancienne)
    enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="PETIT")
    connecter(m.agent_bailleur)

    # La vacance, ses candidats : DURAND, plus ancienne à points égaux, en tête.
    page.goto(f"/offre/logements/{logement.pk}/")
    page.get_by_role("link", name="Rechercher des candidats").click()
    page.get_by_role("heading", level=1, name="Rechercher des candidats").wait_for()
    lignes = page.get_by_role("table").get_by_role("row")
    assert "DURAND" in lignes.nth(1).inner_text()
    axe()

    # Positionner DURAND depuis sa ligne : on arrive sur l'instruction de la vacance, au rang 1.
    page.get_by_role("button", name="Positionner DURAND").click()
    page.get_by_text(f"La demande {durand.numero_unique_affiche} est positionnée au rang 1.").wait_for()
    candidat = page.get_by_role("article", name=f"Rang 1 – DURAND {durand.prenom}")
    candidat.wait_for()
    assert "En cours d'attribution" in page.content()

    # Positionner deux fois la même demande : refusé, en français, sans second positionnement.
    page.go_back()
    page.reload()
    page.get_by_role("button", name="Positionner DURAND").click()
    page.get_by_role("alert").wait_for()
    assert "déjà positionnée" in page.get_by_role("alert").inner_text()
    assert Positionnement.objects.filter(demande=durand).count() == 1

    # Contact, proposition, acceptation.
    page.goto(f"/instruction/disponibilites/{vacance.pk}/")
    candidat = page.get_by_role("article", name=f"Rang 1 – DURAND {durand.prenom}")
    candidat.get_by_text("Noter un contact", exact=True).click()
    candidat.get_by_label("Mode").select_option("telephone")
    candidat.get_by_label("Résultat").select_option("interesse")
    candidat.get_by_role("button", name="Enregistrer le contact").click()
    page.get_by_text("Le contact est enregistré.").wait_for()
    page.get_by_text("Proposer le logement").click()
    page.get_by_role("button", name="Envoyer la proposition").click()
    page.get_by_text("La proposition de logement est envoyée.").wait_for()
    page.get_by_label("Acceptée").check()
    page.get_by_role("button", name="Enregistrer la réponse").click()
    page.get_by_text("La réponse du candidat est enregistrée.").wait_for()
    assert "Retenu (proposition acceptée)" in page.content()
    axe()

    vacance.refresh_from_db()
    assert vacance.etat == EtatDisponibilite.EN_COURS
    assert Proposition.objects.get().etat == "acceptee"
    types = set(Evenement.objects.filter(demande=durand).values_list("type", flat=True))
    assert {"positionnement", "contact", "proposition", "acceptation_proposition"} <= types

    # La fiche de la demande montre son instruction (bloc chargé par htmx).
    page.goto(f"/demandes/{durand.pk}/")
    page.get_by_text("KALLIMA 2").first.wait_for()
    assert "Acceptée" in page.locator("#onglet-synthese").inner_text()
