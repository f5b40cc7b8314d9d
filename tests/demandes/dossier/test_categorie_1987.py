"""Catégorie de ménage et plafonds de ressources selon l'arrêté du 29 juillet 1987 (domain.md §8).

La catégorie calculée par ``demandes.dossier.calculs`` est confrontée à une
implémentation indépendante, écrite ici clause par clause à partir du texte
publié (« 1 : une personne seule ; 2 : deux personnes sans personne à charge, à
l'exclusion des jeunes ménages, ou une personne seule en situation de
handicap ; 3 : … »), sur des ménages générés (hypothesis).
"""

import datetime
import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from demandes.cycle import services
from demandes.dossier import calculs, choix
from demandes.models import Demande
from tests.monde.dossiers import dossier
from tests.monde.factories import CommuneFactory, EpciFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import ville_de_reze

LE = date(2026, 1, 15)
D = Decimal
Role = choix.Role
Lien = choix.LienParente


@dataclass
class P:
    role: str = Role.OCCUPANT
    date_naissance: date | None = date(1980, 1, 1)
    a_charge: bool = False
    handicap: bool = False
    lien_parente: str = ""
    revenu_fiscal: Decimal | None = None
    revenu_fiscal_n1: Decimal | None = None


def ne_a(age_revolu: int) -> date:
    return date(LE.year - age_revolu, 1, 1)


# ---------------------------------------------------------------- implémentation indépendante


def age_revolu(naissance: date, le: date) -> int:
    annees = le.year - naissance.year
    if (le.month, le.day) < (naissance.month, naissance.day):
        annees -= 1
    return annees


def categorie_selon_l_arrete(personnes, enfants_a_naitre: int, le: date) -> int:
    """Les six clauses de l'arrêté, lues littéralement ; la catégorie est la plus haute clause remplie.

    Couple : le demandeur et la personne déclarée comme son conjoint (lien « conjoint », qu'elle soit
    co-demandeur ou occupant), ou un co-demandeur sans lien déclaré (Cerfa : le co-demandeur est le
    conjoint). Personnes à charge : cochées « à charge », hors demandeur, co-demandeur et conjoint, plus
    les enfants à naître. Personne seule : un seul titulaire et pas de conjoint.
    """
    menage = len(personnes) + enfants_a_naitre
    conjoints = [
        p
        for p in personnes
        if p.role != Role.DEMANDEUR
        and (p.lien_parente == Lien.CONJOINT or (p.role == Role.CODEMANDEUR and not p.lien_parente))
    ]
    a_charge = enfants_a_naitre + sum(
        1 for p in personnes if p.a_charge and p.role not in (Role.DEMANDEUR, Role.CODEMANDEUR) and p not in conjoints
    )
    titulaires = [p for p in personnes if p.role in (Role.DEMANDEUR, Role.CODEMANDEUR)]
    personne_seule = len(titulaires) == 1 and not conjoints
    handicape = any(p.handicap for p in personnes)
    demandeur = next(p for p in personnes if p.role == Role.DEMANDEUR)
    jeune_menage = (
        menage == 2
        and len(conjoints) == 1
        and a_charge == 0
        and demandeur.date_naissance is not None
        and conjoints[0].date_naissance is not None
        and age_revolu(demandeur.date_naissance, le) + age_revolu(conjoints[0].date_naissance, le) <= 55
    )
    clauses = {
        1: menage == 1,
        2: (menage == 2 and a_charge == 0 and not jeune_menage) or (menage == 1 and handicape),
        3: menage == 3
        or (personne_seule and a_charge == 1 and menage == 2)
        or jeune_menage
        or (menage == 2 and handicape),
        4: menage == 4 or (personne_seule and a_charge == 2 and menage == 3) or (menage == 3 and handicape),
        5: menage == 5 or (personne_seule and a_charge == 3 and menage == 4) or (menage == 4 and handicape),
        6: menage >= 6 or (personne_seule and a_charge >= 4 and menage == a_charge + 1) or (menage >= 5 and handicape),
    }
    return max(categorie for categorie, remplie in clauses.items() if remplie)


# ---------------------------------------------------------------- cas nommés de l'issue 17


def test_deux_freres_co_demandeurs_ne_sont_pas_un_jeune_menage():
    freres = [
        P(role=Role.DEMANDEUR, date_naissance=ne_a(22)),
        P(role=Role.CODEMANDEUR, date_naissance=ne_a(24), lien_parente=Lien.FRERE_SOEUR),
    ]
    assert calculs.categorie_menage(freres, LE) == 2


def test_un_conjoint_saisi_comme_occupant_forme_un_jeune_menage():
    couple = [
        P(role=Role.DEMANDEUR, date_naissance=ne_a(25)),
        P(role=Role.OCCUPANT, date_naissance=ne_a(26), lien_parente=Lien.CONJOINT),
    ]
    assert calculs.categorie_menage(couple, LE) == 3


def test_un_conjoint_occupant_coche_a_charge_n_est_pas_une_personne_a_charge():
    menage = [
        P(role=Role.DEMANDEUR, date_naissance=ne_a(40)),
        P(role=Role.OCCUPANT, date_naissance=ne_a(41), lien_parente=Lien.CONJOINT, a_charge=True),
        P(role=Role.OCCUPANT, date_naissance=ne_a(8), lien_parente=Lien.ENFANT, a_charge=True),
    ]
    assert calculs.personnes_a_charge(menage) == 1
    # Trois personnes, un couple et un enfant : catégorie 3, pas « personne seule + 2 à charge » (4).
    assert calculs.categorie_menage(menage, LE) == 3


# ---------------------------------------------------------------- comparaison sur des ménages générés

AUTRE_PERSONNE = st.builds(
    P,
    role=st.sampled_from([Role.OCCUPANT, Role.COLOCATAIRE]),
    date_naissance=st.one_of(st.none(), st.dates(date(1930, 1, 1), date(2025, 12, 31))),
    a_charge=st.booleans(),
    handicap=st.booleans(),
    lien_parente=st.sampled_from(["", *Lien.values]),
)


@st.composite
def menages(draw):
    naissances = st.one_of(st.none(), st.dates(date(1940, 1, 1), date(2008, 1, 1)))
    personnes = [P(role=Role.DEMANDEUR, date_naissance=draw(naissances), handicap=draw(st.booleans()))]
    if draw(st.booleans()):
        personnes.append(
            P(
                role=Role.CODEMANDEUR,
                date_naissance=draw(naissances),
                handicap=draw(st.booleans()),
                a_charge=draw(st.booleans()),
                lien_parente=draw(st.sampled_from(["", Lien.CONJOINT, Lien.FRERE_SOEUR, Lien.PARENT, Lien.SANS_LIEN])),
            )
        )
    personnes += draw(st.lists(AUTRE_PERSONNE, max_size=7))
    return personnes, draw(st.integers(0, 2))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menages())
def test_la_categorie_suit_l_arrete_sur_des_menages_generes(menage):
    personnes, a_naitre = menage
    assert calculs.categorie_menage(personnes, LE, a_naitre) == categorie_selon_l_arrete(personnes, a_naitre, LE)


# ---------------------------------------------------------------- plafonds : N-1, dépassement d'un euro


def test_un_euro_au_dessus_du_plafond_n_est_pas_100_pour_cent():
    assert calculs.pourcentage(D("31255"), D("31254")) > D("100")
    assert calculs.pourcentage(D("31253"), D("31254")) < D("100")
    assert calculs.pourcentage(D("31254"), D("31254")) == D("100.00")


def test_revenu_retenu_n_1_si_baisse_d_au_moins_10_pour_cent():
    # Baisse de 12,5 % : le RFR N-1 est comparé au plafond.
    baisse = [P(role=Role.DEMANDEUR, revenu_fiscal=D("40000"), revenu_fiscal_n1=D("35000"))]
    assert calculs.revenu_retenu(baisse) == (D("35000"), True)
    # Exactement 10 % : la règle s'applique (« au moins 10 % »).
    dix = [P(role=Role.DEMANDEUR, revenu_fiscal=D("40000"), revenu_fiscal_n1=D("36000"))]
    assert calculs.revenu_retenu(dix) == (D("36000"), True)
    # Baisse de 5 % : le RFR N-2 reste la référence.
    faible = [P(role=Role.DEMANDEUR, revenu_fiscal=D("40000"), revenu_fiscal_n1=D("38000"))]
    assert calculs.revenu_retenu(faible) == (D("40000"), False)
    # Un seul membre déclare son N-1 : les autres comptent pour leur N-2.
    menage = [
        P(role=Role.DEMANDEUR, revenu_fiscal=D("20000"), revenu_fiscal_n1=D("14000")),
        P(role=Role.CODEMANDEUR, lien_parente=Lien.CONJOINT, revenu_fiscal=D("20000")),
    ]
    assert calculs.revenu_retenu(menage) == (D("34000"), True)


@pytest.fixture
def nantes(db):
    return CommuneFactory(code_insee="44109", nom="Nantes", departement_id="44", epci=EpciFactory(siren="244400404"))


def _freres(commune, rfr_total, rfr_n1=None):
    d = dossier(communes=[commune], naissance=ne_a(22), rfr=rfr_total)
    d.personnes[0].personne.revenu_fiscal_n1 = rfr_n1
    frere = dossier(communes=[commune], codemandeur=("MARTIN", "Paul", ne_a(24))).personnes[1]
    frere.personne.lien_parente = Lien.FRERE_SOEUR
    d.personnes.append(frere)
    return d


def test_deux_freres_au_dessus_du_plafond_2_ne_sont_pas_sous_le_plafond_plus(nantes):
    # Plafond PLUS 2026 autres régions : catégorie 2 = 31 254 €, catégorie 3 = 37 584 € (domain.md §8).
    s = calculs.synthese(_freres(nantes, D("33000")), LE)
    assert s.categorie_menage == 2
    assert s.plafond_plus_n == D("31254")
    assert s.sous_plafond_plus_n is False


def test_la_baisse_de_revenus_est_appliquee_au_plafond(nantes):
    s = calculs.synthese(_freres(nantes, D("33000"), rfr_n1=D("29000")), LE)
    assert (s.rfr_retenu, s.rfr_retenu_annee) == (D("29000"), LE.year - 1)
    assert s.pct_plafond_n == D("92.79")
    assert s.sous_plafond_plus_n is True


def test_la_fiche_montre_un_menage_un_euro_au_dessus_du_plafond(client, agent_verifie):
    territoire = ville_de_reze()
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        # Personne seule, plafond PLUS 2026 catégorie 1 : 23 403 € ; RFR 23 404 €.
        demande = services.enregistrer_demande(
            dossier(communes=[territoire.reze], rfr=D("23404")),
            auteur=services.Auteur.agent(territoire.agent),
            guichet=territoire.guichet,
            piece_identite=piece_identite(),
        )
        agent_verifie(territoire.agent)
        reponse = client.get(reverse("demandes:detail", args=[demande.pk]))
    assertNotContains(reponse, "100,00")
    assertContains(reponse, "100,01")
    assertContains(reponse, "au-dessus du plafond")


def test_la_migration_recalcule_la_categorie_enregistree_des_faux_jeunes_menages():
    territoire = ville_de_reze()
    demande = services.enregistrer_demande(
        _freres(territoire.reze, D("20000")),
        auteur=services.Auteur.agent(territoire.agent),
        guichet=territoire.guichet,
        piece_identite=piece_identite(),
    )
    assert demande.categorie_menage == 2
    Demande.objects.filter(pk=demande.pk).update(categorie_menage=3)  # valeur écrite par l'ancienne règle

    importlib.import_module("demandes.migrations.0024_categorie_menage_couples").recalculer(django_apps, None)

    assert Demande.objects.get(pk=demande.pk).categorie_menage == 2
