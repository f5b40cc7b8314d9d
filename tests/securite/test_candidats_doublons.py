"""Les doublons montrés à l'enregistrement (issue 15, point 2) : journalisés, plafonnés, sans identifiant interne.

« Vérifier les doublons » révèle qu'un ménage a déjà une demande, même hors du
territoire de l'agent (numéro unique et guichet) : chaque candidat montré a sa
ligne au journal, l'agent ne lance qu'un nombre borné de recherches par fenêtre
de temps, et la page ne porte jamais l'identifiant interne d'une demande qu'il
ne voit pas.
"""

import datetime
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from demandes.models import Demande
from fdls.audit.models import Consultation
from tests.demandes.cycle.test_saisie import formulaire
from tests.monde.factories import CommuneFactory, DemandeFactory, DepartementFactory, GuichetFactory
from tests.monde.territoires import ville_de_reze

NAISSANCE = datetime.date(1970, 9, 4)


@pytest.fixture
def monde(agent_verifie):
    t = ville_de_reze(habilitee_sur_nantes=True)
    agent_verifie(t.agent)
    vendee = CommuneFactory(code_insee="85191", nom="La Roche-sur-Yon", departement=DepartementFactory(code="85"))
    t.visible = DemandeFactory(nom="LEFEVRE", prenom="Elodie", date_naissance=NAISSANCE, communes=[t.reze])
    t.cachee = DemandeFactory(
        nom="Lefevre",
        prenom="Elodie",
        date_naissance=NAISSANCE,
        communes=[vendee],
        guichet=GuichetFactory(commune=vendee, nom="Guichet de Vendée"),
    )
    return t


def _vus(page) -> list[str]:
    return re.findall(r'name="doublons_vus" value="([^"]*)"', page.content.decode())


def test_chaque_candidat_montre_est_journalise_et_designe_sans_identifiant_interne(client, monde):
    url = reverse("demandes:nouvelle")

    page = client.post(url, formulaire(monde, action="doublons"))

    assert page.status_code == 200
    assertContains(page, monde.cachee.numero_unique_affiche)
    lignes = Consultation.objects.filter(objet_type="demandes.demande")
    assert sorted(int(lg.objet_id) for lg in lignes) == sorted([monde.visible.pk, monde.cachee.pk])
    assert {lg.action for lg in lignes} == {Consultation.Action.CONSULTATION}
    vus = _vus(page)
    assert len(vus) == 2
    assert all(re.fullmatch(r"[0-9a-f]{24}", v) for v in vus), vus
    assert str(monde.cachee.pk) not in vus

    # Les jetons rendus par la page suffisent à créer la demande une fois les candidats vus.
    reponse = client.post(url, formulaire(monde, doublons_vus=vus))

    nouvelle = Demande.objects.exclude(pk__in=[monde.visible.pk, monde.cachee.pk]).get()
    assertRedirects(reponse, reverse("demandes:detail", args=[nouvelle.pk]))


def test_un_identifiant_interne_ne_vaut_pas_un_candidat_vu(client, monde):
    reponse = client.post(
        reverse("demandes:nouvelle"),
        formulaire(monde, doublons_vus=[str(monde.visible.pk), str(monde.cachee.pk)]),
    )

    assertContains(reponse, "Des demandes ressemblent à celle-ci")
    assert Demande.objects.count() == 2


def test_les_recherches_de_doublons_sont_plafonnees_par_agent(client, monde, settings):
    settings.FDLS_DOUBLONS_RECHERCHES_MAX = 2
    url = reverse("demandes:nouvelle")
    for _ in range(2):
        assert client.post(url, formulaire(monde, action="doublons")).status_code == 200
    avant = Consultation.objects.count()

    refus = client.post(url, formulaire(monde, action="doublons"))

    assert refus.status_code == 429
    assertContains(refus, "Trop de recherches de doublons", status_code=429)
    # La saisie est conservée, aucun candidat n'est montré ni journalisé.
    assertContains(refus, 'value="Lefèvre"', status_code=429)
    assert monde.cachee.numero_unique_affiche not in refus.content.decode()
    assert Consultation.objects.count() == avant
    # « Créer » cherche aussi les doublons : le plafond vaut pour lui, rien n'est enregistré.
    assert client.post(url, formulaire(monde)).status_code == 429
    assert Demande.objects.count() == 2
