"""Écrans de l'instruction d'une vacance : page, actions par formulaire (erreurs en français, saisie gardée),
accès par rôle, journal des consultations, bloc « Instruction » de la fiche et fiche de synthèse PDF."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from demandes.models import Evenement
from fdls.audit.models import Consultation
from fdls.comptes.models import Role
from instruction.propositions import services
from instruction.propositions.models import Contact, Positionnement, Proposition
from tests.monde.factories import AgentFactory, CommuneFactory, DemandeFactory, GuichetFactory, OrganismeFactory


def texte(reponse) -> str:
    brut = re.sub(r"<[^>]+>", " ", reponse.content.decode())
    return re.sub(r"\s+", " ", brut.replace("&nbsp;", " ").replace("&#x27;", "'").replace("&quot;", '"'))


def url(nom, *args):
    return reverse(f"instruction:{nom}", args=args)


@pytest.fixture
def bailleur(agent_verifie, monde):
    return agent_verifie(monde.agent_bailleur)


def test_le_bailleur_positionne_par_numero_unique_tape_avec_ses_espaces(client, monde, bailleur):
    demande = monde.demande()
    reponse = client.post(
        url("positionner", monde.disponibilite.pk), {"positionnement-demande": demande.numero_unique_affiche}
    )
    positionnement = Positionnement.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == url("disponibilite", monde.disponibilite.pk) + f"#candidat-{positionnement.pk}"
    page = client.get(reponse["Location"])
    assert page.status_code == 200
    contenu = texte(page)
    assert f"Rang 1 – {demande.nom.upper()} Claude" in contenu
    assert "est positionnée au rang 1" in contenu
    assert "En cours d'attribution" in contenu
    # Chaque demande montrée est inscrite au journal des consultations.
    assert Consultation.objects.filter(
        utilisateur=monde.agent_bailleur, objet_type="demandes.demande", objet_id=str(demande.pk)
    ).exists()


def test_contrat_de_la_liste_des_candidats_champ_demande_sans_prefixe(client, monde, bailleur):
    demande = monde.demande()
    reponse = client.post(url("positionner", monde.disponibilite.pk), {"demande": str(demande.pk)})
    assert reponse.status_code == 302
    assert Positionnement.objects.get().demande == demande


def test_un_numero_inconnu_est_une_erreur_en_francais_et_la_saisie_reste(client, monde, bailleur):
    reponse = client.post(
        url("positionner", monde.disponibilite.pk), {"positionnement-demande": "044 0101 999999 10001"}
    )
    assert reponse.status_code == 400
    contenu = texte(reponse)
    assert "Aucune demande de votre territoire ne porte ce numéro." in contenu
    assert 'value="044 0101 999999 10001"' in reponse.content.decode()
    assert not Positionnement.objects.exists()


def test_une_demande_hors_du_territoire_n_est_pas_trouvee(client, monde, bailleur):
    ailleurs = OrganismeFactory(perimetre=[CommuneFactory(nom="Brest")])
    demande = DemandeFactory(guichet=GuichetFactory(organisme=ailleurs, commune=ailleurs.perimetre.get()))
    reponse = client.post(url("positionner", monde.disponibilite.pk), {"demande": demande.numero_unique})
    assert reponse.status_code == 400
    assert "Aucune demande de votre territoire" in texte(reponse)


def test_contact_puis_proposition_puis_acceptation_par_les_formulaires(client, monde, bailleur):
    positionnement = services.positionner_candidat(
        auteur=monde.agent_bailleur, disponibilite=monde.disponibilite, demande=monde.demande()
    )
    pk = positionnement.pk
    aujourd_hui = timezone.localdate().isoformat()
    reponse = client.post(
        url("contacter", pk),
        {
            f"c{pk}-date": aujourd_hui,
            f"c{pk}-etape": "pre_cal",
            f"c{pk}-mode": "telephone",
            f"c{pk}-resultat": "interesse",
        },
    )
    assert reponse.status_code == 302
    assert Contact.objects.get().mode == "telephone"

    reponse = client.post(url("proposer", pk), {f"p{pk}-date_envoi": aujourd_hui})
    assert reponse.status_code == 302
    proposition = Proposition.objects.get()

    reponse = client.post(url("repondre_proposition", proposition.pk), {f"a{proposition.pk}-reponse": "accepter"})
    assert reponse.status_code == 302
    proposition.refresh_from_db()
    assert proposition.etat == "acceptee"
    contenu = texte(client.get(url("disponibilite", monde.disponibilite.pk)))
    assert "Retenu (proposition acceptée)" in contenu
    assert "Acceptée le" in contenu


def test_un_contact_invalide_revient_avec_ses_erreurs_et_sa_saisie(client, monde, bailleur):
    positionnement = services.positionner_candidat(
        auteur=monde.agent_bailleur, disponibilite=monde.disponibilite, demande=monde.demande()
    )
    pk = positionnement.pk
    demain = (timezone.localdate() + timedelta(days=1)).isoformat()
    reponse = client.post(
        url("contacter", pk),
        {
            f"c{pk}-date": demain,
            f"c{pk}-etape": "pre_cal",
            f"c{pk}-mode": "courriel",
            f"c{pk}-resultat": "interesse",
            f"c{pk}-commentaire": "Rappeler lundi",
        },
    )
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "La date du contact est dans le futur" in texte(reponse)
    assert "Rappeler lundi" in contenu
    assert f'value="{demain}"' in contenu
    assert not Contact.objects.exists()


def test_un_refus_sans_motif_est_refuse(client, monde, bailleur):
    positionnement = services.positionner_candidat(
        auteur=monde.agent_bailleur, disponibilite=monde.disponibilite, demande=monde.demande()
    )
    proposition = services.proposer_logement(auteur=monde.agent_bailleur, positionnement=positionnement)
    reponse = client.post(url("repondre_proposition", proposition.pk), {f"a{proposition.pk}-reponse": "refuser"})
    assert reponse.status_code == 400
    assert "Indiquez le motif." in texte(reponse)
    proposition.refresh_from_db()
    assert proposition.etat == "envoyee"


def test_le_reservataire_de_la_vacance_l_instruit(client, monde, agent_verifie):
    agent_verifie(monde.agent_ddets)
    assert client.get(url("disponibilite", monde.disponibilite.pk)).status_code == 200
    reponse = client.post(url("positionner", monde.disponibilite.pk), {"demande": str(monde.demande().pk)})
    assert reponse.status_code == 302
    assert Positionnement.objects.get().reservataire == monde.ddets


@pytest.mark.parametrize("qui", ["agent_autre_bailleur", "agent_guichet"])
def test_qui_n_instruit_pas_la_vacance_recoit_un_403_qui_explique(client, monde, agent_verifie, qui):
    agent_verifie(getattr(monde, qui))
    reponse = client.get(url("disponibilite", monde.disponibilite.pk))
    assert reponse.status_code == 403
    assert "n'instruit pas ce logement" in texte(reponse)
    reponse = client.post(url("positionner", monde.disponibilite.pk), {"demande": str(monde.demande().pk)})
    assert reponse.status_code == 403
    assert not Positionnement.objects.exists()


def test_un_observateur_n_a_pas_d_acces_nominatif(client, monde, agent_verifie):
    agent_verifie(AgentFactory(organisme=monde.bailleur, roles=[Role.OBSERVATEUR]))
    assert client.get(url("disponibilite", monde.disponibilite.pk)).status_code == 403


def test_une_vacance_hors_du_territoire_est_introuvable(client, monde, agent_verifie):
    ailleurs = OrganismeFactory(perimetre=[CommuneFactory(nom="Brest")], etat=True)
    agent_verifie(AgentFactory(organisme=ailleurs, roles=[Role.RESERVATAIRE]))
    assert client.get(url("disponibilite", monde.disponibilite.pk)).status_code == 404


def test_la_page_du_logement_mene_a_l_instruction_de_sa_vacance(client, monde, bailleur):
    page = client.get(reverse("offre:logement", args=[monde.disponibilite.logement_id]))
    assert url("disponibilite", monde.disponibilite.pk) in page.content.decode()


# ---------------------------------------------------------------- fiche et PDF


@pytest.fixture
def demande_instruite(monde):
    demande = monde.demande()
    agent = monde.agent_bailleur
    positionnement = services.positionner_candidat(auteur=agent, disponibilite=monde.disponibilite, demande=demande)
    services.contacter(
        auteur=agent,
        positionnement=positionnement,
        date_contact=timezone.localdate(),
        mode="telephone",
        resultat="interesse",
    )
    proposition = services.proposer_logement(auteur=agent, positionnement=positionnement)
    services.refuser_proposition(auteur=agent, proposition=proposition, motif="taille")
    return demande


def test_la_fiche_charge_le_bloc_instruction_par_htmx(client, monde, demande_instruite, agent_verifie):
    agent_verifie(monde.agent_guichet)
    fiche = client.get(reverse("demandes:detail", args=[demande_instruite.pk])).content.decode()
    assert f'hx-get="{url("instruction_demande", demande_instruite.pk)}"' in fiche

    avant = Consultation.objects.filter(objet_id=str(demande_instruite.pk)).count()
    fragment = client.get(url("instruction_demande", demande_instruite.pk), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    contenu = texte(fragment)
    assert "Contacts demandeur (nombre total : 1)" in contenu
    assert "Contact pré-CAL KALLIMA 2 (0629 - 0013) Intéressé Téléphone" in contenu
    assert "KALLIMA 2 (0629 - 0013)" in contenu
    assert "Propositions de logement (nombre de refus : 1)" in contenu
    assert "Refusée par le demandeur" in contenu
    assert "Taille du logement / Surface des pièces" in contenu
    assert "<html" not in fragment.content.decode()
    assert Consultation.objects.filter(objet_id=str(demande_instruite.pk)).count() == avant + 1


def test_le_bloc_instruction_d_une_demande_hors_territoire_est_introuvable(client, demande_instruite, agent_verifie):
    agent_verifie(AgentFactory(organisme=OrganismeFactory(perimetre=[CommuneFactory(nom="Brest")])))
    assert client.get(url("instruction_demande", demande_instruite.pk)).status_code == 404


def test_la_fiche_de_synthese_pdf_montre_l_instruction(client, monde, demande_instruite, agent_verifie):
    agent_verifie(monde.agent_guichet)
    reponse = client.get(reverse("demandes:synthese_pdf", args=[demande_instruite.pk]))
    assert reponse["Content-Type"] == "application/pdf"
    # Pour regarder le document : FDLS_EDITIONS_DUMP=/tmp/pdf pytest … puis pdftoppm -png -r 60.
    if os.environ.get("FDLS_EDITIONS_DUMP"):
        Path(os.environ["FDLS_EDITIONS_DUMP"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["FDLS_EDITIONS_DUMP"]) / "synthese-instruction.pdf").write_bytes(reponse.content)
    pdf = re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages))
    for attendu in (
        "Contacts demandeur (nombre total : 1)",
        "Contact pré-CAL",
        "KALLIMA 2 (0629 - 0013)",
        "Positionnements sur des logements (nombre total : 1)",
        "Propositions de logement (nombre de refus : 1)",
        "Taille du logement / Surface des pièces",
    ):
        assert re.sub(r"\s+", "", attendu).casefold() in pdf.casefold(), attendu
    assert Evenement.objects.filter(demande=demande_instruite, type="refus_proposition").count() == 1


def test_un_candidat_pressenti_refuse_d_etre_positionne_sans_l_avoir_ete(client, monde, bailleur):
    demande = monde.demande()
    donnees = {
        "candidat-demande": demande.numero_unique_affiche,
        "candidat-date": timezone.localdate().isoformat(),
        "candidat-etape": "pre_cal",
        "candidat-mode": "courrier",
        "candidat-resultat": "refus_positionnement",
    }
    reponse = client.post(url("contacter_candidat", monde.disponibilite.pk), donnees)
    assert reponse.status_code == 400
    assert "Indiquez le motif." in texte(reponse)
    assert demande.numero_unique_affiche in reponse.content.decode()

    reponse = client.post(url("contacter_candidat", monde.disponibilite.pk), {**donnees, "candidat-motif": "loyer"})
    assert reponse.status_code == 302
    contact = Contact.objects.get()
    assert (contact.positionnement, contact.demande) == (None, demande)
    evenement = Evenement.objects.get(demande=demande, type="refus_positionnement")
    assert evenement.precisions == "Loyer / Charges trop élevés - bien KALLIMA 2 (0629 - 0013)"
    assert "Refus d'être positionné" in texte(client.get(url("disponibilite", monde.disponibilite.pk)))


def test_planifier_une_visite_noter_son_bilan_et_retirer_le_candidat(client, monde, bailleur):
    positionnement = services.positionner_candidat(
        auteur=monde.agent_bailleur, disponibilite=monde.disponibilite, demande=monde.demande()
    )
    pk = positionnement.pk
    ce_matin = timezone.localtime().replace(hour=0, minute=5)
    reponse = client.post(url("planifier_visite", pk), {f"v{pk}-date_prevue": "pas une date"})
    assert reponse.status_code == 400
    assert "Date invalide : jj/mm/aaaa hh:mm." in texte(reponse)
    reponse = client.post(url("planifier_visite", pk), {f"v{pk}-date_prevue": ce_matin.strftime("%Y-%m-%dT%H:%M")})
    assert reponse.status_code == 302
    visite = positionnement.visites.get()
    reponse = client.post(url("realiser_visite", visite.pk), {f"b{visite.pk}-bilan": "Refus - Taille du logement"})
    assert reponse.status_code == 302
    visite.refresh_from_db()
    assert (visite.etat, visite.bilan) == ("realisee", "Refus - Taille du logement")

    reponse = client.post(url("retirer_positionnement", pk), {f"r{pk}-motif": ""})
    assert reponse.status_code == 400
    assert "Indiquez le motif du retrait." in texte(reponse)
    reponse = client.post(url("retirer_positionnement", pk), {f"r{pk}-motif": "Ménage relogé ailleurs"})
    assert reponse.status_code == 302
    positionnement.refresh_from_db()
    assert positionnement.etat == "retire"
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "a_pourvoir"
