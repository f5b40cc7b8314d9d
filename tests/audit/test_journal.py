"""Journal des consultations : réservé au gestionnaire, recherche, période, export CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.organismes.models import Organisme
from tests.monde.factories import AgentFactory, DemandeFactory, OrganismeFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def gestionnaire(agent_verifie):
    return agent_verifie(administrateur=True)


def _consulter(user, objet, *, le=None, action=Consultation.Action.CONSULTATION):
    if le is None:
        return journaliser_consultation(user=user, objet=objet, action=action)
    with time_machine.travel(le, tick=False):
        return journaliser_consultation(user=user, objet=objet, action=action)


def _lignes(reponse) -> list[Consultation]:
    return list(reponse.context["page"].object_list)


@pytest.mark.parametrize(
    "traits",
    [
        {"roles": ["agent_guichet"]},
        {"roles": ["observateur"]},
        {"roles": ["administrateur"], "organisme__type": Organisme.Type.BAILLEUR},
    ],
)
def test_le_journal_est_refuse_hors_gestionnaire(client, agent_verifie, traits):
    agent_verifie(**traits)

    assert client.get(reverse("audit:journal")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


def test_le_gestionnaire_voit_le_journal_du_plus_recent_au_plus_ancien(client, gestionnaire):
    agent, demande = AgentFactory(), DemandeFactory()
    ancienne = _consulter(agent, demande, le=datetime(2026, 1, 5, 10, tzinfo=PARIS))
    recente = _consulter(agent, demande, le=datetime(2026, 3, 5, 10, tzinfo=PARIS))

    reponse = client.get(reverse("audit:journal"))

    assert _lignes(reponse) == [recente, ancienne]
    assertContains(reponse, "05/03/2026 10:00:00")
    assertContains(reponse, f"{agent.email}")


def test_les_criteres_de_recherche_du_journal(client, gestionnaire):
    bailleur = OrganismeFactory(nom="Habitat Atlantique")
    paul = AgentFactory(email="paul.durand@habitat.fr", organisme=bailleur)
    lea = AgentFactory(email="lea.martin@ville.fr")
    demande, autre = DemandeFactory(), DemandeFactory()
    a = _consulter(paul, demande)
    b = _consulter(lea, demande, action=Consultation.Action.PDF)
    c = _consulter(lea, autre)
    url = reverse("audit:journal")

    assert _lignes(client.get(url, {"utilisateur": "DURAND@"})) == [a]
    assert _lignes(client.get(url, {"organisme": bailleur.pk})) == [a]
    assert _lignes(client.get(url, {"action": "pdf"})) == [b]
    assert _lignes(client.get(url, {"objet_type": "demandes.demande", "objet_id": str(autre.pk)})) == [c]
    assert _lignes(client.get(url, {"objet_type": "comptes.utilisateur"})) == []


def test_la_recherche_par_nom_ignore_les_accents_et_la_casse(client, gestionnaire):
    agent = AgentFactory()
    helene = DemandeFactory(nom="Lefèvre", prenom="Hélène")
    autre = DemandeFactory(nom="Martin", prenom="Paul")
    a = journaliser_consultation(
        user=agent,
        objet=helene,
        action=Consultation.Action.CONSULTATION,
        libelle="044 1226 000035 10001 LEFÈVRE Hélène",
    )
    journaliser_consultation(
        user=agent, objet=autre, action=Consultation.Action.CONSULTATION, libelle="044 1226 000036 10001 MARTIN Paul"
    )
    url = reverse("audit:journal")

    assert _lignes(client.get(url, {"recherche": "helene lefevre"})) == [a]
    assert _lignes(client.get(url, {"recherche": "HÉLÈNE"})) == [a]
    assert _lignes(client.get(url, {"recherche": "Lefèvre"})) == [a]
    assert _lignes(client.get(url, {"recherche": "lefebvre"})) == []


def test_la_periode_du_au_inclut_les_deux_jours_en_heure_de_paris(client, gestionnaire):
    agent, demande = AgentFactory(), DemandeFactory()
    _consulter(agent, demande, le=datetime(2026, 2, 28, 23, 59, tzinfo=PARIS))  # la veille
    premier = _consulter(agent, demande, le=datetime(2026, 3, 1, 0, 5, tzinfo=PARIS))
    dernier = _consulter(agent, demande, le=datetime(2026, 3, 31, 23, 55, tzinfo=PARIS))
    _consulter(agent, demande, le=datetime(2026, 4, 1, 0, 0, tzinfo=PARIS))  # le lendemain

    reponse = client.get(reverse("audit:journal"), {"du": "01/03/2026", "au": "31/03/2026"})

    assert _lignes(reponse) == [dernier, premier]


def test_une_date_invalide_est_expliquee_et_la_saisie_conservee(client, gestionnaire):
    _consulter(AgentFactory(), DemandeFactory())

    reponse = client.get(reverse("audit:journal"), {"du": "31/02/2026", "utilisateur": "paul"})

    assertContains(reponse, "Saisissez une date valide au format JJ/MM/AAAA")
    assertContains(reponse, 'value="31/02/2026"')
    assertContains(reponse, 'value="paul"')
    assertContains(reponse, 'aria-invalid="true"')
    assert _lignes(reponse) == []


def test_une_periode_inversee_est_refusee_sur_la_date_de_fin(client, gestionnaire):
    _consulter(AgentFactory(), DemandeFactory())

    reponse = client.get(reverse("audit:journal"), {"du": "10/03/2026", "au": "01/03/2026"})

    assert reponse.context["filtre"].form.errors == {
        "au": ["La date de fin doit être égale ou postérieure à la date de début."]
    }
    assertContains(reponse, 'aria-describedby="id_au_helptext id_au_error"')
    assert _lignes(reponse) == []


def test_l_export_csv_reprend_le_resultat_filtre(client, gestionnaire):
    paul = AgentFactory(email="paul@test.fr", first_name="=SOMME(A1)")
    lea = AgentFactory(email="lea@test.fr")
    demande = DemandeFactory()
    _consulter(paul, demande, le=datetime(2026, 3, 2, 9, 30, tzinfo=PARIS))
    _consulter(lea, demande)

    reponse = client.get(reverse("audit:export"), {"utilisateur": "paul@"})

    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"].startswith('attachment; filename="journal-consultations-')
    contenu = b"".join(reponse.streaming_content).decode("utf-8")
    assert contenu.startswith("\ufeff")
    lignes = list(csv.reader(io.StringIO(contenu.lstrip("\ufeff")), delimiter=";"))
    assert lignes[0][:4] == ["date", "utilisateur", "organisme", "action"]
    assert len(lignes) == 2
    assert lignes[1][0] == "02/03/2026 09:30:00"
    assert "paul@test.fr" in lignes[1][1]
    assert lignes[1][3] == "Consultation de la fiche"
    assert lignes[1][5] == str(demande.pk)
    # Une cellule qui commence par « = » n'est pas exécutée comme une formule par le tableur.
    assert lignes[1][1].startswith("'=SOMME(A1)")


def test_l_export_avec_des_criteres_invalides_montre_les_erreurs(client, gestionnaire):
    reponse = client.get(reverse("audit:export"), {"du": "hier"})

    assert reponse["Content-Type"].startswith("text/html")
    assertContains(reponse, "Saisissez une date valide au format JJ/MM/AAAA")


def test_le_journal_pagine_par_50_sous_20_requetes(client, gestionnaire, django_assert_max_num_queries):
    agents = AgentFactory.create_batch(3)
    demande = DemandeFactory()
    for n in range(60):
        _consulter(agents[n % 3], demande)

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("audit:journal"))
    assert len(_lignes(reponse)) == 50
    assertContains(reponse, 'aria-label="Page 2"')

    assert len(_lignes(client.get(reverse("audit:journal"), {"page": 2}))) == 10
