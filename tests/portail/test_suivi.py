"""Suivi (R441-2-17) : décisions des CAL lues dans l'historique (détails complets, partiels ou seulement les
précisions), le logement décrit, la non-attribution « bail signé par le candidat classé devant », la mention DALO ;
priorités et contingents ; cotation (critères, poids, total, position, attente)."""

from django.urls import reverse

from demandes.dossier.workflow import ecrire_evenement
from demandes.labels import services as labels
from demandes.models import Evenement
from fdls.socle.workflow import Auteur
from portail.suivi import selectors
from tests.monde.factories import DisponibiliteFactory, LogementFactory
from tests.monde.territoires import territoire_nantes
from tests.portail.aides import demandeur_et_demande

PRECISIONS = (
    "Commission 0001 - séance du 12/01/2026 - Décision : Attribution sous condition suspensive - Motif : "
    "Attribution sous condition suspensive (pièces manquantes) - Rang : 2 - bien 44-908-369C-347024"
)


def _decision(demande, auteur, *, details, precisions=PRECISIONS, type=Evenement.Type.DECISION_CAL):
    return ecrire_evenement(demande, type, auteur, precisions=precisions, details=details)


def test_une_decision_complete_decrit_le_logement_et_explique(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    logement = LogementFactory(commune=m.reze, programme__commune=m.reze, programme__adresse="4 rue des Lilas")
    auteur = Auteur.agent(m.agent_bailleur)
    _decision(
        demande,
        auteur,
        details={
            "commission": "0001",
            "seance": "2026-01-12",
            "decision": "attribution_condition",
            "rang": 2,
            "motif": "Attribution sous condition suspensive (pièces manquantes)",
            "bien": "44-908-369C-347024",
            "logement": logement.pk,
            "piece_manquante": "Avis d'imposition 2024",
            "date_limite": "2026-01-26",
        },
    )
    client.force_login(moi)
    html = client.get(reverse("portail:decisions", args=[demande.pk])).content.decode()
    assert "Attribution sous condition suspensive – séance du 12/01/2026" in html
    assert "2<sup>e</sup> candidat classé" in html
    assert "avant le 26/01/2026" in html
    assert "4 rue des Lilas, Rezé" in html
    assert "412,30" in html  # loyer
    assert "T3 - 3 pièces" in html
    assert "à condition de fournir la pièce manquante" in html
    assert "Si je refuse un logement" in html
    assert "au titre de votre reconnaissance prioritaire DALO" not in html


def test_une_decision_ancienne_sans_details_est_lue_dans_ses_precisions(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    _decision(demande, Auteur.agent(m.agent_bailleur), details={})
    decision = selectors.decisions_cal(demande)[0]
    assert decision.decision == "attribution_condition"
    assert decision.rang == 2
    assert decision.commission == "0001"
    assert decision.seance.isoformat() == "2026-01-12"
    assert decision.bien == "44-908-369C-347024"
    assert decision.logement is None


def test_logement_retrouve_par_la_vacance_et_mention_dalo(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    dispo = DisponibiliteFactory(logement__commune=m.nantes, logement__programme__commune=m.nantes)
    _decision(
        demande,
        Auteur.agent(m.agent_bailleur),
        precisions="Commission CAL44 - séance du 02/03/2026 - Décision : Attribution - Rang : 1",
        details={"decision": "attribution", "rang": 1, "disponibilite": dispo.pk, "seance": "2026-03-02"},
    )
    client.force_login(moi)
    html = client.get(reverse("portail:decisions", args=[demande.pk])).content.decode()
    assert "Attribution – séance du 02/03/2026" in html
    assert "Nantes" in html
    assert "au titre de votre reconnaissance prioritaire DALO" in html
    priorites = client.get(reverse("portail:priorites", args=[demande.pk])).content.decode()
    assert "CP - Dalo" in priorites
    assert "<strong>Oui.</strong>" in priorites


def test_non_attribution_bail_signe_par_le_candidat_classe_devant(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    ecrire_evenement(
        demande,
        Evenement.Type.NON_ATTRIBUTION,
        Auteur.agent(m.agent_bailleur),
        precisions="Non-attribution : bail signé par le candidat classé devant",
        details={"rang": 2},
    )
    client.force_login(moi)
    html = client.get(reverse("portail:decisions", args=[demande.pk])).content.decode()
    assert "Non-attribution : bail signé par le candidat classé devant" in html
    assert "le candidat classé avant vous a signé le bail" in html


def test_sans_passage_en_commission_et_sans_priorite(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    html = client.get(reverse("portail:decisions", args=[demande.pk])).content.decode()
    assert "pas encore été présenté à une commission" in html
    priorites = client.get(reverse("portail:priorites", args=[demande.pk])).content.decode()
    assert "Non, pas à ce jour." in priorites
    assert "aucun contingent" in priorites


def test_le_contingent_est_nomme(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    labels.poser_label(demande, m.mairie_reze, user=m.agent_reze)
    client.force_login(moi)
    html = client.get(reverse("portail:priorites", args=[demande.pk])).content.decode()
    assert m.mairie_reze.libelle in html


def test_la_cotation_montre_criteres_poids_total_et_explications(client):
    m = territoire_nantes(grille=True)
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    reponse = client.get(reverse("portail:cotation", args=[demande.pk]))
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Le détail de mes points" in html
    assert "Total" in html
    assert "la commission d'attribution reste libre" in html.replace("&#x27;", "'")
    assert "Combien de temps attendent les demandes comparables" in html


def test_les_libelles_des_commissions_sont_reconnus_dans_les_precisions():
    m = territoire_nantes()
    _moi, demande = demandeur_et_demande(m)
    _decision(
        demande,
        Auteur.agent(m.agent_bailleur),
        precisions="Commission CAL44 - séance du 02/03/2026 - Décision : Attribution par ordre de priorité - Rang : 3",
        details={},
    )
    decision = selectors.decisions_cal(demande)[0]
    assert decision.decision == "attribution_rang"
    assert decision.rang == 3
