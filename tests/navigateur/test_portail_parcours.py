"""Le parcours du demandeur dans Chromium (issue 21) : il crée son compte (adresse vérifiée), rattache une demande
enregistrée au guichet (code reçu par courriel), lit chaque rubrique de son espace (R441-2-17), dépose une pièce,
renouvelle, télécharge ses PDF, voit qui a consulté son dossier, puis dépose une nouvelle demande en ligne que le
guichet valide."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from demandes.dossier.workflow import ecrire_evenement
from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Evenement, Piece
from fdls.socle.workflow import Auteur
from tests.monde.dossiers import NAISSANCE, enregistrer
from tests.monde.factories import LogementFactory, TOTPDeviceFactory
from tests.monde.fichiers import PDF
from tests.monde.territoires import territoire_nantes
from tests.portail.aides import executer_taches

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "une phrase de passe solide"


def _chemin(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _agent_consulte(agent, demande):
    """Un agent du bailleur ouvre la fiche (vraie requête : le journal des consultations l'inscrit)."""
    client = Client()
    device = TOTPDeviceFactory(user=agent)
    client.force_login(agent)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get(f"/demandes/{demande.pk}/").status_code == 200


def test_parcours_complet_du_demandeur(page, mailoutbox, stockage, capture):
    m = territoire_nantes(grille=True)
    demande = enregistrer(m, email="jean.billon@exemple.fr")
    logement = LogementFactory(commune=m.reze, programme__commune=m.reze, programme__adresse="4 rue des Lilas")
    ecrire_evenement(
        demande,
        Evenement.Type.DECISION_CAL,
        Auteur.agent(m.agent_bailleur),
        precisions="Commission 0001 - séance du 12/01/2026 - Décision : Attribution par ordre de classement - Rang : 2",
        details={
            "commission": "0001",
            "seance": "2026-01-12",
            "decision": "attribution_rang",
            "rang": 2,
            "logement": logement.pk,
        },
    )
    _agent_consulte(m.agent_bailleur, demande)

    # 5. Inscription, adresse vérifiée par un lien qui ouvre une page avec un bouton.
    page.goto("/portail/")
    page.get_by_role("link", name="Mon espace (connexion)").click()
    page.get_by_role("link", name="Créer mon compte").click()
    page.get_by_label("Prénom").fill("Jean")
    page.get_by_label("Nom", exact=True).fill("Billon")
    page.get_by_label("Adresse électronique").fill("compte.jean@exemple.fr")
    page.get_by_label("Mot de passe", exact=True).fill(MOT_DE_PASSE)
    page.get_by_label("Confirmation du mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse électronique")
    executer_taches()
    lien = re.search(r"https?://\S+", mailoutbox[-1].body).group(0)
    page.goto(_chemin(lien))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_role("status")).to_contain_text("Votre adresse électronique est confirmée")
    page.get_by_label("Adresse électronique").fill("compte.jean@exemple.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")

    # Rattacher la demande du guichet : numéro unique, date de naissance, code envoyé à l'adresse du dossier.
    page.get_by_role("link", name="Rattacher une demande enregistrée par un guichet").click()
    page.get_by_label("Numéro unique de la demande").fill(demande.numero_unique_affiche)
    page.get_by_label("Date de naissance du demandeur").fill(NAISSANCE.strftime("%d/%m/%Y"))
    page.get_by_label("Par courriel, à l'adresse indiquée dans ma demande").check()
    page.get_by_role("button", name="Recevoir le code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisir le code reçu")
    executer_taches()
    assert mailoutbox[-1].to == ["jean.billon@exemple.fr"]
    code = re.search(r"Votre code : (\d{6})", mailoutbox[-1].body).group(1)
    page.get_by_label("Code reçu (6 chiffres)").fill(code)
    page.get_by_role("button", name="Rattacher la demande").click()

    # 7. Accueil de la demande.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement social")
    expect(page.get_by_role("status")).to_contain_text("est rattachée à votre espace personnel")
    contenu = page.locator("#contenu")
    expect(contenu).to_contain_text(demande.date_expiration.strftime("%d/%m/%Y"))
    expect(contenu).to_contain_text("Ce qui manque à votre dossier")
    capture("portail_accueil_demande")
    menu = page.get_by_role("navigation", name="Ma demande")

    # 8. Le dossier déclaré, la fiche récapitulative.
    menu.get_by_role("link", name="Mon dossier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon dossier : les informations déclarées")
    expect(contenu).to_contain_text("MARTIN")

    # 9. Historique filtré par période.
    menu.get_by_role("link", name="Historique", exact=True).click()
    expect(contenu).to_contain_text("Demande rattachée à l'espace personnel du demandeur")
    hier = (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    page.get_by_label("Depuis le").fill(hier)
    page.get_by_label("Jusqu'au").fill(hier)
    page.get_by_role("button", name="Afficher la période").click()
    expect(contenu).to_contain_text("Aucun événement sur cette période.")

    # 10. Documents : déposer une pièce.
    menu.get_by_role("link", name="Mes documents", exact=True).click()
    page.get_by_label("Type de pièce").select_option("avis_imposition")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "avis.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Déposer le document").click()
    expect(page.get_by_role("status")).to_contain_text("ajoutée à votre dossier")
    assert Piece.objects.filter(demande=demande, type="avis_imposition").exists()

    # 11. Cotation ; 12. décisions de CAL ; 13. priorités.
    menu.get_by_role("link", name="Ma cotation", exact=True).click()
    expect(contenu).to_contain_text("Le détail de mes points")
    menu.get_by_role("link", name="Décisions des commissions", exact=True).click()
    expect(contenu).to_contain_text("Attribution par ordre de classement – séance du 12/01/2026")
    expect(contenu).to_contain_text("4 rue des Lilas, Rezé")
    menu.get_by_role("link", name="Priorités et contingents", exact=True).click()
    expect(contenu).to_contain_text("Ma demande est-elle prioritaire")

    # 14. Qui a consulté mon dossier : l'organisme, sans l'agent.
    menu.get_by_role("link", name="Qui a consulté mon dossier", exact=True).click()
    expect(contenu).to_contain_text("Nantes Métropole Habitat")
    expect(contenu).not_to_contain_text(m.agent_bailleur.email)

    # 15. PDF.
    menu.get_by_role("link", name="Accueil de ma demande", exact=True).click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Attestation d'enregistrement (PDF)").click()
    assert telechargement.value.suggested_filename == f"attestation-{demande.numero_unique}.pdf"

    # 8. Renouveler : dans le préavis, un bouton ; le POST renouvelle.
    Demande.objects.filter(pk=demande.pk).update(date_expiration=timezone.localdate() + datetime.timedelta(days=15))
    page.reload()
    page.get_by_role("link", name="Renouveler ma demande").click()
    page.get_by_role("button", name="Renouveler ma demande").click()
    expect(page.get_by_role("status")).to_contain_text("Votre demande est renouvelée")
    demande.refresh_from_db()
    assert demande.date_expiration > timezone.localdate() + datetime.timedelta(days=300)

    # 6. Déposer une nouvelle demande en ligne.
    page.goto("/portail/espace/")
    page.get_by_role("link", name="Déposer une nouvelle demande en ligne").click()
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Billon")
    page.get_by_label("Prénom (obligatoire)", exact=True).fill("Jean")
    page.get_by_label("Date de naissance (obligatoire)").fill("12/03/1980")
    page.get_by_label("Nationalité (obligatoire)").select_option("francaise")
    page.get_by_role("tab", name="Situation actuelle").click()
    page.get_by_label("Statut d'occupation (obligatoire)").select_option("locataire_prive")
    page.get_by_role("tab", name="Logement recherché").click()
    page.get_by_label("T2 - 2 pièces").check()
    page.get_by_role("tab", name="Localisations souhaitées").click()
    page.get_by_label("Commune du choix 1").fill("Rezé (44143)")
    page.get_by_role("tab", name="Motifs").click()
    page.get_by_label("Logement trop cher").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré")
    brouillon = Demande.objects.get(compte_demandeur__email="compte.jean@exemple.fr", etat="brouillon")
    page.get_by_label("Pièce d'identité du demandeur").set_input_files(
        files=[{"name": "carte.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Déposer ma demande").click()
    expect(page.locator("#contenu")).to_contain_text("attend la validation du guichet")
    brouillon.refresh_from_db()
    assert brouillon.etat == Demande.Etat.A_VALIDER
    en_ligne.valider_demande_en_ligne(brouillon, user=m.agent_ehs, identite_verifiee=True)
    page.goto("/portail/espace/")
    brouillon.refresh_from_db()
    expect(page.locator("#contenu")).to_contain_text("2 demandes rattachées à votre compte")
    assert brouillon.numero_unique
