"""Courriels du demandeur : un par événement à connaître (tâche de l'outbox, une fois), selon ses préférences ;
l'avertissement avant radiation part toujours ; rappel dès que le renouvellement est possible."""

import datetime

from django.urls import reverse
from django.utils import timezone

from demandes.cycle import services as cycle
from demandes.dossier.workflow import ecrire_evenement
from demandes.models import Demande, Evenement
from fdls.socle.models import TacheSortante
from fdls.socle.workflow import Auteur
from portail.courriels import services as courriels
from portail.courriels.models import PreferencesCourriel
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes
from tests.portail.aides import demandeur_et_demande, executer_taches


def test_une_decision_de_cal_envoie_un_courriel_une_seule_fois(client, mailoutbox):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    TacheSortante.objects.all().delete()
    evenement = ecrire_evenement(
        demande,
        Evenement.Type.DECISION_CAL,
        Auteur.agent(m.agent_bailleur),
        precisions="Commission 0001 - séance du 12/01/2026 - Décision : Attribution - Rang : 1",
        details={"decision": "attribution", "rang": 1},
    )
    assert executer_taches() == 1
    assert [x.to for x in mailoutbox] == [[moi.email]]
    assert "Attribution de la Commission" in mailoutbox[0].body
    assert reverse("portail:demande", args=[demande.pk]) in mailoutbox[0].body
    # Rejouée (Celery livre au moins une fois) : rien de plus.
    assert courriels.notifier_evenement(evenement.pk) is False
    assert len(mailoutbox) == 1


def test_les_preferences_coupent_les_decisions_mais_jamais_l_avertissement(client, mailoutbox):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    client.force_login(moi)
    reponse = client.post(reverse("portail:preferences"), {"suivi": "on"})
    assert reponse.url == reverse("portail:preferences")
    preferences = PreferencesCourriel.objects.get(user=moi)
    assert preferences.suivi
    assert not preferences.decisions
    TacheSortante.objects.all().delete()
    auteur = Auteur.agent(m.agent_bailleur)
    ecrire_evenement(demande, Evenement.Type.PASSAGE_CAL, auteur, precisions="Commission 0001")
    cycle.avertir_demande(demande, auteur=m.auteur)
    executer_taches()
    assert len(mailoutbox) == 1
    assert "radiée" in mailoutbox[0].subject


def test_ma_propre_modification_ne_m_est_pas_renvoyee(client, mailoutbox):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    TacheSortante.objects.all().delete()
    client.force_login(moi)
    client.post(
        reverse("portail:modifier", args=[demande.pk]),
        {"code_postal": "44400", "ville": "Rezé", "email": "nouveau@exemple.fr", "adresse_voie": "rue A"},
    )
    assert Evenement.objects.filter(demande=demande, type="modification").exists()
    assert executer_taches() == 0


def test_une_demande_sans_compte_ne_planifie_rien():
    m = territoire_nantes()
    TacheSortante.objects.all().delete()
    enregistrer(m)
    assert not TacheSortante.objects.filter(nom__startswith="portail.").exists()


def test_rappel_des_que_le_renouvellement_est_possible_une_fois_par_echeance(mailoutbox):
    m = territoire_nantes()
    moi, demande = demandeur_et_demande(m)
    Demande.objects.filter(pk=demande.pk).update(date_expiration=timezone.localdate() + datetime.timedelta(days=20))
    assert courriels.rappeler_renouvellements() == 1
    assert courriels.rappeler_renouvellements() == 0
    assert [x.to for x in mailoutbox] == [[moi.email]]
    assert reverse("portail:renouveler", args=[demande.pk]) in mailoutbox[0].body
