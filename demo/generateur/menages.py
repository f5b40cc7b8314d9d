"""Tirage des ménages : personnes, âges, activités et ressources, formes de ménage, fautes de frappe.

Valeurs des listes du Cerfa lues dans ``demandes.choix`` ; les attributs d'une
``PersonneTiree`` sont ceux que lit ``demandes.calculs``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from demandes.dossier import calculs
from demandes.dossier.choix import (
    Activite,
    Civilite,
    Csp,
    LienParente,
    Nationalite,
    Role,
    Sexe,
    SituationFamiliale,
    TypeRessource,
)
from demandes.dossier.normalisation import normaliser_nom
from demo.generateur.contexte import Contexte
from demo.generateur.listes import EMPLOYEURS, NOMS, PRENOMS_F, PRENOMS_M, PROFESSIONS
from demo.generateur.outils import Tirage, a_des_accents, entier, parmi, zipf

# Activités qui donnent un salaire (profession, employeur, ancienneté dans l'emploi).
ACTIVITES_SALARIEES = frozenset(
    {
        Activite.SALARIE_PRIVE,
        Activite.FONCTIONNAIRE,
        Activite.INDEPENDANT,
        Activite.APPRENTI,
        Activite.ASSISTANT_FAMILIAL,
    }
)
# Rôles qui portent des clés d'identité, un téléphone et un courriel.
ROLES_DEMANDEURS = frozenset({Role.DEMANDEUR, Role.CODEMANDEUR})


class PersonneTiree:
    """Personne du ménage en cours de fabrication (attributs lus par ``demandes.calculs``)."""

    __slots__ = (
        "role",
        "civilite",
        "sexe",
        "nom",
        "nom_naissance",
        "prenom",
        "date_naissance",
        "nationalite",
        "situation_familiale",
        "lien_parente",
        "a_charge",
        "handicap",
        "telephone",
        "email",
        "profession",
        "activite",
        "cdd_interim",
        "activite_depuis",
        "csp",
        "employeur",
        "employeur_siret",
        "travail_cp",
        "travail_ville",
        "revenu_fiscal",
        "ressources",
    )

    def __init__(self, role, sexe, nom, prenom, naissance, lien=""):
        self.role = role
        self.sexe = sexe
        self.civilite = Civilite.MADAME if sexe == Sexe.FEMININ else Civilite.MONSIEUR
        self.nom = nom
        self.nom_naissance = ""
        self.prenom = prenom
        self.date_naissance = naissance
        self.nationalite = ""
        self.situation_familiale = ""
        self.lien_parente = lien
        self.a_charge = False
        self.handicap = False
        self.telephone = ""
        self.email = ""
        self.profession = ""
        self.activite = ""
        self.cdd_interim = False
        self.activite_depuis = None
        self.csp = ""
        self.employeur = ""
        self.employeur_siret = ""
        self.travail_cp = ""
        self.travail_ville = ""
        self.revenu_fiscal = None
        self.ressources = []

    def copie(self) -> PersonneTiree:
        autre = PersonneTiree.__new__(PersonneTiree)
        for attr in PersonneTiree.__slots__:
            setattr(autre, attr, getattr(self, attr))
        autre.ressources = list(self.ressources)
        return autre


class Menage:
    __slots__ = ("personnes", "enfants_a_naitre", "statut_occupation", "forme")

    def __init__(self, personnes, forme, enfants_a_naitre=0):
        self.personnes = personnes
        self.forme = forme
        self.enfants_a_naitre = enfants_a_naitre
        self.statut_occupation = ""


# Formes de ménage (seed 000) ; la nature stockée sur la demande est recalculée par ``demandes.calculs``.
SEULE, MONOPARENTALE, COUPLE, FAMILLE, SEULE_AUTRES = "seule", "monoparentale", "couple", "famille", "seule_autres"


class TireurMenages:
    """Tire des ménages plausibles : formes, âges, activités, ressources, coordonnées."""

    def __init__(self, ctx: Contexte):
        self.ctx = ctx
        self.noms = Tirage(NOMS, zipf(len(NOMS), 8, 0.9))
        self.prenoms_f = Tirage(PRENOMS_F, zipf(len(PRENOMS_F), 6, 0.8))
        self.prenoms_m = Tirage(PRENOMS_M, zipf(len(PRENOMS_M), 6, 0.8))
        self.prenoms_accentues = {
            Sexe.FEMININ: [x for x in PRENOMS_F if a_des_accents(x)],
            Sexe.MASCULIN: [x for x in PRENOMS_M if a_des_accents(x)],
        }

    def prenom(self, a: random.Random, sexe: str) -> str:
        return (self.prenoms_f if sexe == Sexe.FEMININ else self.prenoms_m)(a)

    @staticmethod
    def _naissance(a: random.Random, age_min: int, age_max: int, le: date) -> date:
        jours = entier(a, age_min * 365 + 1, age_max * 365 + 300)
        return le - timedelta(days=jours)

    def _activite(self, a: random.Random, pers: PersonneTiree, le: date, age: int) -> None:
        if age >= 63 or (age >= 58 and a.random() < 0.5):
            activite = Activite.RETRAITE
        else:
            r = a.random()
            activite = (
                Activite.SALARIE_PRIVE
                if r < 0.44
                else Activite.DEMANDEUR_EMPLOI
                if r < 0.60
                else Activite.SANS_ACTIVITE
                if r < 0.74
                else Activite.FONCTIONNAIRE
                if r < 0.79
                else Activite.INVALIDITE
                if r < 0.85
                else Activite.ETUDIANT
                if (r < 0.89 and age < 30)
                else Activite.INDEPENDANT
                if r < 0.92
                else Activite.APPRENTI
                if (r < 0.94 and age < 27)
                else Activite.ASSISTANT_FAMILIAL
                if r < 0.95
                else Activite.SALARIE_PRIVE
            )
        pers.activite = activite
        ressources = []
        imposable = 0.0
        if activite in ACTIVITES_SALARIEES:
            profession, csp = PROFESSIONS[min(int(a.expovariate(0.18)), len(PROFESSIONS) - 1)]
            pers.profession, pers.csp = profession, csp
            if activite == Activite.ASSISTANT_FAMILIAL:
                pers.profession = "Assistant(e) maternel(le)"
            pers.cdd_interim = activite == Activite.SALARIE_PRIVE and a.random() < 0.35
            pers.activite_depuis = le - timedelta(days=entier(a, 30, 3650))
            temps_partiel = a.random() < 0.3
            salaire = a.gauss(1650, 380) * (0.6 if temps_partiel else 1.0)
            if activite == Activite.APPRENTI:
                salaire = a.uniform(600, 1100)
            salaire = max(450.0, salaire)
            ressources.append((TypeRessource.SALAIRE, salaire))
            imposable += salaire
            if salaire < 1500:
                ressources.append((TypeRessource.PRIME_ACTIVITE, a.uniform(60, 260)))
            if a.random() < 0.5:
                pers.employeur = EMPLOYEURS[int(a.random() * len(EMPLOYEURS))]
                pers.employeur_siret = f"{entier(a, 10**13, 10**14 - 1)}"
                cp_ville = self.ctx.communes[self.ctx.tirage_principal(a)]
                pers.travail_cp, pers.travail_ville = cp_ville[2], cp_ville[0]
        elif activite == Activite.DEMANDEUR_EMPLOI:
            pers.csp = Csp.SANS_ACTIVITE
            valeur = a.uniform(500, 1400)
            ressources.append((TypeRessource.CHOMAGE, valeur))
            imposable += valeur
        elif activite == Activite.RETRAITE:
            pers.csp = Csp.RETRAITE
            valeur = max(700.0, a.gauss(1150, 300))
            ressources.append((TypeRessource.RETRAITE, valeur))
            imposable += valeur
        elif activite == Activite.INVALIDITE:
            pers.csp = Csp.SANS_ACTIVITE
            if a.random() < 0.6:
                ressources.append((TypeRessource.AAH, a.uniform(900, 1016)))
                pers.handicap = True
            else:
                valeur = a.uniform(600, 1100)
                ressources.append((TypeRessource.INVALIDITE, valeur))
                imposable += valeur
        elif activite == Activite.ETUDIANT:
            pers.csp = Csp.SANS_ACTIVITE
            ressources.append((TypeRessource.BOURSE, a.uniform(100, 600)))
        else:
            pers.csp = Csp.SANS_ACTIVITE
            if a.random() < 0.7:
                ressources.append((TypeRessource.RSA, a.uniform(550, 640)))
        pers.ressources = ressources
        # RFR N-2 : revenus imposables d'il y a deux ans, abattement de 10 %, à ±25 %.
        pers.revenu_fiscal = round(max(0.0, imposable * 12 * 0.9 * a.uniform(0.75, 1.25)))

    def adulte(
        self, a: random.Random, role: str, le: date, *, sexe=None, nom=None, age=(18, 80), lien=""
    ) -> PersonneTiree:
        sexe = sexe or (Sexe.FEMININ if a.random() < 0.58 else Sexe.MASCULIN)
        naissance = self._naissance(a, age[0], age[1], le)
        pers = PersonneTiree(role, sexe, nom or self.noms(a), self.prenom(a, sexe), naissance, lien)
        r = a.random()
        pers.nationalite = Nationalite.FRANCAISE if r < 0.76 else Nationalite.UE if r < 0.81 else Nationalite.HORS_UE
        self._activite(a, pers, le, calculs.age(naissance, le))
        if a.random() < 0.03:
            pers.handicap = True
        return pers

    def enfant(
        self, a: random.Random, nom: str, parent: PersonneTiree, le: date, lien=LienParente.ENFANT
    ) -> PersonneTiree:
        age_parent = calculs.age(parent.date_naissance, le)
        age_max = max(0, min(24, age_parent - 18))
        age_enfant = entier(a, 0, age_max) if age_max > 0 else 0
        sexe = Sexe.FEMININ if a.random() < 0.49 else Sexe.MASCULIN
        naissance = le - timedelta(days=age_enfant * 365 + entier(a, 1, 360))
        enfant = PersonneTiree(Role.OCCUPANT, sexe, nom, self.prenom(a, sexe), naissance, lien)
        enfant.civilite = ""
        enfant.a_charge = age_enfant < 21
        if age_enfant >= 18 and a.random() < 0.5:
            self._activite(a, enfant, le, age_enfant)
        else:
            enfant.activite = Activite.ETUDIANT if age_enfant >= 16 else ""
        if a.random() < 0.02:
            enfant.handicap = True
        return enfant

    def menage(self, a: random.Random, le: date) -> Menage:
        """Un ménage : personne seule 43 %, parent isolé 24 %, couple 11 %, famille 18 %, seule + autre 4 %."""
        S = SituationFamiliale
        r = a.random()
        if r < 0.43:
            forme = SEULE
            d = self.adulte(a, Role.DEMANDEUR, le, age=(18, 85))
            d.situation_familiale = parmi(a, [S.CELIBATAIRE, S.CELIBATAIRE, S.DIVORCE, S.SEPARE, S.VEUF])
            personnes = [d]
        elif r < 0.67:
            forme = MONOPARENTALE
            sexe = Sexe.FEMININ if a.random() < 0.85 else Sexe.MASCULIN
            d = self.adulte(a, Role.DEMANDEUR, le, sexe=sexe, age=(20, 58))
            d.situation_familiale = parmi(a, [S.CELIBATAIRE, S.DIVORCE, S.SEPARE])
            nb = min(1 + int(a.expovariate(0.9)), 5)
            personnes = [d] + [self.enfant(a, d.nom, d, le) for _ in range(nb)]
            for enfant in personnes[1:]:
                if a.random() < 0.1:
                    enfant.lien_parente = LienParente.ENFANT_GARDE_ALTERNEE
            if a.random() < 0.35:
                d.ressources.append((TypeRessource.PENSION_ALIMENTAIRE_RECUE, a.uniform(80, 300)))
        elif r < 0.96:
            forme = COUPLE if r < 0.78 else FAMILLE
            d = self.adulte(a, Role.DEMANDEUR, le, age=(19, 80))
            conjoint_sexe = Sexe.MASCULIN if d.sexe == Sexe.FEMININ else Sexe.FEMININ
            c = self.adulte(a, Role.CODEMANDEUR, le, sexe=conjoint_sexe, age=(19, 80), lien=LienParente.CONJOINT)
            # Âges proches dans le couple.
            c.date_naissance = d.date_naissance + timedelta(days=entier(a, -2500, 2500))
            if calculs.age(c.date_naissance, le) < 18:
                c.date_naissance = le - timedelta(days=18 * 365 + entier(a, 1, 2000))
            sf = parmi(a, [S.MARIE, S.PACSE, S.CONCUBIN, S.CONCUBIN])
            d.situation_familiale = c.situation_familiale = sf
            if sf == S.MARIE and a.random() < 0.6:
                femme = d if d.sexe == Sexe.FEMININ else c
                mari = c if femme is d else d
                femme.nom_naissance = femme.nom
                femme.nom = mari.nom
            personnes = [d, c]
            if forme == FAMILLE:
                nb = min(1 + int(a.expovariate(0.7)), 6)
                plus_jeune = d if d.date_naissance > c.date_naissance else c
                personnes += [self.enfant(a, d.nom, plus_jeune, le) for _ in range(nb)]
        else:
            forme = SEULE_AUTRES
            d = self.adulte(a, Role.DEMANDEUR, le, age=(20, 75))
            d.situation_familiale = S.CELIBATAIRE
            lien = parmi(
                a, [LienParente.PARENT, LienParente.FRERE_SOEUR, LienParente.AUTRE_PARENT, LienParente.SANS_LIEN]
            )
            autre = self.adulte(a, Role.OCCUPANT, le, lien=lien, age=(18, 90))
            if lien in (LienParente.PARENT, LienParente.FRERE_SOEUR):
                autre.nom = d.nom
            personnes = [d, autre]
        enfants = personnes[2:] if forme == FAMILLE else personnes[1:] if forme == MONOPARENTALE else []
        if len(enfants) >= 2:
            d.ressources.append((TypeRessource.ALLOCATIONS_FAMILIALES, 140.0 * (len(enfants) - 1) + a.uniform(0, 40)))
        a_naitre = 1 if forme in (COUPLE, FAMILLE) and a.random() < 0.03 else 0
        for pers in personnes:
            if pers.role in ROLES_DEMANDEURS:
                pers.telephone = f"06 {entier(a, 10, 99)} {entier(a, 10, 99)} {entier(a, 10, 99)} {entier(a, 10, 99)}"
                if a.random() < 0.45:
                    local = normaliser_nom(f"{pers.prenom}.{pers.nom}").lower().replace(" ", ".")
                    pers.email = f"{local}{entier(a, 1, 99)}@exemple.fr"
        return Menage(personnes, forme, a_naitre)


def faute(a: random.Random, mot: str) -> str:
    """Une faute de frappe (substitution, omission, inversion ou doublement d'une lettre)."""
    if len(mot) < 3:
        return mot + mot[-1]
    for _ in range(10):
        i = entier(a, 1, len(mot) - 2)
        op = a.random()
        if op < 0.4:
            remplacement = parmi(a, "aeiourstnlmcdp")
            resultat = mot[:i] + (remplacement.upper() if mot[i].isupper() else remplacement) + mot[i + 1 :]
        elif op < 0.6:
            resultat = mot[:i] + mot[i + 1 :]
        elif op < 0.8:
            resultat = mot[: i - 1] + mot[i] + mot[i - 1] + mot[i + 1 :]
        else:
            resultat = mot[:i] + mot[i] + mot[i:]
        if normaliser_nom(resultat) != normaliser_nom(mot) and normaliser_nom(resultat):
            return resultat
    return mot + "e"
