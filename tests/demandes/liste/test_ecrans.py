"""Liste et fiche des demandes : politique d'accès (CCH R441-2-6) et journal des consultations."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from demandes.liste import exports
from demandes.models import Demande
from fdls.audit.models import Consultation
from tests.monde.factories import DemandeFactory, DemandeurFactory


def _demandes(reponse) -> list[Demande]:
    return list(reponse.context["page"].object_list)


def test_la_liste_ne_montre_que_les_demandes_visibles(client, agent_verifie, territoire_reze):
    a_reze = DemandeFactory(nom="Martin", communes=[territoire_reze.reze])
    a_nantes = DemandeFactory(nom="Bernard", communes=[territoire_reze.nantes])
    deux_choix = DemandeFactory(nom="Durand", communes=[territoire_reze.nantes, territoire_reze.reze])
    enregistree_ici = DemandeFactory(nom="Petit", guichet=territoire_reze.guichet, communes=[territoire_reze.nantes])
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:liste"))

    assert set(_demandes(reponse)) == {a_reze, deux_choix, enregistree_ici}
    assert a_nantes not in _demandes(reponse)
    assertNotContains(reponse, "BERNARD")


def test_les_colonnes_de_la_liste_des_demandes(client, agent_verifie, territoire_reze):
    DemandeFactory(
        nom="Sanchez",
        prenom="Carine",
        date_naissance=date(1974, 8, 23),
        numero_unique="044041100185610001",
        date_depot=date(2011, 4, 18),
        communes=[territoire_reze.reze, territoire_reze.nantes],
    )
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:liste"))

    assertContains(reponse, "044 0411 001856 10001")
    assertContains(reponse, "SANCHEZ Carine (23/08/1974)")
    assertContains(reponse, "18/04/2011")
    assertContains(reponse, "<td>Rezé</td>", html=True)
    assertContains(reponse, '<th scope="col">N° de dossier<br>N° unique</th>', html=True)
    assertContains(reponse, '<th scope="col">Demandeur<br>Co-demandeur</th>', html=True)


def test_les_filtres_de_la_liste_des_demandes(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    martin = DemandeFactory(nom="MARTIN", communes=[reze], numero_unique="044011200000110001")
    martinez = DemandeFactory(nom="Martinez", communes=[reze], annulee=True)
    DemandeFactory(nom="Lamartine", communes=[reze])
    au_guichet = DemandeFactory(nom="Guichet", guichet=territoire_reze.guichet, communes=[reze])
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert set(_demandes(client.get(url, {"nom": "mart"}))) == {martin, martinez}
    assert _demandes(client.get(url, {"numero_unique": "0440 1120 0000 1100 01"})) == [martin]
    assert _demandes(client.get(url, {"etat": "annulee"})) == [martinez]
    assert _demandes(client.get(url, {"guichet": territoire_reze.guichet.pk})) == [au_guichet]


def test_un_numero_unique_mal_forme_est_explique(client, agent_verifie, territoire_reze):
    DemandeFactory(communes=[territoire_reze.reze])
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:liste"), {"numero_unique": "04405ABC", "nom": "Dupont"})

    assertContains(reponse, "Le numéro unique ne contient que des chiffres")
    assertContains(reponse, 'value="04405ABC"')
    assertContains(reponse, 'value="Dupont"')
    assert _demandes(reponse) == []


def test_un_observateur_recoit_un_refus_qui_explique_la_regle(client, agent_verifie, territoire_reze):
    demande = DemandeFactory(communes=[territoire_reze.reze])
    agent_verifie(observateur=True, organisme=territoire_reze.agent.organisme)

    liste = client.get(reverse("demandes:liste"))
    fiche = client.get(reverse("demandes:detail", args=[demande.pk]))

    assert liste.status_code == fiche.status_code == 403
    assertContains(liste, "R441-2-6", status_code=403)
    assertContains(liste, "statistiques sans nom", status_code=403)
    assert not Consultation.objects.exists()


def test_un_demandeur_n_utilise_pas_les_ecrans_des_agents(client, territoire_reze):
    demandeur = DemandeurFactory()
    demande = DemandeFactory(communes=[territoire_reze.reze], compte_demandeur=demandeur)
    client.force_login(demandeur)

    assert client.get(reverse("demandes:liste")).status_code == 403
    assert client.get(reverse("demandes:detail", args=[demande.pk])).status_code == 403


def test_la_fiche_d_une_demande_hors_territoire_est_introuvable(client, agent_verifie, territoire_reze):
    ailleurs = DemandeFactory(communes=[territoire_reze.nantes])
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:detail", args=[ailleurs.pk]))

    assert reponse.status_code == 404
    assert client.get(reverse("demandes:detail", args=[ailleurs.pk + 1000])).status_code == 404
    # La même 404 pour l'agent ; le journal note la tentative sur la demande qui existe, sans nom (issue 15).
    refus = Consultation.objects.get()
    assert (refus.action, refus.objet_id) == (Consultation.Action.REFUS, str(ailleurs.pk))
    assert ailleurs.nom.upper() not in refus.objet_libelle.upper()


def test_la_fiche_affiche_la_demande_et_ecrit_une_ligne_au_journal(client, agent_verifie, territoire_reze):
    demande = DemandeFactory(
        nom="Sanchez",
        prenom="Carine",
        numero_unique="044041100185610001",
        communes=[territoire_reze.nantes, territoire_reze.reze],
    )
    agent = agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:detail", args=[demande.pk]), REMOTE_ADDR="203.0.113.7")

    assert reponse.status_code == 200
    assertContains(reponse, "<h1>SANCHEZ Carine</h1>", html=True)
    assertContains(reponse, "044 0411 001856 10001")
    assertContains(reponse, demande.guichet.nom)
    contenu = reponse.content.decode()
    assert contenu.index('<th scope="row">Nantes</th>') < contenu.index('<th scope="row">Rezé</th>')
    assert "no-store" in reponse["Cache-Control"]
    ligne = Consultation.objects.get()
    assert ligne.utilisateur == agent
    assert ligne.organisme == agent.organisme
    assert ligne.action == Consultation.Action.CONSULTATION
    assert (ligne.objet_type, ligne.objet_id) == ("demandes.demande", str(demande.pk))
    assert ligne.ip == "203.0.113.7"
    assert ligne.chemin == reverse("demandes:detail", args=[demande.pk])


def test_chaque_affichage_de_la_fiche_est_journalise(client, agent_verifie, territoire_reze):
    demande = DemandeFactory(communes=[territoire_reze.reze])
    agent_verifie(territoire_reze.agent)

    client.get(reverse("demandes:detail", args=[demande.pk]))
    client.get(reverse("demandes:detail", args=[demande.pk]))

    assert Consultation.objects.filter(objet_id=str(demande.pk)).count() == 2


def test_la_liste_des_demandes_reste_sous_20_requetes(
    client, agent_verifie, territoire_reze, django_assert_max_num_queries
):
    for _ in range(60):
        DemandeFactory(communes=[territoire_reze.reze, territoire_reze.nantes])
    agent_verifie(territoire_reze.agent)

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("demandes:liste"))

    assert len(_demandes(reponse)) == 50
    assert reponse.context["page"].paginator.count == 60
    assertContains(reponse, 'aria-label="Page 2"')


def test_avec_htmx_des_criteres_invalides_remplacent_toute_la_zone_pour_montrer_les_erreurs(
    client, agent_verifie, territoire_reze
):
    DemandeFactory(nom="Martin", communes=[territoire_reze.reze])
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    valide = client.get(url, {"nom": "mar"}, headers={"HX-Request": "true"})
    invalide = client.get(url, {"numero_unique": "12AB"}, headers={"HX-Request": "true"})

    assert "HX-Retarget" not in valide.headers
    assertContains(valide, '<div id="resultats">')
    assert invalide.headers["HX-Retarget"] == "#zone-liste"
    assert invalide.headers["HX-Reselect"] == "#zone-liste"
    assertContains(invalide, "Le numéro unique ne contient que des chiffres")


# ---------------------------------------------------------------- recherche, exports


def test_le_nom_se_cherche_sans_accents_ni_majuscules_chez_le_demandeur_et_le_co_demandeur(
    client, agent_verifie, territoire_reze
):
    lefevre = DemandeFactory(nom="Lefèvre", prenom="Élodie", communes=[territoire_reze.reze])
    couple = DemandeFactory(
        nom="Durand",
        prenom="Paul",
        communes=[territoire_reze.reze],
        avec_co_demandeur=True,
        co_demandeur__nom="Le Févre",
        co_demandeur__prenom="Anne",
        co_demandeur__date_naissance=date(1980, 1, 2),
    )
    DemandeFactory(nom="Lefort", communes=[territoire_reze.reze])
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert set(_demandes(client.get(url, {"nom": "lefe"}))) == {lefevre}
    assert set(_demandes(client.get(url, {"nom": "LE FE"}))) == {couple}
    assert set(_demandes(client.get(url, {"nom": "le", "prenom": "elo"}))) == {lefevre}
    reponse = client.get(url, {"nom": "durand"})
    assertContains(reponse, "LE FÉVRE Anne (02/01/1980)")


def test_les_autres_criteres_de_la_liste(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    ancienne = DemandeFactory(
        communes=[reze], reference="2014050081", date_depot=date(2014, 5, 2), date_expiration=date(2026, 5, 2)
    )
    recente = DemandeFactory(communes=[reze], date_depot=date(2026, 1, 10), date_expiration=date(2027, 1, 10))
    recente.nature = "couple"
    recente.save()
    # Saisi à un guichet de l'organisme de l'agent (le brouillon d'un autre organisme lui est invisible).
    brouillon_a_moi = DemandeFactory(communes=[reze], brouillon=True, guichet=territoire_reze.guichet)
    DemandeFactory(communes=[reze], brouillon=True)
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert _demandes(client.get(url, {"reference": "2014 050081"})) == [ancienne]
    assert _demandes(client.get(url, {"depot_du": "01/01/2014", "depot_au": "31/12/2014"})) == [ancienne]
    assert _demandes(client.get(url, {"expiration_du": "01/01/2027"})) == [recente]
    assert _demandes(client.get(url, {"nature": "couple"})) == [recente]
    assert _demandes(client.get(url, {"brouillons_organisme": "on"})) == [brouillon_a_moi]
    erreur = client.get(url, {"depot_du": "31/02/2020"})
    assertContains(erreur, "Date inconnue : saisissez-la au format jj/mm/aaaa.")
    assert _demandes(erreur) == []


@pytest.mark.parametrize(
    "criteres", [{}, {"nom": "nom"}, {"etat": "active", "depot_du": "01/01/2000"}, {"brouillons_organisme": "on"}]
)
def test_la_liste_filtree_reste_sous_20_requetes(
    client, agent_verifie, territoire_reze, django_assert_max_num_queries, criteres
):
    for i in range(60):
        couple = {"avec_co_demandeur": True, "co_demandeur__nom": f"Conjoint{i}"} if i % 3 == 0 else {}
        DemandeFactory(communes=[territoire_reze.reze, territoire_reze.nantes], **couple)
    agent_verifie(territoire_reze.agent)

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("demandes:liste"), criteres)

    assert reponse.status_code == 200


def test_export_csv_de_la_liste_filtree_journalise_chaque_demande(client, agent_verifie, territoire_reze):
    martin = DemandeFactory(nom="Martin", prenom="Zoé", communes=[territoire_reze.reze], reference="2026010001")
    DemandeFactory(nom="Bernard", communes=[territoire_reze.reze])
    agent = agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:export", args=["csv"]), {"nom": "mart"})

    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in reponse["Content-Disposition"]
    texte = b"".join(reponse.streaming_content).decode("utf-8-sig")
    lignes = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert lignes[0][:3] == ["N° de dossier", "N° unique", "État"]
    assert len(lignes) == 2
    assert lignes[1][0] == "2026010001"
    assert lignes[1][1] == martin.numero_unique_affiche
    assert lignes[1][7:9] == ["MARTIN", "Zoé"]
    ligne = Consultation.objects.get()
    assert (ligne.action, ligne.objet_id, ligne.utilisateur) == (Consultation.Action.EXPORT, str(martin.pk), agent)


@pytest.mark.parametrize(
    ("parametres", "ordre"),
    [
        ({}, ["recente", "moyenne", "ancienne"]),
        ({"tri": "depot"}, ["ancienne", "moyenne", "recente"]),
        ({"nom": "du"}, ["ancienne", "recente", "moyenne"]),  # alphabétique : DUBOIS, DUMAS, DURAND
    ],
)
def test_l_export_suit_l_ordre_de_la_liste(client, agent_verifie, territoire_reze, parametres, ordre):
    demandes = {
        "ancienne": DemandeFactory(nom="Dubois", date_depot=date(2024, 1, 10), communes=[territoire_reze.reze]),
        "recente": DemandeFactory(nom="Dumas", date_depot=date(2026, 3, 1), communes=[territoire_reze.reze]),
        "moyenne": DemandeFactory(nom="Durand", date_depot=date(2025, 6, 1), communes=[territoire_reze.reze]),
    }
    agent_verifie(territoire_reze.agent)

    liste = client.get(reverse("demandes:liste"), parametres)
    export = client.get(reverse("demandes:export", args=["csv"]), parametres)

    attendus = [demandes[cle].numero_unique_affiche for cle in ordre]
    assert [d.numero_unique_affiche for d in liste.context["page"].object_list] == attendus
    texte = b"".join(export.streaming_content).decode("utf-8-sig")
    assert [ligne[1] for ligne in list(csv.reader(io.StringIO(texte), delimiter=";"))[1:]] == attendus


def test_export_xlsx_et_plafond(client, agent_verifie, territoire_reze, monkeypatch):
    demandes = [DemandeFactory(communes=[territoire_reze.reze]) for _ in range(3)]
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:export", args=["xlsx"])

    reponse = client.get(url)

    feuille = load_workbook(io.BytesIO(reponse.content)).active
    lignes = list(feuille.iter_rows(values_only=True))
    assert lignes[0][1] == "N° unique"
    assert {ligne[1] for ligne in lignes[1:]} == {d.numero_unique_affiche for d in demandes}
    assert Consultation.objects.filter(action=Consultation.Action.EXPORT).count() == 3

    monkeypatch.setattr(exports, "PLAFOND", 2)
    trop = client.get(url, {"etat": "active"}, follow=True)

    assertContains(trop, "l&#x27;export est limité à 2 lignes")
    assert Consultation.objects.filter(action=Consultation.Action.EXPORT).count() == 3


def test_un_observateur_n_exporte_pas(client, agent_verifie, territoire_reze):
    DemandeFactory(communes=[territoire_reze.reze])
    agent_verifie(observateur=True, organisme=territoire_reze.agent.organisme)

    assert client.get(reverse("demandes:export", args=["csv"])).status_code == 403
    assert not Consultation.objects.exists()
