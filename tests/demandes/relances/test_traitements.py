"""Traitements planifiés des demandes : rappels avant échéance, annulation automatique, doublons de nuit.

Vraie base PostgreSQL (verrous consultatifs, contraintes uniques) ; courriels
dans la boîte de test de Django, SMS dans le journal en base.
"""

import datetime
from datetime import date, timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfReader

from demandes.cycle import services
from demandes.models import (
    Demande,
    Evenement,
    ParametreReglementaire,
    Relance,
    SmsJournal,
    SuspicionDoublon,
    TraitementPlanifie,
)
from demandes.relances import envoi as relances
from demandes.relances import traitements
from fdls.socle.models import TacheSortante
from tests.fiabilite.serveurs import attendre, url_postgres
from tests.monde.factories import DemandeFactory

JOUR = date(2026, 3, 2)
ECHEANCE = date(2026, 4, 2)  # JOUR + 1 mois (préavis réglementaire)
Statut = Relance.Statut


@pytest.fixture(autouse=True)
def _courriers(settings, tmp_path):
    settings.FDLS_COURRIERS_DIR = str(tmp_path / "courriers")
    settings.FDLS_SMS_BACKEND = "demandes.relances.envoi.SmsVersJournal"


def demande(**kwargs):
    valeurs = {
        "date_depot": date(2025, 4, 2),
        "date_expiration": ECHEANCE,
        "canal": "en_ligne",
        "email": "claude.nom@exemple.fr",
        "telephone": "06 12 34 56 78",
        "adresse_numero": "3",
        "adresse_voie": "rue des Lilas",
        "code_postal": "44000",
        "ville": "Nantes",
    }
    valeurs.update(kwargs)
    return DemandeFactory(**valeurs)


def etat_relances():
    return sorted(Relance.objects.values_list("demande_id", "echeance", "canal", "statut"))


# ---------------------------------------------------------------- canaux


def _coordonnees(**kwargs):
    valeurs = {
        "demande_id": 1,
        "numero_unique": "044112600000120001",
        "echeance": ECHEANCE,
        "date_depot": date(2025, 4, 2),
        "canal_depot": "guichet",
        "renouvellement_electronique": False,
        "nom": "Martin",
        "prenom": "Claude",
        "email": "",
        "telephones": ("",),
        "adresse": "3 rue des Lilas\n44000 Nantes",
    }
    valeurs.update(kwargs)
    return relances.Coordonnees(**valeurs)


@pytest.mark.parametrize(
    ("coordonnees", "attendus"),
    [
        # R441-2-7 2° : déposée ou renouvelée en ligne au moins une fois : par courriel.
        ({"canal_depot": "en_ligne", "email": "a@exemple.fr"}, ["courriel"]),
        ({"renouvellement_electronique": True, "email": "a@exemple.fr"}, ["courriel"]),
        # 3° : même cas, le demandeur a demandé la poste : courriel et courrier.
        ({"canal_depot": "en_ligne", "email": "a@exemple.fr", "courrier_souhaite": True}, ["courriel", "courrier"]),
        # 1° : jamais en ligne : par courrier, et aussi par courriel quand une adresse est connue.
        ({"canal_depot": "guichet", "email": "a@exemple.fr"}, ["courriel", "courrier"]),
        ({"canal_depot": "guichet", "email": ""}, ["courrier"]),
        ({"canal_depot": "en_ligne", "email": ""}, ["courrier"]),  # en ligne sans adresse : courrier quand même
        ({"telephones": ("", "07.11.22.33.44")}, ["courrier", "sms"]),
        ({"telephones": ("+33 6 11 22 33 44",)}, ["courrier", "sms"]),
        ({"telephones": ("02 40 11 22 33",)}, ["courrier"]),  # ligne fixe : pas de SMS
    ],
)
def test_canal_selon_le_mode_de_depot_et_les_coordonnees(coordonnees, attendus):
    assert [canal for canal, _ in relances.canaux(_coordonnees(**coordonnees))] == attendus


def test_numero_portable_normalise():
    assert relances.numero_portable("", "+33 7 11 22 33 44") == "0711223344"
    assert relances.numero_portable("01 02 03 04 05") == ""


# ---------------------------------------------------------------- rappels


def test_rappel_un_mois_avant_par_courriel_et_sms(mailoutbox):
    d = demande()
    trop_tot = demande(date_expiration=ECHEANCE + timedelta(days=1))
    echue = demande(date_expiration=JOUR)

    resultat = traitements.envoyer_relances(JOUR)

    assert resultat.statut == "termine"
    assert etat_relances() == [(d.pk, ECHEANCE, "courriel", "envoyee"), (d.pk, ECHEANCE, "sms", "envoyee")]
    assert not Relance.objects.filter(demande__in=[trop_tot, echue]).exists()
    assert len(mailoutbox) == 1
    courriel = mailoutbox[0]
    assert courriel.to == ["claude.nom@exemple.fr"]
    assert "02/04/2026" in courriel.subject
    assert "renouvelez-la avant cette date" in courriel.body
    assert courriel.extra_headers["Message-ID"] == relances.message_id(Relance.objects.get(canal="courriel").pk)
    sms = SmsJournal.objects.get()
    assert sms.numero == "0612345678"
    assert "expire le 02/04/2026" in sms.texte
    etat = TraitementPlanifie.objects.get(job="relances", jour=JOUR)
    assert etat.statut == "termine"
    assert etat.compteurs == {"preparees": 2, "reprises": 0, "envoyees": 2, "echecs": 0, "sans_objet": 0}
    assert etat.point_de_reprise == d.pk
    assert etat.pid
    assert etat.hote


def test_lance_deux_fois_meme_etat_et_aucun_rappel_en_double(mailoutbox):
    demande()
    demande(canal="guichet", telephone="", email="")

    traitements.envoyer_relances(JOUR)
    apres_un = etat_relances()
    second = traitements.envoyer_relances(JOUR)
    force = traitements.envoyer_relances(JOUR, forcer=True)  # même refait de force
    lendemain = traitements.envoyer_relances(JOUR + timedelta(days=1))  # l'échéance est encore dans la fenêtre

    assert second.statut == "deja_termine"
    assert force.statut == lendemain.statut == "termine"
    assert force.compteurs["envoyees"] == lendemain.compteurs["envoyees"] == 0
    assert etat_relances() == apres_un
    assert len(mailoutbox) == 1
    assert SmsJournal.objects.count() == 1
    assert TraitementPlanifie.objects.get(job="relances", jour=JOUR).passages == 2


def test_le_preavis_est_un_parametre_reglementaire_date():
    ParametreReglementaire.objects.create(
        code="preavis_renouvellement", valeur=2, unite="mois", date_effet=date(2026, 1, 1), libelle="Préavis"
    )
    dans_deux_mois = demande(date_expiration=date(2026, 5, 2))

    traitements.envoyer_relances(JOUR)

    assert set(Relance.objects.values_list("demande_id", flat=True)) == {dans_deux_mois.pk}


def test_une_echeance_manquee_est_rattrapee_tant_qu_elle_n_est_pas_passee(mailoutbox):
    d = demande(date_expiration=ECHEANCE - timedelta(days=10))  # le traitement ne tournait pas ces jours-là
    traitements.envoyer_relances(JOUR)
    assert Relance.objects.filter(demande=d, statut="envoyee").count() == 2


def test_par_courrier_une_lettre_pdf_par_relance_et_un_lot_a_imprimer(settings, tmp_path):
    d = demande(canal="guichet", telephone="", email="", nom="Durand", prenom="Alix")
    autre = demande(canal="guichet", telephone="", email="")
    traitements.envoyer_relances(JOUR)

    relance = Relance.objects.get(demande=d)
    assert (relance.canal, relance.statut) == ("courrier", "envoyee")
    dossier = tmp_path / "courriers" / ECHEANCE.isoformat()
    lettre = PdfReader(dossier / f"relance-{relance.pk}.pdf")
    texte = lettre.pages[0].extract_text()
    assert "Alix DURAND" in texte
    assert "3 rue des Lilas" in texte
    assert "44000 Nantes" in texte
    assert "2 avril 2026" in texte
    assert "radiée" in texte
    assert d.guichet.nom in texte  # l'expéditeur : le guichet d'enregistrement
    lot = PdfReader(dossier / f"lot-{ECHEANCE.isoformat()}.pdf")
    assert len(lot.pages) == 2
    assert Relance.objects.get(demande=autre).statut == "envoyee"
    assert not list(dossier.glob("*.txt"))


def test_au_guichet_avec_une_adresse_electronique_courrier_et_courriel(mailoutbox, tmp_path):
    """R441-2-7 1° : jamais en ligne, une adresse électronique connue : par courrier ET par courriel."""
    d = demande(canal="guichet", telephone="")
    traitements.envoyer_relances(JOUR)

    assert etat_relances() == [(d.pk, ECHEANCE, "courriel", "envoyee"), (d.pk, ECHEANCE, "courrier", "envoyee")]
    assert len(mailoutbox) == 1
    assert (tmp_path / "courriers" / ECHEANCE.isoformat() / f"lot-{ECHEANCE.isoformat()}.pdf").exists()


def test_en_ligne_avec_courrier_souhaite_courriel_et_courrier(mailoutbox):
    """R441-2-7 3° : déposée en ligne, le demandeur a demandé la poste : courriel ET courrier."""
    d = demande(telephone="", courrier_souhaite=True)
    traitements.envoyer_relances(JOUR)

    assert etat_relances() == [(d.pk, ECHEANCE, "courriel", "envoyee"), (d.pk, ECHEANCE, "courrier", "envoyee")]


def test_sans_adresse_postale_la_relance_echoue_visiblement():
    d = demande(canal="guichet", telephone="", email="", adresse_voie="", code_postal="", ville="")
    resultat = traitements.envoyer_relances(JOUR)

    relance = Relance.objects.get(demande=d)
    assert relance.statut == "echec"
    assert "Adresse postale manquante" in relance.erreur
    assert resultat.compteurs["echecs"] == 1


def test_renouvelee_avant_l_envoi_le_rappel_est_sans_objet(mailoutbox):
    d = demande()
    with connection.cursor():
        traitements.preparer_relances([d.pk])  # lignes écrites, pas encore envoyées
    services.renouveler_demande(d, auteur=services.AUTOMATE, le=JOUR)

    traitements.envoyer_relances(JOUR)

    assert set(Relance.objects.filter(echeance=ECHEANCE).values_list("statut", flat=True)) == {"sans_objet"}
    assert "nouvelle échéance le 02/03/2027" in Relance.objects.filter(echeance=ECHEANCE).first().erreur
    assert mailoutbox == []


def test_la_tache_de_suite_d_un_renouvellement_clot_les_rappels_en_attente():
    d = demande()
    traitements.preparer_relances([d.pk])
    services.renouveler_demande(d, auteur=services.AUTOMATE, le=JOUR)

    assert traitements.clore_relances(d.pk) == 2
    assert set(Relance.objects.values_list("statut", flat=True)) == {"sans_objet"}
    # La tâche est dans l'outbox, dans la transaction du renouvellement.

    assert TacheSortante.objects.filter(nom="demandes.tasks.clore_relances", args=[d.pk]).exists()


def test_annulee_avant_l_envoi_le_rappel_est_sans_objet(mailoutbox):
    d = demande()
    traitements.preparer_relances([d.pk])
    services.annuler_demande(d, motif="renonciation", auteur=services.AUTOMATE)

    traitements.envoyer_relances(JOUR)

    assert set(Relance.objects.values_list("statut", flat=True)) == {"sans_objet"}
    assert mailoutbox == []


def test_une_ligne_en_cours_d_un_passage_mort_est_renvoyee_une_fois(mailoutbox):
    d = demande()
    traitements.preparer_relances([d.pk])
    il_y_a_une_heure = datetime.datetime.now(datetime.UTC) - timedelta(hours=1)
    Relance.objects.filter(canal="courriel").update(statut="en_cours", tentee_le=il_y_a_une_heure, tentatives=1)

    resultat = traitements.envoyer_relances(JOUR)

    assert resultat.compteurs["reprises"] == 1
    courriel = Relance.objects.get(canal="courriel")
    assert (courriel.statut, courriel.tentatives) == ("envoyee", 2)
    assert len(mailoutbox) == 1


def test_une_erreur_passagere_d_envoi_rend_les_lignes_et_le_job_reprend(monkeypatch, mailoutbox):
    demande()
    demande(nom="Autre", email="autre@exemple.fr")
    vrai_envoi = relances.Envoyeur.envoyer

    def smtp_tombe(self, relance_id, canal, *args):
        if canal == "courriel":
            raise ConnectionRefusedError("SMTP injoignable")
        return vrai_envoi(self, relance_id, canal, *args)

    monkeypatch.setattr(relances.Envoyeur, "envoyer", smtp_tombe)
    with pytest.raises(traitements.EnvoiDiffere):
        traitements.envoyer_relances(JOUR)

    etat = TraitementPlanifie.objects.get(job="relances")
    assert etat.statut == "echec"
    assert "SMTP injoignable" in etat.erreur
    assert not Relance.objects.filter(statut="en_cours").exists()
    assert Relance.objects.filter(canal="courriel", statut="a_envoyer").count() == 2

    monkeypatch.setattr(relances.Envoyeur, "envoyer", vrai_envoi)
    assert traitements.envoyer_relances(JOUR).statut == "termine"
    assert set(Relance.objects.values_list("statut", flat=True)) == {"envoyee"}
    assert len(mailoutbox) == 2
    assert SmsJournal.objects.count() == 2


def test_un_second_processus_ne_fait_pas_le_travail_en_meme_temps(mailoutbox):
    demande()
    with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
        autre.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [traitements.CLASSE_VERROU, "relances"])
        resultat = traitements.envoyer_relances(JOUR)
        with pytest.raises(traitements.RelanceRefusee, match="tourne en ce moment"):
            traitements.relancer_demande(Demande.objects.get(), le=JOUR)

    assert resultat.statut == "deja_en_cours"
    assert not Relance.objects.exists()
    assert not TraitementPlanifie.objects.exists()
    # Le verrou est rendu avec la connexion qui le tenait (le serveur termine la session en quelques ms).
    attendre(lambda: not traitements.verrou_tenu_ailleurs("relances"), delai=5)
    assert traitements.envoyer_relances(JOUR).statut == "termine"
    assert len(mailoutbox) == 1


# ---------------------------------------------------------------- rappel demandé à la main


def test_rappel_a_la_main(mailoutbox):
    d = demande(date_expiration=date(2026, 8, 1))
    envoyees = traitements.relancer_demande(d, le=JOUR)
    assert [(r.canal, r.statut) for r in envoyees] == [("courriel", "envoyee"), ("sms", "envoyee")]
    assert len(mailoutbox) == 1

    with pytest.raises(traitements.RelanceRefusee, match="déjà été envoyé le .* jamais envoyé deux fois"):
        traitements.relancer_demande(d, le=JOUR)
    assert len(mailoutbox) == 1


def test_rappel_a_la_main_refuse_pour_une_demande_renouvelee_ou_annulee():
    renouvelee = demande()
    services.renouveler_demande(renouvelee, auteur=services.AUTOMATE, le=JOUR)
    with pytest.raises(traitements.RelanceRefusee, match="a été renouvelée : l'échéance du 02/04/2026 n'est plus"):
        traitements.relancer_demande(renouvelee, echeance=ECHEANCE, le=JOUR)

    annulee = demande()
    services.annuler_demande(annulee, motif="renonciation", auteur=services.AUTOMATE)
    with pytest.raises(traitements.RelanceRefusee, match="« annulée » : aucun rappel"):
        traitements.relancer_demande(annulee, le=JOUR)

    echue = demande(date_expiration=JOUR - timedelta(days=1))
    with pytest.raises(traitements.RelanceRefusee, match="est passée"):
        traitements.relancer_demande(echue, le=JOUR)
    assert not Relance.objects.exists()


def test_la_commande_refuse_clairement(capsys):
    d = demande()
    services.annuler_demande(d, motif="renonciation", auteur=services.AUTOMATE)
    with pytest.raises(CommandError, match="aucun rappel de renouvellement"):
        call_command("traitements_du_jour", "--relancer", d.numero_unique, "--date", JOUR.isoformat())
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("traitements_du_jour", "--date", "02/03/2026")


# ---------------------------------------------------------------- annulation automatique


def test_annulation_automatique_des_echues_par_traitement_automatise():
    echue = demande(date_expiration=JOUR - timedelta(days=1))
    du_jour = demande(date_expiration=JOUR)  # valable jusqu'au jour inclus
    annulee_avant = demande(date_expiration=JOUR - timedelta(days=5), satisfaite=True)

    resultat = traitements.annuler_demandes_echues(JOUR)

    echue.refresh_from_db()
    assert (echue.etat, echue.motif_annulation, echue.date_fin) == ("annulee", "non_renouvellement", JOUR)
    enregistrement, evenement = echue.evenements.order_by("date", "id")
    assert enregistrement.type == Evenement.Type.ENREGISTREMENT
    assert evenement.type == Evenement.Type.ANNULATION_AUTOMATIQUE
    assert evenement.auteur_libelle == "Traitement automatisé"
    assert evenement.get_type_display() == "Annulation automatique de la demande suite au non renouvellement"
    assert Demande.objects.get(pk=du_jour.pk).etat == "active"
    assert Demande.objects.get(pk=annulee_avant.pk).etat == "satisfaite"
    assert resultat.compteurs == {"annulees": 1}


def test_annulation_lancee_deux_fois_et_interrompue_puis_reprise(monkeypatch):
    echues = [demande(date_expiration=JOUR - timedelta(days=i)) for i in range(1, 6)]
    monkeypatch.setattr(traitements, "PAQUET_ANNULATION", 2)
    vraie = services.annuler_pour_non_renouvellement
    appels = []

    def panne_au_troisieme(d, le):
        appels.append(d.pk)
        if len(appels) == 3:
            raise ConnectionResetError("PostgreSQL parti")
        return vraie(d, le=le)

    monkeypatch.setattr(services, "annuler_pour_non_renouvellement", panne_au_troisieme)
    with pytest.raises(ConnectionResetError):
        traitements.annuler_demandes_echues(JOUR)
    etat = TraitementPlanifie.objects.get(job="annulations")
    assert etat.statut == "echec"
    assert etat.point_de_reprise == echues[1].pk  # premier paquet validé, le second annulé en entier
    assert Demande.objects.filter(etat="annulee").count() == 2

    monkeypatch.setattr(services, "annuler_pour_non_renouvellement", vraie)
    assert traitements.annuler_demandes_echues(JOUR).compteurs == {"annulees": 5}
    assert traitements.annuler_demandes_echues(JOUR).statut == "deja_termine"
    traitements.annuler_demandes_echues(JOUR, forcer=True)
    assert Demande.objects.filter(etat="annulee").count() == 5
    assert Evenement.objects.filter(type="annulation_automatique").count() == 5
    assert TraitementPlanifie.objects.get(job="annulations", jour=JOUR).passages == 3


def test_delai_de_grace_parametre():
    ParametreReglementaire.objects.create(
        code=traitements.PARAMETRE_GRACE, valeur=7, unite="jours", date_effet=date(2026, 1, 1), libelle="Grâce"
    )
    dans_la_grace = demande(date_expiration=JOUR - timedelta(days=7))
    au_dela = demande(date_expiration=JOUR - timedelta(days=8))

    traitements.annuler_demandes_echues(JOUR)

    assert Demande.objects.get(pk=dans_la_grace.pk).etat == "active"
    assert Demande.objects.get(pk=au_dela.pk).etat == "annulee"


# ---------------------------------------------------------------- doublons de nuit et ensemble


def test_doublons_de_nuit_point_de_reprise_en_base():
    a = demande(nom="Dupont", prenom="Marc", date_naissance=date(1980, 1, 2))
    b = demande(nom="Dupond", prenom="Marc", date_naissance=date(1980, 1, 2))

    resultat = traitements.detecter_doublons_nuit(JOUR)

    assert resultat.compteurs["suspicions_creees"] == 1
    etat = TraitementPlanifie.objects.get(job="detection_doublons", jour=JOUR)
    assert (etat.statut, etat.point_de_reprise) == ("termine", 0)

    assert SuspicionDoublon.objects.get().demande_a_id == min(a.pk, b.pk)
    assert traitements.detecter_doublons_nuit(JOUR).statut == "deja_termine"


def test_commande_apercu_puis_execution(capsys, mailoutbox):
    demande()
    demande(date_expiration=JOUR - timedelta(days=3))

    call_command("traitements_du_jour", "--date", JOUR.isoformat())
    apercu = capsys.readouterr().out
    assert "rien n'est fait sans --executer" in apercu
    assert "annulations : 1 demande(s) active(s) échue(s)" in apercu
    assert "rappels : 1 demande(s) à échéance au plus tard le 02/04/2026" in apercu
    assert not TraitementPlanifie.objects.exists()

    call_command("traitements_du_jour", "--date", JOUR.isoformat(), "--executer")
    sortie = capsys.readouterr().out
    assert "annulations du 02/03/2026 : terminé (annulees 1)" in sortie
    assert "relances du 02/03/2026 : terminé" in sortie
    assert set(TraitementPlanifie.objects.values_list("job", "statut")) == {
        ("annulations", "termine"),
        ("radiations", "termine"),
        ("conservation", "termine"),
        ("detection_doublons", "termine"),
        ("relances", "termine"),
    }
    assert len(mailoutbox) == 1

    call_command("traitements_du_jour", "--date", JOUR.isoformat(), "--executer", "--job", "relances")
    assert "relances du 02/03/2026 : déjà terminé" in capsys.readouterr().out
