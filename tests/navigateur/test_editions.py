"""Dans Chromium : l'agent ouvre la fiche d'une demande et télécharge l'attestation d'enregistrement."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from fdls.audit.models import Consultation
from tests.factories import (
    MOT_DE_PASSE,
    AgentFactory,
    CommuneFactory,
    DemandeFactory,
    GuichetFactory,
    TOTPDeviceFactory,
    code_totp,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent():
    """Les tests « transaction=True » vident les tables : on remet les paramètres réglementaires des migrations."""
    from importlib import import_module

    from django.apps import apps

    import_module("demandes.migrations.0005_parametres_reglementaires").creer(apps, None)
    reze = CommuneFactory(nom="Rezé", code_insee="44143")
    agent = AgentFactory(organisme__perimetre=[reze], organisme__nom="Ville de Rezé")
    agent.guichet = GuichetFactory(organisme=agent.organisme, commune=reze, code="10865", nom="Guichet de Rezé")
    TOTPDeviceFactory(user=agent)
    agent.reze = reze
    return agent


def test_l_agent_telecharge_l_attestation_depuis_la_fiche(page, agent):
    demande = DemandeFactory(
        nom="Noury",
        prenom="Martine",
        numero_unique="044032600000110865",
        guichet=agent.guichet,
        communes=[agent.reze],
    )
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres").fill(code_totp())
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/")

    page.goto(f"/demandes/{demande.pk}/")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Attestation PDF").click()
    fichier = telechargement.value

    assert fichier.suggested_filename == "attestation-044032600000110865.pdf"
    contenu = Path(fichier.path()).read_bytes()
    assert contenu.startswith(b"%PDF-")
    texte = re.sub(r"\s+", " ", PdfReader(io.BytesIO(contenu)).pages[0].extract_text())
    assert "044 0326 000001 10865" in texte
    assert "Guichet de Rezé (10865)" in texte
    assert "NOURY" in texte
    assert Consultation.objects.filter(action="pdf", objet_id=str(demande.pk), utilisateur=agent).count() == 1
