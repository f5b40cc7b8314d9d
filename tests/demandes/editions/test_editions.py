"""Éditions PDF du dossier : fiche de synthèse et attestation d'enregistrement (écrans et API).

Le texte des PDF est extrait par pypdf : on vérifie ce que lit l'agent ou le
demandeur (blocs, valeurs, dates), les droits (territoire, observateur),
le journal des consultations et le refus pour un brouillon.
"""

import datetime
import io
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from bench.bench_editions import creer_demande_nombreuse
from fdls.audit.models import Consultation
from fdls.socle import pdf as pdf_socle
from tests.monde.factories import AgentFactory, CommuneFactory, DemandeFactory
from tests.monde.territoires import ville_de_reze

MAINTENANT = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def texte_pdf(contenu: bytes) -> list[str]:
    """Texte de chaque page, espaces normalisés (les espaces insécables deviennent des espaces)."""
    assert contenu.startswith(b"%PDF-")
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(contenu)).pages]


def _compact(texte: str) -> str:
    return re.sub(r"\s+", "", texte).casefold()


def absents(texte: str, attendus: list[str]) -> list[str]:
    """Les phrases attendues que le texte ne contient pas (l'extraction de pypdf colle parfois deux cellules
    voisines et garde la casse des ``text-transform`` : on compare sans espaces ni casse)."""
    compact = _compact(texte)
    return [a for a in attendus if _compact(a) not in compact]


def texte_html(reponse) -> str:
    sans_balises = re.sub(r"<[^>]+>", " ", reponse.content.decode())
    sans_entites = sans_balises.replace("&nbsp;", " ").replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", sans_entites)


@pytest.fixture
def territoire():
    """Un guichet de Rezé, ses agents, et une demande de ménage nombreux (6 personnes, 4 communes, 40 événements)."""
    t = ville_de_reze(first_name="Léa", last_name="Guichet")
    communes = [t.reze, t.nantes] + [CommuneFactory(nom=nom) for nom in ("Bouguenais", "Vertou")]
    with time_machine.travel(MAINTENANT, tick=False):
        demande = creer_demande_nombreuse(guichet=t.guichet, agent=t.agent, communes=communes, evenements=40)
    return {"agent": t.agent, "demande": demande, "communes": communes, "guichet": t.guichet}


@pytest.fixture
def connecte(agent_verifie, territoire):
    return agent_verifie(territoire["agent"])


def _telecharger(client, nom, demande):
    with time_machine.travel(MAINTENANT + datetime.timedelta(hours=2), tick=False):
        reponse = client.get(reverse(f"demandes:{nom}", args=[demande.pk]))
    # Pour regarder les documents : FDLS_EDITIONS_DUMP=/tmp/pdf pytest … puis pdftoppm -png -r 60.
    if os.environ.get("FDLS_EDITIONS_DUMP") and reponse.get("Content-Type") == "application/pdf":
        dossier = Path(os.environ["FDLS_EDITIONS_DUMP"])
        dossier.mkdir(parents=True, exist_ok=True)
        (dossier / f"{nom}-{demande.etat}.pdf").write_bytes(reponse.content)
    return reponse


# ---------------------------------------------------------------- fiche de synthèse


def test_la_fiche_pdf_montre_tous_les_blocs_de_la_synthese(client, territoire, connecte):
    demande = territoire["demande"]

    reponse = _telecharger(client, "synthese_pdf", demande)

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == f'attachment; filename="synthese-{demande.numero_unique}.pdf"'
    pages = texte_pdf(reponse.content)
    texte = " ".join(pages)
    attendus = [
        # En-tête, identification
        "Synthèse de la demande",
        "édité le 10/03/2026 à 12:00 par Ville de Rezé",
        "N° unique 044 0326 000001 10865",
        f"N° de dossier {demande.reference}",
        "État Active",
        "Guichet Guichet de Rezé (10865), Rezé",
        "Date de la demande 10/03/2026",
        "Renouvellement à effectuer avant le 10/03/2027",
        # Demandeur, co-demandeur, activité
        "Mme Martine NOURY (45 ans)",
        "Co-demandeur",
        "M. Louis BULLET (47 ans)",
        "Activité professionnelle du co-demandeur",
        "Opératrice de préparation",
        "Cariste",
        # Ménage et valeurs dérivées
        "Occupants",
        "Lucas",
        "Jade",
        "Catégorie de ménage : 6",
        "Personnes à loger : 6",
        "Personnes à charge : 4",
        "Nombre d'UC : 2,9",
        "Revenus annuels",
        "Plafond 2026 (PLUS)",
        "Plafond 2025 (PLUS)",
        "Revenus mensuels",
        "Allocations familiales",
        "3 278,20 €",
        "Quotient familial : 1 130",
        "RUC annuel : 13 565",
        "Ancienneté 0 mois",
        "Nombre de refus 2",
        # Logement
        "Situation actuelle",
        "Locataire ou sous-locataire d'un logement privé",
        "Logement recherché",
        "Logement trop cher – Logement trop petit",
        "Localisation souhaitée",
        "1 Rezé 44143 10/03/2026",
        "Compléments",
        "Aucune priorité, éligibilité ni contingent pour l'instant.",
        "près de l'école des enfants",
        # Instruction : blocs présents, vides
        "Contacts demandeur (nombre total : 0)",
        "Aucun contact pour l'instant.",
        "Commission d'attribution de logement",
        "Aucun passage en commission d'attribution pour l'instant.",
        "Propositions de logement (nombre de refus : 2)",
        "Aucune proposition de logement pour l'instant.",
        "Visites de logement",
        "Aucune visite pour l'instant.",
        # Extrait de l'historique
        "Historique (les 15 événements les plus récents sur 40)",
        # Pied de page
        "Document confidentiel",
    ]
    assert not absents(texte, attendus)
    assert texte.index("1 Rezé") < texte.index("2 Nantes") < texte.index("3 Bouguenais") < texte.index("4 Vertou")
    # Numéro de page « n / N » sur chaque page.
    assert [re.search(r"Page (\d+) / (\d+)", p).groups() for p in pages] == [
        (str(n), str(len(pages))) for n in range(1, len(pages) + 1)
    ]
    # L'extrait de l'historique garde les 15 événements les plus récents : l'enregistrement et la pièce
    # d'identité jointe (ce jour), et 13 modifications ; les propositions et refus, plus anciens, n'y sont pas.
    assert texte.count("Enregistrement de la demande") == 1
    assert texte.count("Modification de la demande") == 13
    assert "Création proposition" not in texte


def test_l_ecran_et_le_pdf_montrent_les_memes_blocs_et_valeurs(client, territoire, connecte):
    demande = territoire["demande"]
    with time_machine.travel(MAINTENANT + datetime.timedelta(hours=2), tick=False):
        ecran = texte_html(client.get(reverse("demandes:detail", args=[demande.pk])))
        # Les blocs de l'instruction : chargés par htmx dans la fiche depuis l'instruction.
        ecran += texte_html(
            client.get(reverse("instruction:instruction_demande", args=[demande.pk]), headers={"HX-Request": "true"})
        )
    pdf = " ".join(texte_pdf(_telecharger(client, "synthese_pdf", demande).content))

    communs = [
        "Co-demandeur",
        "Activité professionnelle du co-demandeur",
        "Catégorie de ménage : 6",
        "Nombre d'UC : 2,9",
        "Quotient familial : 1 130",
        "RUC annuel : 13 565",
        "Nombre de refus 2",
        "Compléments",
        "Contacts demandeur (nombre total : 0)",
        "Commission d'attribution de logement",
        "Propositions de logement (nombre de refus : 2)",
        "Visites de logement",
    ]
    assert absents(ecran, communs) == []
    assert absents(pdf, communs) == []


def test_le_telechargement_est_journalise_comme_une_consultation(client, territoire, connecte):
    demande, agent = territoire["demande"], territoire["agent"]

    _telecharger(client, "synthese_pdf", demande)
    _telecharger(client, "attestation_pdf", demande)

    lignes = Consultation.objects.filter(utilisateur=agent).order_by("id")
    assert [(c.action, c.objet_type, c.objet_id, c.organisme_id) for c in lignes] == [
        ("pdf", "demandes.demande", str(demande.pk), agent.organisme_id)
    ] * 2
    assert lignes[0].chemin == f"/demandes/{demande.pk}/synthese.pdf"
    assert lignes[1].chemin == f"/demandes/{demande.pk}/attestation.pdf"


def test_les_boutons_d_edition_sur_la_fiche(client, territoire, connecte):
    demande = territoire["demande"]
    brouillon = DemandeFactory(brouillon=True, guichet=territoire["guichet"], communes=[territoire["communes"][0]])

    active = client.get(reverse("demandes:detail", args=[demande.pk])).content.decode()
    assert f'href="/demandes/{demande.pk}/synthese.pdf" download>Fiche PDF</a>' in active
    assert f'href="/demandes/{demande.pk}/attestation.pdf" download>Attestation PDF</a>' in active
    fiche_brouillon = client.get(reverse("demandes:detail", args=[brouillon.pk])).content.decode()
    assert "Fiche PDF" in fiche_brouillon
    assert "Attestation PDF" not in fiche_brouillon


# ---------------------------------------------------------------- attestation


def test_l_attestation_dit_au_demandeur_ce_qu_il_doit_faire(client, territoire, connecte):
    demande = territoire["demande"]

    reponse = _telecharger(client, "attestation_pdf", demande)

    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == f'attachment; filename="attestation-{demande.numero_unique}.pdf"'
    pages = texte_pdf(reponse.content)
    assert len(pages) == 1
    texte = pages[0]
    attendus = [
        "Attestation d'enregistrement",
        "Votre numéro unique 044 0326 000001 10865",
        "Date de dépôt 10 mars 2026",
        "Guichet d'enregistrement Guichet de Rezé (10865), Hôtel de ville, place Jean-Baptiste Daviais, 44400 Rezé",
        "12 mois à compter du 10 mars 2026, soit jusqu'au 10 mars 2027",
        "Renouvellement à effectuer à partir du 10 février 2027 et au plus tard le 10 mars 2027",
        "tous les bailleurs sociaux du département",
        "Renouvelez votre demande chaque année, un mois avant sa date d'expiration",
        "Signalez tout changement",
        "Conservez votre numéro unique",
        "Mme Martine NOURY",
        "M. Louis BULLET",
        "Communes souhaitées",
        "Page 1 / 1",
    ]
    assert not absents(texte, attendus)
    assert texte.index("Nantes") < texte.index("Bouguenais") < texte.index("Vertou")
    # Pas de données du ménage au-delà du demandeur et du co-demandeur.
    assert "Lucas" not in texte
    assert "Quotient familial" not in texte


def test_pas_d_attestation_pour_une_demande_annulee(client, territoire, connecte):
    with time_machine.travel(datetime.date(2025, 2, 1), tick=False):  # annulée ce jour-là, par le service
        annulee = DemandeFactory(
            annulee=True,
            guichet=territoire["guichet"],
            communes=[territoire["communes"][0]],
            date_depot=datetime.date(2024, 1, 15),
        )

    reponse = client.get(reverse("demandes:attestation_pdf", args=[annulee.pk]), follow=True)

    # Refusée par le serveur (même par l'adresse directe), et le bouton n'est pas proposé sur la fiche.
    assert reponse.redirect_chain == [(reverse("demandes:detail", args=[annulee.pk]), 302)]
    assert "Cette demande est annulée : elle n'a plus d'attestation d'enregistrement" in texte_html(reponse)
    assert "Attestation PDF" not in texte_html(reponse)
    assert reverse("demandes:attestation_pdf", args=[annulee.pk]) not in reponse.content.decode()


def test_pas_d_attestation_pour_un_brouillon(client, territoire, connecte):
    brouillon = DemandeFactory(brouillon=True, guichet=territoire["guichet"], communes=[territoire["communes"][0]])

    reponse = client.get(reverse("demandes:attestation_pdf", args=[brouillon.pk]), follow=True)

    assert reponse.redirect_chain == [(reverse("demandes:detail", args=[brouillon.pk]), 302)]
    assert "L'attestation d'enregistrement n'existe que pour une demande enregistrée" in texte_html(reponse)
    assert not Consultation.objects.filter(action="pdf").exists()
    # La fiche de synthèse d'un brouillon, elle, s'édite.
    synthese = client.get(reverse("demandes:synthese_pdf", args=[brouillon.pk]))
    assert synthese.status_code == 200
    assert "N° unique non attribué (brouillon)" in " ".join(texte_pdf(synthese.content))


# ---------------------------------------------------------------- droits


def test_agent_d_un_autre_territoire_recoit_404(client, agent_verifie, territoire):
    ailleurs = CommuneFactory(nom="Saint-Nazaire")
    agent_verifie(AgentFactory(organisme__perimetre=[ailleurs], organisme__type="commune"))
    demande = territoire["demande"]

    for nom in ("synthese_pdf", "attestation_pdf"):
        assert client.get(reverse(f"demandes:{nom}", args=[demande.pk])).status_code == 404
    assert not Consultation.objects.filter(action="pdf").exists()


def test_observateur_recoit_403(client, agent_verifie, territoire):
    agent_verifie(AgentFactory(observateur=True, organisme=territoire["agent"].organisme))
    demande = territoire["demande"]

    for nom in ("synthese_pdf", "attestation_pdf"):
        reponse = client.get(reverse(f"demandes:{nom}", args=[demande.pk]))
        assert reponse.status_code == 403
        assert "statistiques" in reponse.content.decode()
    assert not Consultation.objects.filter(action="pdf").exists()


def test_anonyme_renvoye_a_la_connexion(client, territoire):
    reponse = client.get(reverse("demandes:synthese_pdf", args=[territoire["demande"].pk]))
    assert reponse.status_code == 302
    assert "/connexion/" in reponse["Location"]


# ---------------------------------------------------------------- API


@pytest.mark.parametrize(("edition", "titre"), [("synthese", "Synthèse de la demande"), ("attestation", "Attestation")])
def test_api_pdf_journalise(client, jeton, territoire, edition, titre):
    agent, demande = territoire["agent"], territoire["demande"]
    url = f"/api/v1/demandes/{demande.pk}/{edition}.pdf"

    reponse = client.get(url, headers={**jeton(agent)[1], "Accept": "application/pdf"})

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert titre in " ".join(texte_pdf(reponse.content))
    ligne = Consultation.objects.get(utilisateur=agent)
    assert (ligne.action, ligne.objet_id, ligne.chemin) == ("pdf", str(demande.pk), url)


def test_api_droits_et_brouillon(client, jeton, territoire):
    demande = territoire["demande"]
    brouillon = DemandeFactory(brouillon=True, guichet=territoire["guichet"], communes=[territoire["communes"][0]])
    autre = jeton(AgentFactory(organisme__perimetre=[CommuneFactory()], organisme__type="commune"))[1]
    observateur = jeton(AgentFactory(observateur=True, organisme=territoire["agent"].organisme))[1]
    agent = jeton(territoire["agent"])[1]

    hors_territoire = client.get(f"/api/v1/demandes/{demande.pk}/synthese.pdf", headers={**autre, "Accept": "*/*"})
    assert hors_territoire.status_code == 404
    assert hors_territoire["Content-Type"] == "application/json"
    assert hors_territoire.json()["code"] == "introuvable"

    refuse = client.get(f"/api/v1/demandes/{demande.pk}/attestation.pdf", headers=observateur)
    assert refuse.status_code == 403
    assert "statistiques sans nom" in refuse.json()["detail"]

    conflit = client.get(
        f"/api/v1/demandes/{brouillon.pk}/attestation.pdf", headers={**agent, "Accept": "application/pdf"}
    )
    assert conflit.status_code == 409
    assert conflit["Content-Type"] == "application/json"
    assert conflit.json()["code"] == "edition_impossible"
    assert "n'a pas de numéro unique" in conflit.json()["detail"]

    assert client.get(f"/api/v1/demandes/{demande.pk}/synthese.pdf").status_code in (401, 403)
    assert not Consultation.objects.filter(action="pdf").exists()


# ---------------------------------------------------------------- rendu sans ressource externe


def test_le_rendu_ne_telecharge_rien_hors_des_fichiers_statiques():
    recuperateur = pdf_socle.recuperateur()
    feuille = recuperateur.fetch(pdf_socle.BASE_DOCUMENT + "static/css/editions.css")
    assert b"@page" in feuille.read()
    for url in (
        "https://exemple.org/police.woff2",
        "http://fdls.invalid/static/css/editions.css",
        "file:///etc/passwd",
        pdf_socle.BASE_DOCUMENT + "static/../../fdls/settings.py",
        pdf_socle.BASE_DOCUMENT + "media/piece.pdf",
    ):
        with pytest.raises(ValueError, match="refusée|introuvable|disallowed"):
            recuperateur.fetch(url)
