"""Valeurs dérivées d'une demande (fiche de synthèse, seed 000).

Fonctions pures sur les objets du dossier (``Demande``, ``Personne``,
``Ressource``), sans accès à la base sauf pour les données réglementaires
versionnées (plafonds, seuils du 1er quartile), lues par ``demandes.reglementaire``.
"""

from datetime import date

from demandes import choix

ROLES_ADULTES_TITULAIRES = {choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR}


def age(date_naissance: date, le: date) -> int:
    return le.year - date_naissance.year - ((le.month, le.day) < (date_naissance.month, date_naissance.day))


def nb_personnes(personnes, enfants_a_naitre: int = 0) -> int:
    return len(list(personnes)) + (enfants_a_naitre or 0)


def nature(personnes, enfants_a_naitre: int = 0) -> str:
    """Personne seule, couple, famille (couple ou parent isolé avec enfants) ou personne seule + autre(s)."""
    personnes = list(personnes)
    roles = {p.role for p in personnes}
    enfants = [p for p in personnes if p.lien_parente in _LIENS_ENFANT] or ([1] if enfants_a_naitre else [])
    if choix.Role.CODEMANDEUR in roles:
        return choix.NatureDemande.FAMILLE if (len(personnes) > 2 or enfants) else choix.NatureDemande.COUPLE
    if len(personnes) == 1 and not enfants_a_naitre:
        return choix.NatureDemande.PERSONNE_SEULE
    return choix.NatureDemande.SEULE_AUTRES


_LIENS_ENFANT = {
    choix.LienParente.ENFANT,
    choix.LienParente.ENFANT_GARDE_ALTERNEE,
    choix.LienParente.ENFANT_DROIT_VISITE,
}


def personnes_a_charge(personnes) -> int:
    return sum(1 for p in personnes if p.role not in ROLES_ADULTES_TITULAIRES and p.a_charge)


def categorie_menage(personnes, le: date, enfants_a_naitre: int = 0) -> int:
    """Catégorie de ménage 1 à 6 (arrêté du 29 juillet 1987, domain.md §8).

    Un enfant à naître compte comme une personne à charge (pratique des
    plafonds HLM). « Jeune ménage » : couple sans personne à charge dont la
    somme des âges est au plus 55 ans.
    """
    personnes = list(personnes)
    n = len(personnes) + (enfants_a_naitre or 0)
    a_charge = personnes_a_charge(personnes) + (enfants_a_naitre or 0)
    handicap = any(p.handicap for p in personnes)
    titulaires = [p for p in personnes if p.role in ROLES_ADULTES_TITULAIRES]
    if n <= 1:
        return 2 if handicap else 1
    jeune_menage = (
        n == 2 and a_charge == 0 and len(titulaires) == 2 and sum(age(p.date_naissance, le) for p in titulaires) <= 55
    )
    if n == 2 and not handicap and not jeune_menage:
        # Deux personnes sans personne à charge, ou une personne avec une personne à charge (catégorie 3).
        return 3 if a_charge >= 1 and len(titulaires) == 1 else 2
    seul_avec_charges = len(titulaires) == 1 and a_charge >= 1
    par_personnes = min(n + (1 if handicap else 0), 6)
    par_charges = min(a_charge + 2, 6) if seul_avec_charges else 0
    base = 3 if jeune_menage else 0
    return max(par_personnes, par_charges, base)


def valeurs_stockees(demande, personnes, le: date) -> dict:
    """Valeurs dérivées écrites sur la demande pour les recherches et statistiques."""
    personnes = list(personnes)
    return {
        "nature": nature(personnes, demande.enfants_a_naitre),
        "categorie_menage": categorie_menage(personnes, le, demande.enfants_a_naitre),
        "nb_personnes": nb_personnes(personnes, demande.enfants_a_naitre),
        "mutation": demande.statut_occupation == choix.StatutOccupation.LOCATAIRE_HLM,
    }
