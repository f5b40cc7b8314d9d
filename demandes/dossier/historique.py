"""Lecture « à plat » d'un dossier pour l'historique des modifications.

``aplatir`` transforme un dossier en ``{clé: (rubrique, libellé, valeur lisible)}`` ;
``differences`` compare deux lectures et rend la liste des champs changés avec
l'ancienne et la nouvelle valeur, telle qu'elle s'affiche dans l'onglet
Historique (seed 000).
"""

from datetime import date
from decimal import Decimal

from demandes.dossier import choix
from demandes.dossier.models import Demande, Personne
from fdls.socle.typographie import nombre

RUBRIQUES_DEMANDE = {
    "Coordonnées": [
        "adresse_numero",
        "adresse_voie",
        "adresse_complement",
        "code_postal",
        "ville",
        "telephone",
        "telephone_portable",
        "email",
        "enfants_a_naitre",
        "renouvellement_electronique",
        "courrier_souhaite",
    ],
    "Situation actuelle": [
        "statut_occupation",
        "occupation_depuis",
        "categorie_actuelle",
        "pieces_actuelles",
        "surface_actuelle",
        "loyer_actuel",
        "aides_logement",
        "nb_occupants_actuels",
        "proprietaire_autre_logement",
        "bailleur_actuel",
    ],
    "Logement recherché": [
        "motifs",
        "motif_precision",
        "typologies",
        "categorie_recherchee",
        "parking",
        "rez_de_chaussee",
        "sans_ascenseur_accepte",
        "adapte_handicap",
        "loyer_max",
        "complement",
    ],
}

CHAMPS_PERSONNE = [
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
    "activite_jusqua",
    "csp",
    "employeur",
    "employeur_siret",
    "employeur_adresse",
    "travail_code_postal",
    "travail_ville",
    "revenu_fiscal",
    "revenu_fiscal_n1",
]


def lisible(champ, valeur) -> str:
    if valeur is None or valeur == "" or valeur == []:
        return "—"
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    if isinstance(valeur, Decimal):
        return nombre(valeur, 2)
    if champ is not None and champ.choices:
        choix_ = dict(champ.choices)
        if isinstance(valeur, list):
            return ", ".join(str(choix_.get(v, v)) for v in valeur)
        return str(choix_.get(valeur, valeur))
    if isinstance(valeur, list):
        base = getattr(champ, "base_field", None)
        if base is not None and base.choices:
            choix_ = dict(base.choices)
            return ", ".join(str(choix_.get(v, v)) for v in valeur)
        return ", ".join(map(str, valeur))
    return str(valeur)


def aplatir(dossier) -> dict[str, tuple[str, str, str]]:
    d = dossier.demande
    lu: dict[str, tuple[str, str, str]] = {}
    for rubrique, champs in RUBRIQUES_DEMANDE.items():
        for nom in champs:
            champ = Demande._meta.get_field(nom)
            valeur = getattr(d, champ.attname)
            if champ.is_relation:
                valeur = str(getattr(d, nom)) if valeur else None
            lu[f"demande.{nom}"] = (rubrique, str(champ.verbose_name).capitalize(), lisible(champ, valeur))
    compteurs: dict[str, int] = {}
    for saisie in dossier.personnes:
        p = saisie.personne
        compteurs[p.role] = compteurs.get(p.role, 0) + 1
        role = choix.Role(p.role).label
        rubrique = role if p.role in ("demandeur", "codemandeur") else f"{role} {compteurs[p.role]}"
        for nom in CHAMPS_PERSONNE:
            champ = Personne._meta.get_field(nom)
            lu[f"{rubrique}.{nom}"] = (rubrique, str(champ.verbose_name).capitalize(), lisible(champ, getattr(p, nom)))
        for r in saisie.ressources:
            libelle = choix.TypeRessource(r.type).label
            lu[f"{rubrique}.ressource.{r.type}"] = (rubrique, f"Ressource : {libelle}", lisible(None, r.montant))
    for loc in dossier.localisations:
        lieu = loc.commune.nom + (f" / {loc.quartier.nom}" if loc.quartier_id else "")
        lu[f"localisation.{lieu}"] = ("Localisation souhaitée", lieu, "Souhaitée")
    rangs = [loc.commune.nom + (f" / {loc.quartier.nom}" if loc.quartier_id else "") for loc in dossier.localisations]
    lu["localisation.ordre"] = ("Localisation souhaitée", "Ordre des choix", " > ".join(rangs) or "—")
    return lu


def differences(avant: dict, apres: dict) -> list[dict]:
    changements = []
    for cle in list(avant) + [c for c in apres if c not in avant]:
        ancien = avant.get(cle)
        nouveau = apres.get(cle)
        valeur_avant = ancien[2] if ancien else "—"
        valeur_apres = nouveau[2] if nouveau else "—"
        if valeur_avant == valeur_apres:
            continue
        rubrique, libelle = (nouveau or ancien)[:2]
        changements.append({"rubrique": rubrique, "champ": libelle, "ancien": valeur_avant, "nouveau": valeur_apres})
    return changements
