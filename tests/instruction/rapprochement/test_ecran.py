"""L'écran des candidats d'une vacance : accès par rôle, classement, filtres, explication, journal, requêtes."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from demandes.labels import services as labels
from fdls import acces
from fdls.audit.models import Consultation
from instruction.models import LigneCandidat
from instruction.rapprochement import recherche_sql
from tests.instruction.rapprochement.aides import COUPLE, candidats, recherche
from tests.monde.dossiers import enregistrer
from tests.monde.factories import AgentFactory, BailleurFactory, DisponibiliteFactory


def url(vacance, **params):
    return reverse("instruction:candidats", args=[vacance.pk]) + ("?" + urlencode(params, doseq=True) if params else "")


def test_le_bailleur_du_logement_voit_les_candidats_et_chaque_demande_montree_est_journalisee(
    m, vacance, client, agent_verifie
):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE)
    agent_verifie(m.agent_bailleur)
    reponse = client.get(url(vacance))
    assert reponse.status_code == 200
    assert "MARTIN Claire" in reponse.content.decode()
    consultations = Consultation.objects.filter(objet_id=str(demande.pk), utilisateur=m.agent_bailleur)
    assert list(consultations.values_list("action", flat=True)) == [Consultation.Action.LISTE]


def test_le_reservataire_dont_c_est_le_tour_voit_la_page(m, logement, client, agent_verifie):
    vacance = DisponibiliteFactory(logement=logement, reservataire=m.als)
    agent_verifie(m.agent_als)
    assert client.get(url(vacance)).status_code == 200


def test_un_reservataire_dont_ce_n_est_pas_le_tour_est_refuse(m, vacance, client, agent_verifie):
    agent_verifie(m.agent_als)
    assert client.get(url(vacance)).status_code == 403


def test_un_agent_de_guichet_est_refuse(m, vacance, client, agent_verifie):
    agent_verifie(m.agent_ehs)
    assert client.get(url(vacance)).status_code == 403


def test_un_autre_bailleur_hors_territoire_ne_trouve_pas_la_vacance(m, vacance, client, agent_verifie):
    autre = AgentFactory(organisme=BailleurFactory(nom="Habitat 29"), roles=["instructeur_bailleur"])
    agent_verifie(autre)
    assert client.get(url(vacance)).status_code == 404


def test_un_autre_bailleur_du_territoire_est_refuse(m, vacance, client, agent_verifie):
    autre = AgentFactory(
        organisme=BailleurFactory(nom="Atlantique Habitations", perimetre=[m.nantes]), roles=["instructeur_bailleur"]
    )
    agent_verifie(autre)
    assert client.get(url(vacance)).status_code == 403


def test_classement_par_points_puis_anciennete(m, vacance):
    aujourd_hui = datetime.date.today()
    recente = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="RECENTE", date_depot=aujourd_hui)
    ancienne = enregistrer(
        m, communes=[m.nantes], codemandeur=COUPLE, nom="ANCIENNE", date_depot=aujourd_hui - datetime.timedelta(days=60)
    )
    prioritaire = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="PRIORITAIRE", date_depot=aujourd_hui)
    labels.poser_label(prioritaire, m.cp_dalo, user=m.agent_ddets)
    points = dict(LigneCandidat.objects.filter(commune=m.nantes).values_list("demande_id", "points"))
    assert points[prioritaire.pk] > points[recente.pk] == points[ancienne.pk]
    assert candidats(vacance, m.agent_bailleur) == [prioritaire.pk, ancienne.pk, recente.pk]
    # Le rang d'une demande expliquée est sa position ; au-delà du plafond, le décompte s'arrête.
    r, cles = recherche(vacance), acces.cles_acces(m.agent_bailleur)
    assert recherche_sql.rangs(r, cles, [recente.pk, ancienne.pk]) == {recente.pk: 3, ancienne.pk: 2}
    assert recherche_sql.rangs(r, cles, [recente.pk], plafond=1) == {recente.pk: 2}


def test_filtres_gardes_au_rechargement_et_appliques(m, vacance, client, agent_verifie):
    enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="DURAND")
    enregistrer(m, communes=[m.reze, m.nantes], codemandeur=COUPLE, nom="PETIT")
    agent_verifie(m.agent_bailleur)
    page = client.get(url(vacance, rang_max=1, nom="dur")).content.decode()
    assert "DURAND" in page
    assert "PETIT Claire" not in page
    assert 'name="rang_max" value="1"' in page
    assert 'value="dur"' in page
    page = client.get(url(vacance, rang_max=2)).content.decode()
    assert "DURAND" in page
    assert "PETIT" in page


def test_filtre_invalide_message_en_francais_et_saisie_gardee(m, vacance, client, agent_verifie):
    agent_verifie(m.agent_bailleur)
    page = client.get(url(vacance, points_min=50, points_max=10)).content.decode()
    assert "Le nombre de points maximum est inférieur au minimum." in page
    assert 'value="50"' in page
    assert "Corrigez les critères" in page


def test_explication_par_numero_unique_ou_nom(m, vacance, client, agent_verifie):
    proposee = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="DURAND")
    exclue = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="LEROY", typologies=["T2"])
    agent_verifie(m.agent_bailleur)
    page = client.get(url(vacance, pourquoi="leroy")).content.decode()
    assert "typologie T3 non demandée (demande : T2)" in page
    page = client.get(url(vacance, pourquoi=proposee.numero_unique_affiche)).content.decode()
    assert "Cette demande est dans la liste, au rang 1" in page
    assert Consultation.objects.filter(objet_id=str(exclue.pk), action=Consultation.Action.CONSULTATION).exists()


def test_la_page_tient_en_20_requetes_au_plus(m, vacance, client, agent_verifie, django_assert_max_num_queries):
    for i in range(30):
        enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom=f"NOM{i}")
    labels.poser_label(LigneCandidat.objects.first().demande, m.cp_dalo, user=m.agent_ddets)
    agent_verifie(m.agent_bailleur)
    # Régime établi : référentiels datés (paramètres d'occupation, plafonds) en cache du processus.
    client.get(url(vacance))
    with django_assert_max_num_queries(20):
        reponse = client.get(url(vacance, pourquoi="NOM1"))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Page suivante" in page
    # Les colonnes de la demande et les types de ses labels viennent de la même requête que la page.
    premiere_ligne = page[page.index("<tbody") :].split("</tr>")[0]
    assert f"{m.cp_dalo.libelle}</td>" in premiere_ligne
    assert "NOM" in premiere_ligne
    assert "Couple" in premiere_ligne


def test_une_vacance_hors_du_parc_visible_est_un_refus_journalise(m, vacance, client, agent_verifie):
    agent_verifie(m.agent_lointain)
    assert client.get(url(vacance)).status_code == 404
    refus = Consultation.objects.get(action=Consultation.Action.REFUS, utilisateur=m.agent_lointain)
    assert (refus.objet_type, refus.objet_id) == ("offre.disponibilite", str(vacance.pk))
