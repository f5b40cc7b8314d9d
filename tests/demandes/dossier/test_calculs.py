"""Valeurs dérivées de la fiche de synthèse (demandes.calculs) et données versionnées (demandes.reglementaire).

Les fonctions pures se testent sur des objets non enregistrés ; les lectures
de plafonds et de seuils sur la base de test (migration 0007).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from demandes.dossier import calculs, choix, reglementaire
from demandes.dossier import saisie as services
from demandes.models import ParametreReglementaire, PlafondRessources, Ressource, SeuilPremierQuartile
from fdls.territoires.models import Commune
from tests.monde.dossiers import dossier
from tests.monde.factories import EpciFactory

LE = date(2026, 1, 15)
D = Decimal


@dataclass
class P:
    """Personne minimale : les calculs ne lisent que ces attributs."""

    role: str = choix.Role.OCCUPANT
    date_naissance: date | None = date(1980, 1, 1)
    a_charge: bool = False
    handicap: bool = False
    lien_parente: str = ""
    revenu_fiscal: Decimal | None = None
    revenu_fiscal_n1: Decimal | None = None


def demandeur(naissance=date(1980, 1, 1), **kw):
    return P(role=choix.Role.DEMANDEUR, date_naissance=naissance, **kw)


def conjoint(naissance=date(1980, 1, 1), **kw):
    return P(role=choix.Role.CODEMANDEUR, date_naissance=naissance, lien_parente=choix.LienParente.CONJOINT, **kw)


def enfant(naissance=date(2015, 6, 1), a_charge=True, **kw):
    return P(date_naissance=naissance, a_charge=a_charge, lien_parente=choix.LienParente.ENFANT, **kw)


def adulte(naissance=date(1990, 1, 1), **kw):
    return P(date_naissance=naissance, lien_parente=choix.LienParente.FRERE_SOEUR, **kw)


# ---------------------------------------------------------------- catégorie de ménage (arrêté du 29 juillet 1987)

CATEGORIES = [
    ("une personne seule", [demandeur()], 0, 1),
    ("personne seule handicapée", [demandeur(handicap=True)], 0, 2),
    ("couple sans personne à charge, somme des âges 92", [demandeur(), conjoint()], 0, 2),
    ("jeune ménage, somme des âges 53", [demandeur(date(2000, 1, 1)), conjoint(date(2002, 6, 1))], 0, 3),
    ("jeune ménage, somme des âges exactement 55", [demandeur(date(1998, 1, 1)), conjoint(date(1999, 1, 1))], 0, 3),
    ("couple, somme des âges 56 : plus jeune ménage", [demandeur(date(1998, 1, 1)), conjoint(date(1998, 1, 1))], 0, 2),
    ("personne seule + une personne à charge", [demandeur(), enfant()], 0, 3),
    ("deux personnes sans lien ni charge", [demandeur(), adulte()], 0, 2),
    ("deux personnes dont une handicapée", [demandeur(), conjoint(handicap=True)], 0, 3),
    ("trois personnes", [demandeur(), conjoint(), enfant()], 0, 3),
    ("trois personnes dont une handicapée", [demandeur(), conjoint(), enfant(handicap=True)], 0, 4),
    ("personne seule + deux personnes à charge", [demandeur(), enfant(), enfant()], 0, 4),
    ("quatre personnes", [demandeur(), conjoint(), enfant(), enfant()], 0, 4),
    ("personne seule + trois personnes à charge", [demandeur(), enfant(), enfant(), enfant()], 0, 5),
    ("cinq personnes", [demandeur(), conjoint(), enfant(), enfant(), enfant()], 0, 5),
    ("quatre personnes dont une handicapée", [demandeur(handicap=True), conjoint(), enfant(), enfant()], 0, 5),
    ("six personnes", [demandeur(), conjoint(), *[enfant() for _ in range(4)]], 0, 6),
    ("personne seule + quatre personnes à charge", [demandeur(), *[enfant() for _ in range(4)]], 0, 6),
    ("cinq personnes dont une handicapée", [demandeur(), conjoint(), enfant(), enfant(), enfant(handicap=True)], 0, 6),
    (
        "sept personnes : catégorie 6 (plafond + 1 personne)",
        [demandeur(), conjoint(), *[enfant() for _ in range(5)]],
        0,
        6,
    ),
    ("personne seule enceinte : l'enfant à naître est à charge", [demandeur()], 1, 3),
    (
        "jeune ménage attendant un enfant : trois personnes",
        [demandeur(date(2001, 1, 1)), conjoint(date(2001, 1, 1))],
        1,
        3,
    ),
    ("personne seule + enfant non à charge", [demandeur(), enfant(naissance=date(2000, 1, 1), a_charge=False)], 0, 2),
]


@pytest.mark.parametrize(
    ("personnes", "a_naitre", "attendue"), [c[1:] for c in CATEGORIES], ids=[c[0] for c in CATEGORIES]
)
def test_categorie_menage(personnes, a_naitre, attendue):
    assert calculs.categorie_menage(personnes, LE, a_naitre) == attendue


@pytest.mark.parametrize(
    ("personnes", "attendu"),
    [
        ([demandeur(), conjoint(), *[enfant() for _ in range(4)]], 6),
        ([demandeur(), conjoint(), *[enfant() for _ in range(5)]], 7),
        ([demandeur(), *[enfant() for _ in range(6)]], 8),
        ([demandeur(), conjoint(handicap=True), *[enfant() for _ in range(4)]], 7),
    ],
    ids=["6 personnes", "7 personnes", "seul + 6 à charge", "6 personnes dont une handicapée"],
)
def test_rang_plafond_compte_les_personnes_au_dela_de_6(personnes, attendu):
    assert calculs.rang_plafond(personnes, LE) == attendu


# ---------------------------------------------------------------- nature, personnes à charge, nombre de personnes

NATURES = [
    ("personne seule", [demandeur()], 0, choix.NatureDemande.PERSONNE_SEULE),
    ("couple", [demandeur(), conjoint()], 0, choix.NatureDemande.COUPLE),
    ("couple + enfant = famille", [demandeur(), conjoint(), enfant()], 0, choix.NatureDemande.FAMILLE),
    ("couple attendant un enfant = famille", [demandeur(), conjoint()], 1, choix.NatureDemande.FAMILLE),
    ("parent isolé (seed 000)", [demandeur(), enfant()], 0, choix.NatureDemande.SEULE_AUTRES),
    ("personne seule enceinte", [demandeur()], 1, choix.NatureDemande.SEULE_AUTRES),
    ("demandeur + frère", [demandeur(), adulte()], 0, choix.NatureDemande.SEULE_AUTRES),
]


@pytest.mark.parametrize(("personnes", "a_naitre", "attendue"), [n[1:] for n in NATURES], ids=[n[0] for n in NATURES])
def test_nature(personnes, a_naitre, attendue):
    assert calculs.nature(personnes, a_naitre) == attendue


def test_personnes_a_charge_hors_titulaires_et_avec_enfants_a_naitre():
    personnes = [demandeur(), conjoint(a_charge=True), enfant(), enfant(a_charge=False), adulte(a_charge=True)]
    assert calculs.personnes_a_charge(personnes) == 2
    assert calculs.personnes_a_charge(personnes, enfants_a_naitre=2) == 4
    assert calculs.nb_personnes(personnes, 2) == 7


# ---------------------------------------------------------------- unités de consommation

UCS = [
    ("personne seule", [demandeur()], 0, "1.00"),
    ("parent + enfant de 13 ans", [demandeur(), enfant(date(2012, 6, 1))], 0, "1.30"),
    ("parent + enfant qui a 14 ans ce jour", [demandeur(), enfant(date(2012, 1, 15))], 0, "1.50"),
    ("parent + enfant qui aura 14 ans demain", [demandeur(), enfant(date(2012, 1, 16))], 0, "1.30"),
    ("couple + deux enfants de moins de 14 ans", [demandeur(), conjoint(), enfant(), enfant()], 0, "2.10"),
    ("couple + adolescent + enfant", [demandeur(), conjoint(), enfant(date(2008, 1, 1)), enfant()], 0, "2.30"),
    ("personne seule enceinte : l'enfant à naître compte 0,3", [demandeur()], 1, "1.30"),
    ("occupant sans date de naissance : compté adulte", [demandeur(), adulte(naissance=None)], 0, "1.50"),
]


@pytest.mark.parametrize(("personnes", "a_naitre", "attendu"), [u[1:] for u in UCS], ids=[u[0] for u in UCS])
def test_unites_consommation(personnes, a_naitre, attendu):
    assert calculs.unites_consommation(personnes, LE, a_naitre) == D(attendu)


def test_le_demandeur_est_le_premier_adulte_meme_s_il_n_est_pas_en_tete():
    assert calculs.unites_consommation([enfant(date(2020, 1, 1)), demandeur()], LE) == D("1.30")


# ---------------------------------------------------------------- ressources, RFR, pourcentages


def test_rfr_total_somme_les_revenus_declares_et_none_sans_aucun():
    assert calculs.rfr_total([demandeur(), enfant()]) is None
    assert calculs.rfr_total([demandeur(revenu_fiscal=D("12534")), conjoint(revenu_fiscal=D("0"))]) == D("12534")
    assert calculs.rfr_total([demandeur(revenu_fiscal_n1=D("9000"))], "revenu_fiscal_n1") == D("9000")


@pytest.mark.parametrize(
    ("montant", "plafond", "attendu"),
    [
        # Seed 000 : RFR 2019 de 12 534 € ; plafond PLUS 2021 catégorie 3 autres régions 33 670 €.
        (D("12534"), D("33670"), D("37.23")),
        (D("23201"), D("23201"), D("100.00")),
        (D("1"), D("3"), D("33.33")),
        (D("2"), D("3"), D("66.67")),
        (None, D("23201"), None),
        (D("12534"), None, None),
    ],
)
def test_pourcentage_du_plafond(montant, plafond, attendu):
    assert calculs.pourcentage(montant, plafond) == attendu


def test_ressources_mensuelles():
    ressources = [
        Ressource(type="salaire", montant=D("1120.00")),
        Ressource(type="prime_activite", montant=D("124.80")),
    ]
    assert calculs.ressources_mensuelles(ressources) == D("1244.80")
    assert calculs.ressources_mensuelles([]) == D("0.00")


@pytest.mark.parametrize(
    ("mensuelles", "uc", "qf", "ruc"),
    [
        # Seed 000 : « Quotient familial : 937 — RUC annuel : 11244 » pour 1,5 UC.
        (D("1405.50"), D("1.5"), D("937"), D("11244")),
        # Total affiché sur la même fiche (1 494,80 €) : la fiche anonymisée ne le reproduit pas (docs/decisions.md).
        (D("1494.80"), D("1.5"), D("997"), D("11958")),
        (D("0.00"), D("1.00"), D("0"), D("0")),
        (D("1000.00"), D("2.10"), D("476"), D("5714")),
        (D("1000.00"), D("0"), None, None),
    ],
)
def test_quotient_familial_et_ruc(mensuelles, uc, qf, ruc):
    assert calculs.quotient_familial(mensuelles, uc) == qf
    assert calculs.ruc_annuel(mensuelles, uc) == ruc


# ---------------------------------------------------------------- ancienneté, 1er quartile


@pytest.mark.parametrize(
    ("depuis", "le", "mois"),
    [
        (date(2020, 5, 8), date(2021, 10, 18), 17),  # seed 000
        (date(2020, 5, 8), date(2020, 5, 8), 0),
        (date(2020, 5, 8), date(2020, 6, 7), 0),
        (date(2020, 5, 8), date(2020, 6, 8), 1),
        # Même arithmétique que l'échéance (services.date_expiration) : 31 janvier + 1 mois = 28 février.
        (date(2025, 1, 31), date(2025, 2, 27), 0),
        (date(2025, 1, 31), date(2025, 2, 28), 1),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2023, 1, 15), date(2026, 1, 15), 36),
        (date(2026, 2, 1), date(2026, 1, 15), 0),
        (None, date(2026, 1, 15), None),
    ],
)
def test_anciennete_mois(depuis, le, mois):
    assert calculs.anciennete_mois(depuis, le) == mois


@pytest.mark.parametrize(
    ("ruc", "seuil", "attendu"),
    [
        (D("9000"), D("10000"), True),
        (D("10000"), D("10000"), False),
        (D("11000"), D("10000"), False),
        (D("0"), D("10000"), True),
        (D("9000"), None, None),
        (None, D("10000"), None),
    ],
)
def test_premier_quartile_strictement_inferieur(ruc, seuil, attendu):
    assert calculs.est_premier_quartile(ruc, seuil) is attendu


# ---------------------------------------------------------------- synthèse (lectures réglementaires remplacées)

NANTES = Commune(code_insee="44109", nom="Nantes", departement_id="44", epci_id="244400404")
PARIS = Commune(code_insee="75056", nom="Paris", departement_id="75")


class Registre:
    """Lectures réglementaires factices qui notent leurs appels."""

    def __init__(self, plafonds=None, seuil=None):
        self.plafonds = plafonds or {}
        self.seuil_valeur = seuil
        self.appels = []

    def plafond(self, financement, categorie, annee, zone="autres"):
        self.appels.append((financement, categorie, annee, zone))
        return self.plafonds.get(annee)

    def seuil(self, epci, annee):
        self.appels.append(("seuil", epci, annee))
        return self.seuil_valeur


def dossier_seed():
    """La fiche du seed 000 : Mme NOURY (04/09/1970) et son fils Louis (05/04/2004), à la date du 18/10/2021."""
    d = dossier(
        communes=[NANTES],
        nom="NOURY",
        prenom="Martine",
        naissance=date(1970, 9, 4),
        salaire=D("1120.00"),
        rfr=D("12534"),
        occupants=[("Louis", date(2004, 4, 5))],
        date_depot=date(2020, 5, 8),
    )
    d.personnes[0].ressources += [
        Ressource(type="pension_alimentaire_recue", montant=D("150.00")),
        Ressource(type="prime_activite", montant=D("124.80")),
    ]
    return d


def test_synthese_du_seed_000():
    # Plafonds PLUS autres régions catégorie 3 : 2021 = 33 670 €, 2020 = 33 516 € (openfisca-france).
    registre = Registre(plafonds={2021: D("33670"), 2020: D("33516")}, seuil=D("9000"))
    s = calculs.synthese(dossier_seed(), date(2021, 10, 18), plafond=registre.plafond, seuil=registre.seuil)
    assert (s.nature, s.nature_libelle) == (choix.NatureDemande.SEULE_AUTRES, "Personne seule + autre(s)")
    assert (s.categorie_menage, s.nb_personnes, s.personnes_a_charge, s.uc) == (3, 2, 1, D("1.50"))
    assert (s.rfr_annee, s.rfr_total, s.rfr_n1_total) == (2019, D("12534"), None)
    assert (s.plafond_plus_n, s.pct_plafond_n) == (D("33670"), D("37.23"))
    assert (s.plafond_plus_n1, s.pct_plafond_n1) == (D("33516"), D("37.40"))
    # Les lignes de la fiche font 1 120 + 150 + 124,80 = 1 394,80 € ; la fiche affiche un total de 1 494,80 €
    # (capture anonymisée, docs/decisions.md) : on retient la somme des lignes.
    assert s.ressources_mensuelles == D("1394.80")
    assert (s.quotient_familial, s.ruc_annuel) == (D("930"), D("11158"))
    assert s.anciennete_mois == 17
    assert (s.zone, s.epci_siren, s.seuil_premier_quartile, s.premier_quartile) == (
        "autres",
        "244400404",
        D("9000"),
        False,
    )
    assert ("PLUS", 3, 2021, "autres") in registre.appels
    assert ("PLUS", 3, 2020, "autres") in registre.appels
    assert ("seuil", "244400404", 2021) in registre.appels


def test_synthese_premier_choix_donne_zone_et_epci():
    registre = Registre()
    d = dossier(communes=[PARIS, NANTES], salaire=D("500.00"))
    s = calculs.synthese(d, LE, plafond=registre.plafond, seuil=registre.seuil)
    assert s.zone == "paris"
    # Pas d'EPCI pour la commune du premier choix : pas de seuil, pas de drapeau.
    assert (s.epci_siren, s.seuil_premier_quartile, s.premier_quartile) == (None, None, None)
    assert not [a for a in registre.appels if a[0] == "seuil"]
    assert (s.plafond_plus_n, s.pct_plafond_n) == (None, None)


def test_synthese_menage_de_sept_demande_le_plafond_6_plus_1():
    registre = Registre()
    enfants = [(f"Enfant {i}", date(2015 + i % 5, 1, 1)) for i in range(5)]
    d = dossier(communes=[NANTES], codemandeur=("MARTIN", "Paul", date(1984, 2, 1)), occupants=enfants)
    s = calculs.synthese(d, LE, plafond=registre.plafond, seuil=registre.seuil)
    assert s.categorie_menage == 6
    assert ("PLUS", 7, 2026, "autres") in registre.appels


def test_synthese_sans_rfr_ni_ressources():
    registre = Registre(plafonds={2026: D("23403")}, seuil=D("9000"))
    d = dossier(communes=[NANTES], rfr=None, salaire=None)
    s = calculs.synthese(d, LE, plafond=registre.plafond, seuil=registre.seuil)
    assert (s.rfr_total, s.pct_plafond_n) == (None, None)
    assert (s.ressources_mensuelles, s.ruc_annuel, s.premier_quartile) == (D("0.00"), D("0"), True)
    assert s.anciennete_mois is None  # brouillon sans date de dépôt


def test_valeurs_stockees_inchangees():
    d = dossier_seed()
    d.demande.statut_occupation = choix.StatutOccupation.LOCATAIRE_HLM
    valeurs = calculs.valeurs_stockees(d.demande, [s.personne for s in d.personnes], date(2021, 10, 18))
    assert valeurs == {"nature": "seule_autres", "categorie_menage": 3, "nb_personnes": 2, "mutation": True}


# ---------------------------------------------------------------- données versionnées (base)


@pytest.mark.parametrize(
    ("financement", "categorie", "annee", "zone", "attendu"),
    [
        ("PLUS", 1, 2025, "autres", D("23201")),  # domain.md §8
        ("PLUS", 2, 2025, "autres", D("30984")),  # domain.md §8
        ("PLUS", 7, 2024, "autres", D("58200") + D("6492")),  # domain.md §8 : 6 492 € par personne en plus
        ("PLUS", 1, 2026, "autres", D("23403")),
        ("PLUS", 6, 2024, "paris", D("81562")),
        ("PLUS", 3, 2024, "idf", D("46789")),
        ("PLUS", 8, 2024, "autres", D("58200") + 2 * D("6492")),
        ("PLS", 1, 2025, "paris", D("34693")),  # PLUS × 1,3, publié
        ("PLS", 1, 2025, "autres", D("30161")),  # 23 201 × 1,3 = 30 161,3
        ("PLAI", 1, 2025, "autres", D("12759")),
        ("PLUS", 1, 2019, "autres", None),  # année non chargée : pas d'extrapolation
        ("PLAI", 8, 2025, "autres", None),  # catégorie 6 PLAI autres non chargée
    ],
)
def test_plafond_lu_en_base(financement, categorie, annee, zone, attendu):
    assert reglementaire.plafond(financement, categorie, annee, zone) == attendu


def test_chaque_annee_plus_autres_regions_est_complete_et_croissante():
    for annee in (2024, 2025, 2026):
        montants = [reglementaire.plafond("PLUS", c, annee) for c in range(1, 7)]
        assert None not in montants, annee
        assert montants == sorted(montants), annee
    for c in range(1, 8):
        assert reglementaire.plafond("PLUS", c, 2024) < reglementaire.plafond("PLUS", c, 2025)
        assert reglementaire.plafond("PLUS", c, 2025) < reglementaire.plafond("PLUS", c, 2026)


def test_montant_par_personne_supplementaire_en_categorie_7():
    ligne = PlafondRessources.objects.get(financement="PLUS", zone="autres", annee=2024, categorie=7)
    assert ligne.montant == D("6492")


def test_plafond_categorie_invalide():
    with pytest.raises(ValueError, match="Catégorie"):
        reglementaire.plafond("PLUS", 0, 2025)


def test_plafond_ajoute_par_le_gestionnaire_lu_aussitot():
    assert reglementaire.plafond("PLUS", 1, 2027) is None  # absent, et mis en cache
    plafond = PlafondRessources.objects.create(
        financement="PLUS", zone="autres", categorie=1, annee=2027, montant=24000
    )
    # Toute écriture vide le cache du processus : la valeur est lue sans attendre.
    assert reglementaire.plafond("PLUS", 1, 2027) == D("24000")
    plafond.delete()
    assert reglementaire.plafond("PLUS", 1, 2027) is None


def test_parametre_reglementaire_date_lu_a_sa_date_d_effet():
    ParametreReglementaire.objects.create(code="validite_demande", date_effet=date(2031, 1, 1), valeur=24)
    assert services.parametre("validite_demande", date(2030, 12, 31)) == 12
    assert services.parametre("validite_demande", date(2031, 1, 1)) == 24


def test_seuil_premier_quartile_dernier_arrete_connu():
    epci = EpciFactory()
    SeuilPremierQuartile.objects.create(epci=epci, annee=2024, montant=9500)
    SeuilPremierQuartile.objects.create(epci=epci, annee=2025, montant=9800)
    assert reglementaire.seuil_premier_quartile(epci.siren, 2025) == D("9800")
    assert reglementaire.seuil_premier_quartile(epci.siren, 2026) == D("9800")
    assert reglementaire.seuil_premier_quartile(epci.siren, 2024) == D("9500")
    assert reglementaire.seuil_premier_quartile(epci.siren, 2023) is None
    assert reglementaire.seuil_premier_quartile(None, 2025) is None


@pytest.mark.parametrize(
    ("departement", "code_insee", "zone"),
    [("75", "75056", "paris"), ("92", "92012", "idf"), ("77", "77288", "idf"), ("44", "44109", "autres")],
)
def test_zone_de(departement, code_insee, zone):
    assert reglementaire.zone_de(Commune(code_insee=code_insee, departement_id=departement)) == zone


def test_zone_de_sans_commune():
    assert reglementaire.zone_de(None) == "autres"


def test_synthese_lit_plafonds_n_et_n_1_et_seuil_en_base():
    epci = EpciFactory()
    SeuilPremierQuartile.objects.create(epci=epci, annee=2025, montant=9000)
    commune = Commune(code_insee="44999", nom="Test", departement_id="44", epci_id=epci.siren)
    d = dossier(communes=[commune], rfr=D("18500"), salaire=D("700.00"), date_depot=date(2025, 3, 1))
    s = calculs.synthese(d, date(2026, 3, 1))
    assert (s.categorie_menage, s.rfr_annee) == (1, 2024)
    assert (s.plafond_plus_n, s.pct_plafond_n) == (D("23403"), D("79.05"))
    assert (s.plafond_plus_n1, s.pct_plafond_n1) == (D("23201"), D("79.74"))
    assert (s.ruc_annuel, s.seuil_premier_quartile, s.premier_quartile) == (D("8400"), D("9000"), True)
    assert s.anciennete_mois == 12
