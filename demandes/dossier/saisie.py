"""Le dossier saisi : sa forme en mémoire, ses règles et l'écriture du ménage.

``Dossier`` réunit une demande, son ménage (``PersonneSaisie`` : une personne
et ses ressources) et ses localisations souhaitées, tels que saisis (écran,
API, dépôt en ligne) ou relus (``charger_dossier``). ``valider_dossier``
applique les règles du dossier, les mêmes pour tous les canaux ;
``ecrire_menage`` et ``mettre_a_jour_cles`` écrivent le ménage d'une demande
déjà en base. Les actions du cycle de vie qui s'en servent (enregistrer,
modifier, déposer en ligne…) sont dans ``demandes/cycle/services.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from demandes.dossier import calculs, choix
from demandes.dossier.models import CleIdentite, Demande, LocalisationSouhaitee, Personne, Ressource
from demandes.dossier.normalisation import cle_phonetique, nom_naissance_cle, normaliser_nom, sexe_cle
from demandes.dossier.reglementaire import valeur_parametre
from fdls.socle.dates import ajouter_mois, controler_date
from fdls.territoires.services import communes_par_code

# ---------------------------------------------------------------- paramètres réglementaires


def parametre(code: str, le: date | None = None) -> int:
    """Valeur du paramètre réglementaire ``code`` en vigueur le jour ``le`` ; ``ValidationError`` s'il manque."""
    le = le or timezone.localdate()
    valeur = valeur_parametre(code, le)
    if valeur is None:
        raise ValidationError(f"Paramètre réglementaire « {code} » absent au {le:%d/%m/%Y}.")
    return valeur


def date_expiration(depuis: date) -> date:
    """Échéance d'une demande déposée ou renouvelée le jour ``depuis`` (durée de validité en vigueur)."""
    return ajouter_mois(depuis, parametre("validite_demande", depuis))


def renouvelable_a_partir_du(demande: Demande) -> date | None:
    """Premier jour du renouvellement, celui qu'annonce l'attestation d'enregistrement : l'échéance moins
    le préavis (``preavis_renouvellement`` en vigueur au début de la validité, CCH R441-2-7)."""
    if not demande.date_expiration:
        return None
    depart = demande.date_renouvellement or demande.date_depot or demande.date_expiration
    return ajouter_mois(demande.date_expiration, -parametre("preavis_renouvellement", depart))


# ---------------------------------------------------------------- dossier


@dataclass
class PersonneSaisie:
    personne: Personne
    ressources: list[Ressource] = field(default_factory=list)


@dataclass
class Dossier:
    """Une demande et son ménage tels que saisis (objets non encore écrits ou déjà en base)."""

    demande: Demande
    personnes: list[PersonneSaisie] = field(default_factory=list)
    localisations: list[LocalisationSouhaitee] = field(default_factory=list)
    # Labels actifs (code → libellé) quand le service les connaît sans relire : ceux que
    # ``labels.recalculer_labels_automatiques`` vient de poser sur une demande neuve.
    labels: dict[str, str] | None = None

    @property
    def demandeur(self) -> Personne | None:
        return next((s.personne for s in self.personnes if s.personne.role == choix.Role.DEMANDEUR), None)


def charger_dossier(demande: Demande) -> Dossier:
    """Le dossier d'une demande en base : ménage (personnes dans l'ordre, ressources) et localisations."""
    personnes = list(demande.personnes.prefetch_related("ressources").order_by("rang", "id"))
    return Dossier(
        demande=demande,
        personnes=[PersonneSaisie(p, list(p.ressources.all())) for p in personnes],
        localisations=list(demande.localisations.select_related("commune", "quartier").order_by("rang")),
    )


def _erreurs_modele(obj, prefixe: str, exclude: list[str]) -> dict[str, list[str]]:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {f"{prefixe}{champ}": [str(m) for m in messages] for champ, messages in exc.message_dict.items()}
    return {}


def _charger_communes(localisations) -> None:
    """Communes des localisations saisies par identifiant, lues en une requête (pas une par choix)."""
    manquantes = {
        loc.commune_id for loc in localisations if loc.commune_id and not LocalisationSouhaitee.commune.is_cached(loc)
    }
    if manquantes:
        trouvees = communes_par_code(manquantes)
        for loc in localisations:
            if loc.commune_id in trouvees and not LocalisationSouhaitee.commune.is_cached(loc):
                loc.commune = trouvees[loc.commune_id]


def valider_dossier(dossier: Dossier, *, complet: bool = True) -> None:
    """Règles du dossier ; ``complet=False`` pour un brouillon (identité seule exigée).

    Lève ``ValidationError`` avec un dictionnaire ``chemin → messages`` :
    ``nom``, ``personnes[1].date_naissance``, ``localisations``…
    """
    d = dossier.demande
    erreurs: dict[str, list[str]] = {}
    # Les clés étrangères posées par les services (guichet, organisme, auteur, compte) ne sont pas
    # revérifiées en base : full_clean ferait une requête d'existence pour chacune.
    erreurs.update(
        _erreurs_modele(
            d,
            "",
            exclude=[
                "guichet",
                "departement",
                "organisme_saisie",
                "cree_par",
                "compte_demandeur",
                "nom",
                "prenom",
                "date_naissance",
            ],
        )
    )
    demandeurs = [s for s in dossier.personnes if s.personne.role == choix.Role.DEMANDEUR]
    codemandeurs = [s for s in dossier.personnes if s.personne.role == choix.Role.CODEMANDEUR]
    if len(demandeurs) != 1:
        erreurs.setdefault("personnes", []).append("Le ménage compte exactement un demandeur.")
    if len(codemandeurs) > 1:
        erreurs.setdefault("personnes", []).append("Un seul co-demandeur est possible (les autres sont occupants).")
    aujourd_hui = timezone.localdate()
    for i, saisie in enumerate(dossier.personnes):
        p = saisie.personne
        prefixe = f"personnes[{i}]."
        if not p.date_naissance:
            erreurs.setdefault(f"{prefixe}date_naissance", []).append(
                f"La date de naissance de {p.prenom or 'cette personne'} {p.nom} est obligatoire.".replace("  ", " ")
            )
        erreurs.update(_erreurs_modele(p, prefixe, exclude=["demande"]))
        if p.role == choix.Role.DEMANDEUR and p.date_naissance and calculs.age(p.date_naissance, aujourd_hui) < 16:
            erreurs.setdefault(f"{prefixe}date_naissance", []).append(
                "Le demandeur doit avoir au moins 16 ans (mineur émancipé)."
            )
        if p.role == choix.Role.OCCUPANT and not p.lien_parente and complet:
            erreurs.setdefault(f"{prefixe}lien_parente", []).append("Indiquez le lien avec le demandeur.")
        if p.activite_jusqua:
            # Fin d'un CDD, d'un intérim ou d'un stage : à venir, mais pas dans un futur impossible.
            try:
                controler_date(p.activite_jusqua, libelle="La date de fin d'activité", futur_max_jours=10 * 366)
            except ValidationError as erreur:
                erreurs.setdefault(f"{prefixe}activite_jusqua", []).extend(erreur.messages)
        if p.activite_depuis and p.activite_jusqua and p.activite_jusqua < p.activite_depuis:
            erreurs.setdefault(f"{prefixe}activite_jusqua", []).append(
                "La fin d'activité précède son début : vérifiez les dates."
            )
        types = [r.type for r in saisie.ressources]
        if len(types) != len(set(types)):
            erreurs.setdefault(f"{prefixe}ressources", []).append("Chaque type de ressource n'apparaît qu'une fois.")
        for j, ressource in enumerate(saisie.ressources):
            erreurs.update(_erreurs_modele(ressource, f"{prefixe}ressources[{j}].", exclude=["personne"]))
    departement = d.departement_id or (d.guichet.commune.departement_id if d.guichet_id else None)
    _charger_communes(dossier.localisations)
    communes = [loc.commune_id for loc in dossier.localisations]
    if len(communes) != len(set(communes)):
        erreurs.setdefault("localisations", []).append("Une même commune ne peut être choisie deux fois.")
    for i, loc in enumerate(dossier.localisations):
        if not loc.commune_id:
            erreurs.setdefault(f"localisations[{i}].commune", []).append("Commune inconnue.")
            continue
        if departement and loc.commune.departement_id != departement:
            erreurs.setdefault(f"localisations[{i}].commune", []).append(
                f"{loc.commune.nom} n'est pas dans le département {departement} : une demande vaut pour un "
                "seul département (déposez une demande dans l'autre département)."
            )
        if loc.quartier_id and loc.quartier.commune_id != loc.commune_id:
            erreurs.setdefault(f"localisations[{i}].quartier", []).append(
                f"Le quartier {loc.quartier.nom} n'est pas à {loc.commune.nom}."
            )
        if loc.date_anciennete and loc.date_anciennete > aujourd_hui:
            erreurs.setdefault(f"localisations[{i}].date_anciennete", []).append(
                "La date d'ancienneté ne peut être dans le futur."
            )
    if complet:
        if not dossier.localisations:
            erreurs.setdefault("localisations", []).append("Indiquez au moins une commune souhaitée.")
        if not d.typologies:
            erreurs.setdefault("typologies", []).append("Indiquez au moins une typologie recherchée.")
        if not d.motifs:
            erreurs.setdefault("motifs", []).append("Indiquez au moins un motif de la demande.")
        if not d.statut_occupation:
            erreurs.setdefault("statut_occupation", []).append("Indiquez la situation de logement actuelle.")
        if demandeurs and not demandeurs[0].personne.nationalite:
            erreurs.setdefault("personnes[0].nationalite", []).append("La nationalité du demandeur est obligatoire.")
    if erreurs:
        raise ValidationError(erreurs)


def copier_identite(dossier: Dossier) -> None:
    """Identité du demandeur et valeurs dérivées (``calculs.valeurs_stockees``) copiées sur la demande."""
    demandeur = dossier.demandeur
    d = dossier.demande
    d.nom, d.prenom, d.date_naissance = demandeur.nom.strip(), demandeur.prenom.strip(), demandeur.date_naissance
    personnes = [s.personne for s in dossier.personnes]
    for champ, valeur in calculs.valeurs_stockees(d, personnes, timezone.localdate()).items():
        setattr(d, champ, valeur)


def ecrire_menage(dossier: Dossier, *, date_anciennete_nouvelles: date) -> None:
    """Réécrit le ménage et les localisations d'une demande déjà en base (rôles, rangs, ressources, clés)."""
    d = dossier.demande
    gardees = [s.personne.pk for s in dossier.personnes if s.personne.pk]
    Personne.objects.filter(demande=d).exclude(pk__in=gardees).delete()
    # Rôles neutralisés d'abord : échanger demandeur et co-demandeur ne heurte pas l'unicité des rôles.
    Personne.objects.filter(pk__in=gardees).update(role=choix.Role.OCCUPANT)
    for rang, saisie in enumerate(dossier.personnes):
        p = saisie.personne
        p.demande = d
        p.rang = rang
        p.save()
        Ressource.objects.filter(personne=p).delete()
        for r in saisie.ressources:
            r.pk = None
            r.personne = p
        Ressource.objects.bulk_create([r for r in saisie.ressources if r.montant is not None])
    gardees = [loc.pk for loc in dossier.localisations if loc.pk]
    LocalisationSouhaitee.objects.filter(demande=d).exclude(pk__in=gardees).delete()
    # Les rangs sont réécrits en deux temps pour ne jamais heurter la contrainte (demande, rang).
    LocalisationSouhaitee.objects.filter(demande=d).update(rang=F("rang") + 1000)
    for rang, loc in enumerate(dossier.localisations, start=1):
        loc.demande = d
        loc.rang = rang
        if not loc.date_anciennete:
            loc.date_anciennete = date_anciennete_nouvelles
        loc.save()
    mettre_a_jour_cles(d, [s.personne for s in dossier.personnes])


def mettre_a_jour_cles(demande: Demande, personnes) -> None:
    """Réécrit les clés d'identité (doublons, recherche par nom) de la demande depuis ses personnes."""
    CleIdentite.objects.filter(demande=demande).delete()
    CleIdentite.objects.bulk_create(cles_identite(demande, personnes))


def cles_identite(demande: Demande, personnes) -> list[CleIdentite]:
    """Clés d'identité (non écrites) du demandeur et du co-demandeur nés à une date connue."""
    return [
        CleIdentite(
            demande=demande,
            role=p.role,
            nom=normaliser_nom(p.nom),
            prenom=normaliser_nom(p.prenom),
            nom_phonetique=cle_phonetique(p.nom),
            prenom_phonetique=cle_phonetique(p.prenom),
            date_naissance=p.date_naissance,
            nom_naissance=nom_naissance_cle(p.nom, p.nom_naissance),
            sexe=sexe_cle(p.sexe, p.civilite),
        )
        for p in personnes
        if p.role in calculs.ROLES_ADULTES_TITULAIRES and p.date_naissance
    ]


def poser_guichet(dossier: Dossier, guichet) -> None:
    """Guichet d'enregistrement, département du fichier et organisme de saisie (s'il est donné)."""
    d = dossier.demande
    if guichet is not None:
        d.guichet = guichet
        d.departement_id = guichet.commune.departement_id
        d.organisme_saisie_id = guichet.organisme_id
