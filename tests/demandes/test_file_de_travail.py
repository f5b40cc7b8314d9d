"""File de travail de l'accueil (issue 20, point 1) : chaque nombre est celui de la liste ouverte par son lien,
limité à ce que l'agent voit (CCH R441-2-6), selon son rôle ; pas de chiffres des partenaires pour un agent de
guichet."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from demandes.compteurs import file_de_travail, mois_en_cours
from demandes.models import SuspicionDoublon
from fdls.accueil import selectors
from offre import compteurs as compteurs_offre
from tests.monde.factories import (
    AgentFactory,
    DemandeFactory,
    DisponibiliteFactory,
    LogementFactory,
    ProgrammeFactory,
    agent_bailleur,
    joindre_identite,
)


def _suspicion(a, b):
    a, b = sorted([a, b], key=lambda d: d.pk)
    return SuspicionDoublon.objects.create(demande_a=a, demande_b=b, score=90, motif="même nom", source="saisie")


@pytest.fixture
def file_reze(territoire_reze, stockage):
    t = territoire_reze
    reze, nantes, guichet = t.reze, t.nantes, t.guichet
    _debut, fin = mois_en_cours(timezone.localdate())
    ce_mois = DemandeFactory(communes=[reze], guichet=guichet, date_expiration=fin)
    joindre_identite(ce_mois)
    plus_tard = DemandeFactory(communes=[reze], guichet=guichet, date_expiration=date(fin.year + 1, 1, 15))
    joindre_identite(plus_tard)
    sans_piece = DemandeFactory(communes=[reze], guichet=guichet, date_expiration=date(fin.year + 1, 2, 1))
    en_ligne = DemandeFactory(en_ligne=True, guichet=guichet, communes=[reze])
    brouillon = DemandeFactory(brouillon=True, guichet=guichet, communes=[reze])
    jumelle = DemandeFactory(communes=[reze])
    _suspicion(plus_tard, jumelle)
    # Hors du territoire de Rezé : jamais comptées.
    ailleurs = DemandeFactory(communes=[nantes], date_expiration=fin)
    _suspicion(ailleurs, DemandeFactory(communes=[nantes]))
    return {
        "renouvellements": {ce_mois.pk},
        "a_valider": {en_ligne.pk},
        "brouillons": {brouillon.pk},
        "pieces": {sans_piece.pk},
        "doublons": {plus_tard.pk, jumelle.pk},
    }


def test_chaque_nombre_de_la_file_est_celui_de_la_liste_ouverte_par_son_lien(
    client, agent_verifie, territoire_reze, file_reze
):
    agent = agent_verifie(territoire_reze.agent)
    entrees = file_de_travail(agent)

    assert set(entrees) == {"a_valider", "renouvellements", "doublons", "brouillons", "pieces"}
    for cle, attendues in file_reze.items():
        entree = entrees[cle]
        assert entree["nombre"] == len(attendues), cle
        reponse = client.get(entree["url"])
        assert {d.pk for d in reponse.context["page"].object_list} == attendues, cle


def test_l_accueil_montre_la_file_et_pas_les_partenaires_a_un_agent_de_guichet(
    client, agent_verifie, territoire_reze, file_reze
):
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("socle:accueil"))

    assertContains(reponse, '<h2 id="titre-file">À traiter</h2>', html=True)
    assertContains(reponse, "Suspicions de doublon à traiter")
    assertContains(reponse, "?a_traiter=doublons")
    assertNotContains(reponse, "organismes partenaires")
    assert "organismes_partenaires" not in selectors.compteurs_accueil(territoire_reze.agent)


def test_un_bailleur_voit_ses_vacances_sans_candidat_et_pas_la_file_du_guichet(client, agent_verifie):
    agent = agent_bailleur()
    bailleur = agent.organisme
    programme = ProgrammeFactory(bailleur=bailleur)
    a_pourvoir = DisponibiliteFactory(logement=LogementFactory(programme=programme))
    DisponibiliteFactory(logement=LogementFactory(programme=programme), etat="en_cours")
    DisponibiliteFactory()  # un autre bailleur
    agent.organisme.perimetre.set([programme.commune])
    agent_verifie(agent)

    file = selectors.file_de_travail(agent)

    assert [entree["libelle"] for entree in file] == ["Logements vacants sans candidat"]
    assert file[0]["nombre"] == 1 == compteurs_offre.vacances_a_pourvoir(agent).count()
    reponse = client.get(file[0]["url"])
    assert [d.pk for d in reponse.context["page"].object_list] == [a_pourvoir.pk]


def test_un_observateur_n_a_ni_file_ni_compte_de_demandes(client, agent_verifie, file_reze):
    observateur = agent_verifie(AgentFactory(observateur=True))

    assert selectors.file_de_travail(observateur) == []
    reponse = client.get(reverse("socle:accueil"))
    assertNotContains(reponse, "À traiter")
    assertContains(reponse, "organismes partenaires")
