"""Valeurs dérivées d'une demande (fiche de synthèse, seed 000 ; domain.md §1).

Fonctions pures sur les objets du dossier (``Personne``, ``Ressource``,
``LocalisationSouhaitee``, enregistrés ou non) : aucune requête. Seule
``synthese`` lit les données réglementaires versionnées (plafonds de
ressources, seuils du 1er quartile), et seulement par les fonctions de
``demandes.dossier.reglementaire`` qu'elle reçoit (remplaçables dans les tests).

Définitions retenues (docs/decisions.md, 2026-11-23) :

- UC : échelle OCDE modifiée utilisée par l'INSEE et pour le 1er quartile
  (CCH L441-1) : 1 pour le demandeur, 0,5 par autre personne de 14 ans ou
  plus, 0,3 par enfant de moins de 14 ans ; un enfant à naître compte 0,3.
- Ressources mensuelles : somme des ressources déclarées de tout le ménage.
- Quotient familial : ressources mensuelles / UC, à l'euro ; RUC annuel :
  ressources mensuelles × 12 / UC, à l'euro (la fiche du seed 000 montre
  « Quotient familial : 937 — RUC annuel : 11244 » = 937 × 12).
- RFR : revenu fiscal de référence N-2 de chaque personne qui en a un ;
  le total N-1 le remplace s'il est inférieur d'au moins 10 % (``revenu_retenu``) ;
  pourcentage du plafond PLUS de l'année N et N-1, arrondi sans jamais changer
  de côté du plafond.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from demandes.dossier import choix, reglementaire
from fdls.socle.dates import mois_entre

ROLES_ADULTES_TITULAIRES = {choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR}

_LIENS_ENFANT = {
    choix.LienParente.ENFANT,
    choix.LienParente.ENFANT_GARDE_ALTERNEE,
    choix.LienParente.ENFANT_DROIT_VISITE,
}

# Échelle d'équivalence OCDE modifiée (INSEE) ; versionnée si un texte la change un jour.
UC_PREMIER_ADULTE = Decimal("1")
UC_PERSONNE_14_ANS_ET_PLUS = Decimal("0.5")
UC_ENFANT_MOINS_14_ANS = Decimal("0.3")
AGE_UC_ADULTE = 14
# Jeune ménage : somme des âges révolus au plus 55 ans (arrêté du 29 juillet 1987, art. 1er).
SOMME_AGES_JEUNE_MENAGE = 55

CENTIME = Decimal("0.01")
EURO = Decimal("1")


def _arrondir(valeur: Decimal, pas: Decimal) -> Decimal:
    return valeur.quantize(pas, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- composition du ménage


def age(date_naissance: date, le: date) -> int:
    return le.year - date_naissance.year - ((le.month, le.day) < (date_naissance.month, date_naissance.day))


def nb_personnes(personnes, enfants_a_naitre: int = 0) -> int:
    return len(list(personnes)) + (enfants_a_naitre or 0)


def nature(personnes, enfants_a_naitre: int = 0) -> str:
    """Nature de la demande (fiche de synthèse).

    Couple : demandeur et co-demandeur seuls ; famille : un co-demandeur et au
    moins une autre personne ou un enfant attendu ; personne seule : le
    demandeur seul ; sinon « personne seule + autre(s) » — y compris un parent
    isolé avec ses enfants, comme sur la fiche du seed 000 (mère + fils de 17 ans).
    """
    personnes = list(personnes)
    roles = {p.role for p in personnes}
    enfants = [p for p in personnes if p.lien_parente in _LIENS_ENFANT] or ([1] if enfants_a_naitre else [])
    if choix.Role.CODEMANDEUR in roles:
        return choix.NatureDemande.FAMILLE if (len(personnes) > 2 or enfants) else choix.NatureDemande.COUPLE
    if len(personnes) == 1 and not enfants_a_naitre:
        return choix.NatureDemande.PERSONNE_SEULE
    return choix.NatureDemande.SEULE_AUTRES


def _conjoint_de(p) -> bool:
    """Le conjoint du demandeur : lien « conjoint » (co-demandeur ou occupant), ou co-demandeur sans lien.

    Le Cerfa 14069 fait du co-demandeur le conjoint (concubin, partenaire) du
    demandeur : un co-demandeur sans lien déclaré est son conjoint ; un frère,
    un parent ou un ami co-demandeur ne l'est pas (docs/decisions.md, session 8).
    """
    if p.role == choix.Role.DEMANDEUR:
        return False
    return p.lien_parente == choix.LienParente.CONJOINT or (p.role == choix.Role.CODEMANDEUR and not p.lien_parente)


def personnes_a_charge(personnes, enfants_a_naitre: int = 0) -> int:
    """Personnes cochées « à charge » hors demandeur, co-demandeur et conjoint, plus les enfants à naître."""
    return sum(
        1 for p in personnes if p.role not in ROLES_ADULTES_TITULAIRES and p.a_charge and not _conjoint_de(p)
    ) + (enfants_a_naitre or 0)


def _jeune_menage(personnes, n: int, a_charge: int, le: date) -> bool:
    """Jeune ménage : un couple (demandeur et son conjoint) sans personne à charge, âges cumulés ≤ 55 ans."""
    if n != 2 or a_charge:
        return False
    demandeur = next((p for p in personnes if p.role == choix.Role.DEMANDEUR), None)
    conjoints = [p for p in personnes if _conjoint_de(p)]
    if demandeur is None or len(conjoints) != 1:
        return False
    couple = (demandeur, conjoints[0])
    if any(p.date_naissance is None for p in couple):
        return False
    return sum(age(p.date_naissance, le) for p in couple) <= SOMME_AGES_JEUNE_MENAGE


def rang_plafond(personnes, le: date, enfants_a_naitre: int = 0) -> int:
    """Catégorie de ménage sans plafonnement à 6 : 6 + k = catégorie 6 plus k personnes supplémentaires.

    Arrêté du 29 juillet 1987 (domain.md §8) : une personne handicapée dans le
    ménage le fait compter pour une personne de plus ; une personne seule (un
    seul titulaire, sans conjoint) avec k personnes à charge est en catégorie
    k + 2 ; un jeune ménage — un couple, le demandeur et son conjoint — sans
    personne à charge est en catégorie 3. Un enfant à naître compte comme une
    personne à charge ; un conjoint n'est jamais une personne à charge.
    """
    personnes = list(personnes)
    n = len(personnes) + (enfants_a_naitre or 0)
    a_charge = personnes_a_charge(personnes, enfants_a_naitre)
    handicap = any(p.handicap for p in personnes)
    titulaires = [p for p in personnes if p.role in ROLES_ADULTES_TITULAIRES]
    if n <= 1:
        return 2 if handicap else 1
    rang = n + (1 if handicap else 0)
    personne_seule = len(titulaires) == 1 and not any(_conjoint_de(p) for p in personnes)
    if personne_seule and a_charge >= 1:
        rang = max(rang, a_charge + 2)
    if _jeune_menage(personnes, n, a_charge, le):
        rang = max(rang, 3)
    return rang


def categorie_menage(personnes, le: date, enfants_a_naitre: int = 0) -> int:
    """Catégorie de ménage 1 à 6 (arrêté du 29 juillet 1987, domain.md §8)."""
    return min(rang_plafond(personnes, le, enfants_a_naitre), 6)


def unites_consommation(personnes, le: date, enfants_a_naitre: int = 0) -> Decimal:
    """Nombre d'UC du ménage (échelle OCDE modifiée), à 2 décimales.

    Le demandeur est le premier adulte ; une personne sans date de naissance
    compte comme une personne de 14 ans ou plus ; un enfant à naître compte
    comme un enfant de moins de 14 ans (0,3), comme il compte pour la catégorie.
    """
    personnes = list(personnes)
    if not personnes and not enfants_a_naitre:
        return Decimal("0.00")
    premier = next((p for p in personnes if p.role == choix.Role.DEMANDEUR), None)
    if premier is None:
        premier = next(
            (p for p in personnes if p.date_naissance is None or age(p.date_naissance, le) >= AGE_UC_ADULTE),
            personnes[0] if personnes else None,
        )
    total = Decimal("0")
    for p in personnes:
        if p is premier:
            total += UC_PREMIER_ADULTE
        elif p.date_naissance is None or age(p.date_naissance, le) >= AGE_UC_ADULTE:
            total += UC_PERSONNE_14_ANS_ET_PLUS
        else:
            total += UC_ENFANT_MOINS_14_ANS
    if premier is None:  # seulement des enfants à naître : cas théorique d'un brouillon
        total += UC_PREMIER_ADULTE
        enfants_a_naitre -= 1
    total += UC_ENFANT_MOINS_14_ANS * (enfants_a_naitre or 0)
    return _arrondir(total, CENTIME)


# ---------------------------------------------------------------- ressources


def rfr_total(personnes, champ: str = "revenu_fiscal") -> Decimal | None:
    """Somme des revenus fiscaux de référence déclarés ; ``None`` si personne n'en a déclaré."""
    montants = [getattr(p, champ) for p in personnes if getattr(p, champ) is not None]
    return sum(montants, Decimal("0")) if montants else None


# Baisse de revenus : le RFR N-1 remplace le N-2 s'il est inférieur d'au moins 10 % (domain.md §8).
BAISSE_REVENUS_N1 = Decimal("0.10")
PLUS_PETIT_DEPASSEMENT = Decimal("100.01")
PLUS_GRAND_EN_DESSOUS = Decimal("99.99")


def revenu_retenu(personnes) -> tuple[Decimal | None, bool]:
    """Revenu comparé aux plafonds et si c'est celui de l'année N-1 (arrêté du 29 juillet 1987).

    RFR N-2 de tout le ménage ; si au moins une personne a déclaré son RFR N-1
    et que le total N-1 (N-2 pour qui n'a pas déclaré de N-1) est inférieur
    d'au moins 10 % au total N-2, c'est le total N-1 qui est retenu.
    """
    personnes = list(personnes)
    n2 = rfr_total(personnes)
    if n2 is None or not any(p.revenu_fiscal_n1 is not None for p in personnes):
        return n2, False
    n1 = sum(
        (
            p.revenu_fiscal_n1 if p.revenu_fiscal_n1 is not None else p.revenu_fiscal
            for p in personnes
            if p.revenu_fiscal_n1 is not None or p.revenu_fiscal is not None
        ),
        Decimal("0"),
    )
    if n1 <= n2 * (1 - BAISSE_REVENUS_N1):
        return n1, True
    return n2, False


def pourcentage(montant: Decimal | None, plafond: Decimal | None) -> Decimal | None:
    """``montant`` en pourcentage de ``plafond`` à 2 décimales (« 37,24 % » sur la fiche).

    L'arrondi ne fait jamais passer un ménage d'un côté à l'autre du plafond : un
    euro au-dessus s'affiche au moins 100,01 %, un euro en dessous au plus 99,99 %.
    """
    if montant is None or not plafond:
        return None
    pct = _arrondir(Decimal(montant) * 100 / Decimal(plafond), CENTIME)
    if montant > plafond:
        return max(pct, PLUS_PETIT_DEPASSEMENT)
    if montant < plafond:
        return min(pct, PLUS_GRAND_EN_DESSOUS)
    return pct


def sous_plafond(montant: Decimal | None, plafond: Decimal | None) -> bool | None:
    """Ressources au plus égales au plafond ; ``None`` si l'un des deux manque."""
    if montant is None or plafond is None:
        return None
    return montant <= plafond


def ressources_mensuelles(ressources: Iterable) -> Decimal:
    """Total des ressources mensuelles déclarées du ménage (toutes personnes, tous types)."""
    return _arrondir(sum((r.montant for r in ressources if r.montant is not None), Decimal("0")), CENTIME)


def quotient_familial(mensuelles: Decimal, uc: Decimal) -> Decimal | None:
    """Ressources mensuelles par UC, à l'euro."""
    if not uc:
        return None
    return _arrondir(mensuelles / uc, EURO)


def ruc_annuel(mensuelles: Decimal, uc: Decimal) -> Decimal | None:
    """Ressources annuelles par UC (ressources mensuelles × 12 / UC), à l'euro.

    C'est la grandeur que comparent le seuil du 1er quartile (CCH L441-1) et
    le SNE : les ressources déclarées dans la demande, pas le RFR.
    """
    if not uc:
        return None
    return _arrondir(mensuelles * 12 / uc, EURO)


def anciennete_mois(depuis: date | None, le: date) -> int | None:
    """Mois entiers écoulés depuis ``depuis``.

    Même arithmétique que l'échéance de validité (``relativedelta``) : 31 janvier
    + 1 mois = 28 février, donc un mois d'ancienneté le 28 février.
    """
    if depuis is None:
        return None
    return mois_entre(depuis, le)


def est_premier_quartile(ruc: Decimal | None, seuil: Decimal | None) -> bool | None:
    """Ressources par UC strictement inférieures au seuil de l'EPCI (CCH L441-1 : « inférieur à »)."""
    if ruc is None or seuil is None:
        return None
    return ruc < seuil


# ---------------------------------------------------------------- synthèse


@dataclass(frozen=True)
class Synthese:
    """Valeurs dérivées affichées sur la fiche de synthèse d'une demande, calculées à la date ``le``."""

    le: date
    nature: str
    nature_libelle: str
    categorie_menage: int
    nb_personnes: int
    personnes_a_charge: int
    enfants_a_naitre: int
    uc: Decimal
    rfr_annee: int
    rfr_total: Decimal | None
    rfr_n1_total: Decimal | None
    rfr_retenu: Decimal | None
    rfr_retenu_annee: int
    zone: str
    plafond_plus_n: Decimal | None
    pct_plafond_n: Decimal | None
    plafond_plus_n1: Decimal | None
    pct_plafond_n1: Decimal | None
    sous_plafond_plus_n: bool | None
    sous_plafond_plus_n1: bool | None
    ressources_mensuelles: Decimal
    quotient_familial: Decimal | None
    ruc_annuel: Decimal | None
    anciennete_mois: int | None
    epci_siren: str | None
    seuil_premier_quartile: Decimal | None
    premier_quartile: bool | None

    @property
    def annee_n(self) -> int:
        return self.le.year

    @property
    def annee_n1(self) -> int:
        return self.le.year - 1

    @property
    def plafonds_plus(self) -> list[tuple[int, Decimal | None, Decimal | None, bool | None]]:
        """(année, plafond PLUS, pourcentage, sous le plafond) des années N et N-1, pour les écrans."""
        return [
            (self.annee_n, self.plafond_plus_n, self.pct_plafond_n, self.sous_plafond_plus_n),
            (self.annee_n1, self.plafond_plus_n1, self.pct_plafond_n1, self.sous_plafond_plus_n1),
        ]


def synthese(
    dossier,
    le: date | None = None,
    *,
    plafond: Callable[..., Decimal | None] | None = None,
    seuil: Callable[[str | None, int], Decimal | None] | None = None,
) -> Synthese:
    """Calcule la fiche de synthèse d'un ``services.Dossier`` à la date ``le`` (aujourd'hui par défaut).

    La zone des plafonds et l'EPCI du 1er quartile sont ceux de la commune du
    premier choix. ``plafond`` et ``seuil`` : les lectures de
    ``demandes.dossier.reglementaire`` par défaut.
    """
    if le is None:
        le = timezone.localdate()
    plafond = plafond or reglementaire.plafond
    seuil = seuil or reglementaire.seuil_premier_quartile

    demande = dossier.demande
    enfants_a_naitre = demande.enfants_a_naitre or 0
    personnes = [s.personne for s in dossier.personnes]
    ressources = [r for s in dossier.personnes for r in s.ressources]

    rang = rang_plafond(personnes, le, enfants_a_naitre)
    code_nature = nature(personnes, enfants_a_naitre)
    uc = unites_consommation(personnes, le, enfants_a_naitre)
    rfr = rfr_total(personnes)
    retenu, baisse_n1 = revenu_retenu(personnes)
    mensuelles = ressources_mensuelles(ressources)
    ruc = ruc_annuel(mensuelles, uc)

    # L'ordre de la liste est celui des choix (les services réécrivent ``rang`` dans cet ordre).
    premier_choix = dossier.localisations[0] if dossier.localisations else None
    commune = premier_choix.commune if premier_choix is not None and premier_choix.commune_id else None
    zone = reglementaire.zone_de(commune)
    epci_siren = commune.epci_id if commune is not None else None

    plafond_n = plafond(reglementaire.Financement.PLUS, rang, le.year, zone)
    plafond_n1 = plafond(reglementaire.Financement.PLUS, rang, le.year - 1, zone)
    seuil_quartile = seuil(epci_siren, le.year) if epci_siren else None

    return Synthese(
        le=le,
        nature=code_nature,
        nature_libelle=choix.NatureDemande(code_nature).label,
        categorie_menage=min(rang, 6),
        nb_personnes=nb_personnes(personnes, enfants_a_naitre),
        personnes_a_charge=personnes_a_charge(personnes, enfants_a_naitre),
        enfants_a_naitre=enfants_a_naitre,
        uc=uc,
        rfr_annee=le.year - 2,
        rfr_total=rfr,
        rfr_n1_total=rfr_total(personnes, "revenu_fiscal_n1"),
        rfr_retenu=retenu,
        rfr_retenu_annee=le.year - (1 if baisse_n1 else 2),
        zone=zone,
        plafond_plus_n=plafond_n,
        pct_plafond_n=pourcentage(retenu, plafond_n),
        plafond_plus_n1=plafond_n1,
        pct_plafond_n1=pourcentage(retenu, plafond_n1),
        sous_plafond_plus_n=sous_plafond(retenu, plafond_n),
        sous_plafond_plus_n1=sous_plafond(retenu, plafond_n1),
        ressources_mensuelles=mensuelles,
        quotient_familial=quotient_familial(mensuelles, uc),
        ruc_annuel=ruc,
        anciennete_mois=anciennete_mois(demande.date_depot, le),
        epci_siren=epci_siren,
        seuil_premier_quartile=seuil_quartile,
        premier_quartile=est_premier_quartile(ruc, seuil_quartile),
    )


def valeurs_stockees(demande, personnes, le: date) -> dict:
    """Valeurs dérivées écrites sur la demande pour les recherches et statistiques."""
    personnes = list(personnes)
    return {
        "nature": nature(personnes, demande.enfants_a_naitre),
        "categorie_menage": categorie_menage(personnes, le, demande.enfants_a_naitre),
        "nb_personnes": nb_personnes(personnes, demande.enfants_a_naitre),
        "mutation": demande.statut_occupation == choix.StatutOccupation.LOCATAIRE_HLM,
    }
