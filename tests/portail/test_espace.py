"""Espace personnel : accueil d'une demande, dossier déclaré, coordonnées modifiées par les services (historique),
renouvellement (jamais sur un GET), historique filtré, documents, éditions PDF, consultations du dossier."""

import datetime

from django.urls import reverse
from django.utils import timezone

from demandes.models import Demande, Evenement, Piece
from demandes.pieces import services as pieces
from fdls.audit.models import Consultation
from tests.monde.factories import DemandeurFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes
from tests.portail.aides import demandeur_et_demande


def test_l_accueil_d_une_demande_montre_numero_etat_dates_pieces_et_evenements(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    html = client.get(reverse("portail:demande", args=[demande.pk])).content.decode()
    assert demande.numero_unique_affiche.replace(" ", "\u202f") in html or demande.numero_unique_affiche in html
    assert "Active" in html
    assert demande.date_depot.strftime("%d/%m/%Y") in html
    assert demande.date_expiration.strftime("%d/%m/%Y") in html
    assert "Enregistrement de la demande" in html
    assert "Renouveler ma demande" not in html  # pas encore dans le préavis
    assert "Avis d&#x27;imposition" in html or "Avis d'imposition" in html  # pièce encouragée manquante
    assert Consultation.objects.filter(utilisateur=moi, objet_id=str(demande.pk), action="consultation").exists()


def test_la_demande_d_un_autre_donne_404_et_n_est_pas_montree(client):
    m = territoire_nantes()
    _autre, demande = demandeur_et_demande(m)
    client.force_login(DemandeurFactory())
    for nom in ("demande", "dossier", "historique", "documents", "cotation", "decisions", "consultations"):
        assert client.get(reverse(f"portail:{nom}", args=[demande.pk])).status_code == 404
    assert client.get(reverse("portail:attestation_pdf", args=[demande.pk])).status_code == 404


def test_renouveler_le_lien_montre_un_bouton_et_seul_le_post_renouvelle(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    expiration = timezone.localdate() + datetime.timedelta(days=10)
    Demande.objects.filter(pk=demande.pk).update(date_expiration=expiration)
    accueil = client.get(reverse("portail:demande", args=[demande.pk])).content.decode()
    assert "Renouveler ma demande" in accueil
    page = client.get(reverse("portail:renouveler", args=[demande.pk]))
    assert page.status_code == 200
    assert Demande.objects.get(pk=demande.pk).date_expiration == expiration  # le GET n'a rien fait
    reponse = client.post(reverse("portail:renouveler", args=[demande.pk]))
    assert reponse.url == reverse("portail:demande", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.date_expiration > expiration
    assert demande.renouvellement_electronique
    evenement = Evenement.objects.get(demande=demande, type="renouvellement")
    assert evenement.auteur_id == moi.pk


def test_renouveler_trop_tot_explique_la_date(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    reponse = client.post(reverse("portail:renouveler", args=[demande.pk]))
    assert reponse.status_code == 422
    assert "se renouvelle à partir du" in reponse.content.decode()


def test_modifier_ses_coordonnees_passe_par_les_services_et_entre_dans_l_historique(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m, telephone="0240000000")
    client.force_login(moi)
    page = client.get(reverse("portail:modifier", args=[demande.pk])).content.decode()
    assert 'value="0240000000"' in page
    donnees = {
        "adresse_numero": "12",
        "adresse_voie": "rue de la Paix",
        "adresse_complement": "",
        "code_postal": "44400",
        "ville": "Rezé",
        "telephone": "0240000000",
        "telephone_portable": "0612345678",
        "email": "nouvelle@exemple.fr",
    }
    reponse = client.post(reverse("portail:modifier", args=[demande.pk]), donnees)
    assert reponse.url == reverse("portail:dossier", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.telephone_portable == "0612345678"
    assert demande.email == "nouvelle@exemple.fr"
    evenement = Evenement.objects.filter(demande=demande, type="modification").latest("id")
    assert evenement.auteur_id == moi.pk
    assert evenement.auteur_libelle == "Le demandeur (espace personnel)"
    assert {c["champ"] for c in evenement.details["changements"]} >= {"Courriel", "Téléphone portable"}


def test_modifier_refuse_un_code_postal_faux_et_garde_la_saisie(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    reponse = client.post(
        reverse("portail:modifier", args=[demande.pk]), {"code_postal": "44A", "ville": "Rezé", "email": "x@y.fr"}
    )
    html = reponse.content.decode()
    assert reponse.status_code == 422
    assert "Le code postal compte 5 chiffres." in html
    assert 'value="44A"' in html
    assert not Evenement.objects.filter(demande=demande, type="modification").exists()


def test_l_historique_se_filtre_par_periode(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    ancien = Evenement.objects.create(
        demande=demande,
        type="contact",
        date=timezone.now() - datetime.timedelta(days=400),
        precisions="Contact très ancien",
        auteur_libelle="Nantes Métropole Habitat",
    )
    client.force_login(moi)
    defaut = client.get(reverse("portail:historique", args=[demande.pk])).content.decode()
    assert "Contact très ancien" not in defaut  # 12 derniers mois par défaut
    assert "Enregistrement de la demande" in defaut
    jour = ancien.date.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y")
    periode = client.get(reverse("portail:historique", args=[demande.pk]), {"du": jour, "au": jour})
    html = periode.content.decode()
    assert "Contact très ancien" in html
    assert "Enregistrement de la demande" not in html
    erreur = client.get(reverse("portail:historique", args=[demande.pk]), {"du": "01/02/2025", "au": "01/01/2025"})
    assert erreur.status_code == 422
    assert "La fin de la période est avant son début" in erreur.content.decode()


def test_deposer_un_document_par_le_service_des_pieces(client, stockage):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    page = client.get(reverse("portail:documents", args=[demande.pk])).content.decode()
    assert "Avis d&#x27;imposition" in page or "Avis d'imposition" in page
    fichier = piece_identite("avis.pdf")
    reponse = client.post(
        reverse("portail:documents", args=[demande.pk]), {"type": "avis_imposition", "fichier": fichier}
    )
    assert reponse.url == reverse("portail:documents", args=[demande.pk])
    piece = Piece.objects.get(demande=demande, type="avis_imposition")
    assert piece.deposee_par == moi
    assert piece.organisme is None
    assert Evenement.objects.filter(demande=demande, type="piece_ajoutee", auteur_id=moi.pk).exists()
    sans_fichier = client.post(reverse("portail:documents", args=[demande.pk]), {"type": "avis_imposition"})
    assert sans_fichier.status_code == 422
    assert "Choisissez le fichier de la pièce." in sans_fichier.content.decode()


def test_une_piece_obsolete_est_signalee(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    pieces.rendre_obsolete(Piece.objects.get(demande=demande), auteur=m.auteur, motif="Pièce d'identité expirée")
    client.force_login(moi)
    html = client.get(reverse("portail:documents", args=[demande.pk])).content.decode()
    assert "Pièce d&#x27;identité expirée" in html or "Pièce d'identité expirée" in html
    assert "déposez-en un plus récent" in html


def test_attestation_et_fiche_en_pdf_journalisees(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    for nom in ("attestation_pdf", "fiche_pdf"):
        reponse = client.get(reverse(f"portail:{nom}", args=[demande.pk]))
        assert reponse.status_code == 200
        assert reponse["Content-Type"] == "application/pdf"
        assert reponse.content.startswith(b"%PDF")
    assert Consultation.objects.filter(utilisateur=moi, objet_id=str(demande.pk), action="pdf").count() == 2


def test_qui_a_consulte_mon_dossier_montre_les_organismes_sans_les_agents(client, agent_verifie):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    agent_verifie(m.agent_bailleur)
    assert client.get(reverse("demandes:detail", args=[demande.pk])).status_code == 200
    client.logout()
    client.force_login(moi)
    client.get(reverse("portail:demande", args=[demande.pk]))  # ma propre lecture : pas listée
    html = client.get(reverse("portail:consultations", args=[demande.pk])).content.decode()
    assert "Nantes Métropole Habitat" in html
    assert "Consultation de la fiche" in html
    assert m.agent_bailleur.last_name not in html
    assert m.agent_bailleur.email not in html
    assert html.count('<th scope="row">') == 1


def test_le_dossier_montre_l_instruction_sans_fragment_des_agents(client):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    html = client.get(reverse("portail:dossier", args=[demande.pk])).content.decode()
    assert "Positionnements sur des logements" in html
    assert reverse("instruction:instruction_demande", args=[demande.pk]) not in html
