"""Dans Chromium : l'agent ouvre la fiche d'une demande et télécharge l'attestation d'enregistrement."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from fdls.audit.models import Consultation
from tests.monde.factories import (
    DemandeFactory,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_l_agent_telecharge_l_attestation_depuis_la_fiche(page, connecter, agent):
    demande = DemandeFactory(
        nom="Noury",
        prenom="Martine",
        numero_unique="044032600000110865",
        guichet=agent.guichet,
        communes=[agent.reze],
    )
    connecter(agent)

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
