"""La commission d'attribution entière dans un vrai Chromium : un bailleur crée sa commission, planifie une
séance, inscrit deux logements avec leurs candidats positionnés, enregistre les décisions a à e (une erreur
de saisie montrée en français, la saisie gardée), un candidat refuse, le suivant signe le bail ; l'historique,
la cotation et la vacance en portent chaque effet, les éditions PDF s'ouvrent."""

import datetime
from decimal import Decimal

import pytest

from cotation.models import ResultatCotation
from demandes.models import Demande, Evenement
from instruction.commissions.models import Bail, Candidature
from instruction.propositions import services as propositions
from offre.models import EtatDisponibilite
from tests.instruction.rapprochement.aides import COUPLE
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory, TOTPDeviceFactory
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]
C = Candidature.Etat


def test_de_la_seance_au_bail_signe(page, connecter, axe):
    m = territoire_nantes(grille=True)
    TOTPDeviceFactory(user=m.agent_bailleur)
    programme = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes, code="0629", nom="KALLIMA 2")
    vacances = []
    for code in ("0013", "0014"):
        logement = LogementFactory(programme=programme, code=code, typologie="T3", loyer=Decimal("412.30"))
        vacances.append(
            DisponibiliteFactory(logement=logement, date_disponibilite=datetime.date.today(), reservataire=m.ddets)
        )
    noms = ["ARNAUD", "BERNARD", "CHARLES", "DURAND", "EMILE", "FABRE"]
    demandes = [enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom=nom) for nom in noms]
    for i, demande in enumerate(demandes):
        propositions.positionner_candidat(auteur=m.agent_bailleur, disponibilite=vacances[i // 3], demande=demande)
    connecter(m.agent_bailleur)

    # Le menu mène aux commissions ; le bailleur crée la sienne et planifie une séance du jour.
    page.get_by_role("link", name="Commissions").first.click()
    page.get_by_role("heading", level=1, name="Commissions d'attribution").wait_for()
    page.get_by_text("Créer une commission").click()
    page.get_by_label("Nom de la commission").fill("0001")
    page.get_by_label("Quorum (membres à voix délibérative)").fill("2")
    page.get_by_role("button", name="Créer la commission").click()
    page.get_by_text("La commission « 0001 » est créée.").wait_for()
    page.get_by_label("Date de la séance").fill(datetime.date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Lieu").fill("Siège, salle du conseil")
    page.get_by_role("button", name="Planifier la séance").click()
    page.get_by_role("heading", level=1, name="Commission 0001").wait_for()
    axe()

    # Ordre du jour : les deux logements, avec leurs trois candidats positionnés.
    for vacance in vacances:
        page.get_by_label("Logement vacant").select_option(str(vacance.pk))
        page.get_by_role("button", name="Inscrire le logement").click()
        page.get_by_text(f"Le logement {vacance.logement} est inscrit avec 3 candidat(s).").wait_for()

    def candidat(nom):
        return page.locator("section.candidat", has_text=nom)

    def ouvrir(bloc, titre):
        details = bloc.locator("details", has=page.locator("summary", has_text=titre))
        if details.get_attribute("open") is None:
            details.locator("summary").click()

    def decider(nom, decision, rang="", motif="", piece="", limite=""):
        bloc = candidat(nom)
        ouvrir(bloc, "Enregistrer la décision")
        bloc.get_by_label("Décision").select_option(decision)
        if rang:
            bloc.get_by_label("Rang").fill(rang)
        if motif:
            bloc.get_by_label("Motif", exact=True).select_option(motif)
        if piece:
            bloc.get_by_label("Pièce manquante (condition suspensive)").select_option(piece)
        if limite:
            bloc.get_by_label("Pièce à fournir au plus tard le").fill(limite)
        bloc.get_by_role("button", name="Enregistrer la décision").click()

    # Une non-attribution sans motif : refusée, en français, la décision choisie reste affichée.
    decider("CHARLES", "non_attribution")
    alerte = page.get_by_role("alert").first
    alerte.wait_for()
    assert "Indiquez le motif de la décision « non-attribution »" in page.content()
    assert candidat("CHARLES").get_by_label("Décision").input_value() == "non_attribution"
    axe()

    # Logement 1 : b) deux candidats classés, d) une non-attribution motivée.
    decider("ARNAUD", "attribution_rang", rang="1")
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    decider("BERNARD", "attribution_rang", rang="2")
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    decider("CHARLES", "non_attribution", motif="inadapte")
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    # Logement 2 : a) attribution, c) sous condition suspensive au rang 2, e) irrecevabilité.
    decider("DURAND", "attribution")
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    limite = (datetime.date.today() + datetime.timedelta(days=15)).strftime("%d/%m/%Y")
    decider("EMILE", "attribution_condition", rang="2", piece="avis_imposition", limite=limite)
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    decider("FABRE", "irrecevabilite", motif="sejour")
    page.get_by_text("La décision de la commission est enregistrée.").wait_for()
    assert "Attribuée sous condition suspensive" in candidat("EMILE").inner_text()
    axe()

    # ARNAUD refuse le logement : il passe à BERNARD, classé deuxième, qui signe le bail.
    bloc = candidat("ARNAUD")
    ouvrir(bloc, "Réponse du candidat")
    bloc.get_by_label("Refusée").check()
    bloc.get_by_label("Motif du refus").select_option("loyer")
    bloc.get_by_role("button", name="Enregistrer la réponse").click()
    page.get_by_text("La réponse du candidat est enregistrée.").wait_for()
    assert "Refusée par le candidat" in candidat("ARNAUD").inner_text()
    assert "Attribuée (réponse du candidat attendue)" in candidat("BERNARD").inner_text()
    bloc = candidat("BERNARD")
    ouvrir(bloc, "Bail signé")
    aujourd_hui = datetime.date.today().strftime("%d/%m/%Y")
    bloc.get_by_label("Bail signé le").fill(aujourd_hui)
    bloc.get_by_label("Entrée dans les lieux le").fill(aujourd_hui)
    bloc.get_by_role("button", name="Enregistrer le bail signé").click()
    page.get_by_text("Le bail est signé : la demande est satisfaite, le logement attribué.").wait_for()
    assert "Bail signé" in candidat("BERNARD").inner_text()
    axe()

    # Effets : vacance attribuée, demande satisfaite, historique au libellé du seed, cotation.
    arnaud, bernard, charles, durand, emile, fabre = (Demande.objects.get(pk=d.pk) for d in demandes)
    vacances[0].refresh_from_db()
    assert vacances[0].etat == EtatDisponibilite.ATTRIBUEE
    assert bernard.etat == Demande.Etat.SATISFAITE
    assert Bail.objects.get().demande_id == bernard.pk
    assert fabre.avertie_le == datetime.date.today()
    assert fabre.avertissement_motif == "irrecevabilite"
    types = set(Evenement.objects.filter(demande=arnaud).values_list("type", flat=True))
    assert {"passage_cal", "decision_cal", "refus_attribution"} <= types
    assert Evenement.objects.filter(demande=charles, type="decision_cal", details__decision="non_attribution").exists()
    # EMILE, classé deuxième en CAL : +4 points « déjà passé en CAL sans être premier » (annexe 1).
    lignes = ResultatCotation.objects.get(demande=emile).lignes
    assert any(ligne["points"] == 4 and "sans être classé en première position" in ligne["raison"] for ligne in lignes)

    # La fiche de BERNARD montre le bail et la décision ; celle d'EMILE sa condition suspensive.
    page.goto(f"/demandes/{bernard.pk}/")
    page.locator("a[data-onglet=historique]").click()
    page.get_by_text("Demande satisfaite (bail signé)").first.wait_for()
    assert "Bail signé le" in page.locator("#onglet-historique").inner_text()
    page.goto(f"/demandes/{emile.pk}/")
    page.locator("a[data-onglet=historique]").click()
    historique = page.locator("#onglet-historique")
    historique.get_by_text("Décision : Attribution sous condition suspensive").first.wait_for()
    assert "Rang : 2 - bien KALLIMA 2 (0629 - 0014)" in historique.inner_text()

    # Éditions : ordre du jour, procès-verbal et lettre de décision sont des PDF.
    page.goto("/instruction/commissions/")
    page.get_by_role("link", name=f"Séance du {aujourd_hui}").click()
    for lien in ("Ordre du jour (PDF)", "Procès-verbal (PDF)"):
        href = page.get_by_role("link", name=lien).get_attribute("href")
        reponse = page.request.get(href)
        assert reponse.ok
        assert reponse.body().startswith(b"%PDF")
    href = candidat("EMILE").get_by_role("link", name="Lettre de décision (PDF)").get_attribute("href")
    assert page.request.get(href).body().startswith(b"%PDF")
