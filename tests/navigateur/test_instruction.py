"""Parcours d'un bailleur dans un vrai Chromium : de la page d'un logement vacant à l'instruction de sa vacance,
positionner une demande par son numéro unique, noter un contact, envoyer la proposition, enregistrer
l'acceptation ; axe-core sur la page."""

import pytest
from django.utils import timezone

from demandes.models import Evenement
from instruction.propositions.models import Contact, Positionnement, Proposition
from tests.monde.factories import (
    CommuneFactory,
    DemandeFactory,
    DisponibiliteFactory,
    TOTPDeviceFactory,
    agent_bailleur,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_bailleur_mene_une_vacance_jusqu_a_la_proposition_acceptee(page, connecter, axe, capture):
    nantes = CommuneFactory(code_insee="44109", nom="Nantes")
    agent = agent_bailleur(perimetre=[nantes], first_name="Bruno", last_name="Bailleur")
    TOTPDeviceFactory(user=agent)
    disponibilite = DisponibiliteFactory(
        logement__programme__bailleur=agent.organisme,
        logement__programme__commune=nantes,
        logement__programme__nom="KALLIMA 2",
        logement__programme__code="0629",
        logement__code="0013",
    )
    demande = DemandeFactory(communes=[nantes], nom="Noury", prenom="Martine")
    connecter(agent)

    # Depuis la page du logement, le lien vers l'instruction de sa vacance.
    page.goto(f"/offre/logements/{disponibilite.logement_id}/")
    page.get_by_role("link", name="Instruire la vacance").click()
    page.get_by_role("heading", level=1, name="Instruction de la vacance – KALLIMA 2 (0629 - 0013)").wait_for()
    axe()

    # Un numéro inconnu : l'erreur en français, la saisie gardée ; puis le bon numéro tapé avec ses espaces.
    champ = page.get_by_label("Demande à positionner")
    champ.fill("044 0101 999999 10001")
    page.get_by_role("button", name="Positionner la demande").click()
    assert "Aucune demande de votre territoire ne porte ce numéro." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Demande à positionner").input_value() == "044 0101 999999 10001"
    axe()
    page.get_by_label("Demande à positionner").fill(demande.numero_unique_affiche)
    page.get_by_role("button", name="Positionner la demande").click()
    page.get_by_role("heading", level=3, name="Rang 1 – NOURY Martine").wait_for()
    assert "En cours d'attribution" in page.content()

    # Noter un contact par téléphone, dans le bloc du candidat.
    candidat = page.get_by_role("article", name="Rang 1 – NOURY Martine")
    candidat.get_by_text("Noter un contact", exact=True).click()
    candidat.get_by_label("Mode").select_option("telephone")
    candidat.get_by_label("Résultat").select_option("interesse")
    candidat.get_by_role("button", name="Enregistrer le contact").click()
    page.get_by_text("Le contact est enregistré.").wait_for()
    assert "Contact pré-CAL" in page.get_by_role("table", name="Contacts avec le candidat").inner_text()

    # Envoyer la proposition (date du jour, délai par défaut), puis l'acceptation du candidat.
    page.get_by_text("Proposer le logement").click()
    page.get_by_role("button", name="Envoyer la proposition").click()
    page.get_by_text("La proposition de logement est envoyée.").wait_for()
    axe()
    page.get_by_label("Acceptée").check()
    page.get_by_role("button", name="Enregistrer la réponse").click()
    page.get_by_text("La réponse du candidat est enregistrée.").wait_for()
    assert "Retenu (proposition acceptée)" in page.content()
    capture("instruction-vacance")
    axe()

    positionnement = Positionnement.objects.get()
    assert positionnement.etat == "retenu"
    assert Contact.objects.get().date == timezone.localdate()
    assert Proposition.objects.get().etat == "acceptee"
    assert list(
        Evenement.objects.filter(demande=demande)
        .exclude(type="enregistrement")
        .order_by("id")
        .values_list("type", flat=True)
    ) == ["positionnement", "contact", "proposition", "acceptation_proposition"]

    # La fiche de la demande charge son bloc « Instruction » (htmx).
    page.goto(f"/demandes/{demande.pk}/")
    page.get_by_role("heading", name="Contacts demandeur (nombre total : 1)").wait_for()
    assert "Acceptée le" in page.content()
