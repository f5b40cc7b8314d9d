"""Cycle de vie d'une demande : la seule porte d'écriture du dossier.

Écrans, API, traitements planifiés et générateur passent par ces fonctions,
qui valident le dossier, attribuent numéro unique et référence, tiennent les
clés de doublons et les valeurs dérivées, et écrivent l'historique. Chaque
fonction est une transaction : rien n'est à moitié écrit.

La table des transitions est ``demandes.workflow.WORKFLOW_DEMANDE`` (noyau
des workflows du socle) ; docs/statuts.md la reproduit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from demandes import calculs, choix
from demandes.models import (
    CleIdentite,
    Demande,
    Evenement,
    LocalisationSouhaitee,
    Personne,
    Ressource,
)
from demandes.normalisation import cle_phonetique, normaliser_nom
from demandes.numerotation import attribuer_numero_unique
from demandes.reglementaire import valeur_parametre
from demandes.signaux import signaler
from demandes.workflow import WORKFLOW_DEMANDE, ecrire_evenement
from fdls.socle.dates import ajouter_mois
from fdls.socle.workflow import AUTOMATE, Auteur, Transition, TransitionInterdite
from fdls.territoires.services import communes_par_code

Etat = Demande.Etat
TypeEvenement = Evenement.Type


def _verrouiller(demande: Demande) -> Demande:
    """Relit la demande sous verrou de ligne : deux guichets ne la font pas changer d'état en même temps."""
    return Demande.objects.select_for_update().get(pk=demande.pk)


# ---------------------------------------------------------------- paramètres réglementaires


def parametre(code: str, le: date | None = None) -> int:
    le = le or timezone.localdate()
    valeur = valeur_parametre(code, le)
    if valeur is None:
        raise ValidationError(f"Paramètre réglementaire « {code} » absent au {le:%d/%m/%Y}.")
    return valeur


def date_expiration(depuis: date) -> date:
    return ajouter_mois(depuis, parametre("validite_demande", depuis))


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


def _copier_identite(dossier: Dossier) -> None:
    demandeur = dossier.demandeur
    d = dossier.demande
    d.nom, d.prenom, d.date_naissance = demandeur.nom.strip(), demandeur.prenom.strip(), demandeur.date_naissance
    personnes = [s.personne for s in dossier.personnes]
    for champ, valeur in calculs.valeurs_stockees(d, personnes, timezone.localdate()).items():
        setattr(d, champ, valeur)


_GABARITS: dict[tuple, tuple[list, str]] = {}


def _gabarit(modele, *exclues: str) -> tuple[list, str]:
    """Champs écrits d'un modèle (sans clé primaire ni colonnes ``exclues``, posées par la requête) et
    le gabarit d'une ligne ``(%s::type, …)`` pour ``VALUES`` ; calculés une fois par processus."""
    cle = (modele, exclues)
    if cle not in _GABARITS:
        champs = [f for f in modele._meta.concrete_fields if not f.primary_key and f.attname not in exclues]
        ligne = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in champs) + ")"
        _GABARITS[cle] = (champs, ligne)
    return _GABARITS[cle]


def _valeurs(objet, champs, parametres: list) -> None:
    """Valeurs d'une ligne préparées comme l'ORM le ferait (``pre_save`` : dates automatiques ;
    ``get_db_prep_save`` : JSON, tableaux, décimaux)."""
    for f in champs:
        parametres.append(f.get_db_prep_save(f.pre_save(objet, True), connection))


def _inserer_dossier_neuf(dossier: Dossier, *, date_anciennete_nouvelles: date) -> None:
    """Demande neuve et tout son ménage en une seule instruction (CTE d'insertions).

    L'enregistrement est borné par le processeur (8 guichets sur 2 cœurs) : une instruction au
    lieu de cinq (demande, personnes, ressources, localisations, clés d'identité), sans passer par
    le compilateur de requêtes de l'ORM pour chacune. Les valeurs sont préparées champ par champ
    comme l'ORM le fait ; les identifiants rendus sont posés sur les objets du dossier.
    """
    d = dossier.demande
    personnes = []
    for rang, saisie in enumerate(dossier.personnes):
        saisie.personne.rang = rang
        personnes.append(saisie.personne)
    for rang, loc in enumerate(dossier.localisations, start=1):
        loc.rang = rang
        loc.date_anciennete = loc.date_anciennete or date_anciennete_nouvelles
    cles = cles_identite(d, personnes)
    parametres: list = []
    champs_d, ligne_d = _gabarit(Demande)
    _valeurs(d, champs_d, parametres)
    morceaux = [
        f"WITH d AS (INSERT INTO demandes_demande ({', '.join(f.column for f in champs_d)}) "
        f"VALUES {ligne_d} RETURNING id)"
    ]

    def enfants(alias: str, modele, objets, retour: str) -> None:
        champs, ligne = _gabarit(modele, "demande_id")
        for o in objets:
            _valeurs(o, champs, parametres)
        colonnes = ", ".join(f.column for f in champs)
        morceaux.append(
            f"{alias} AS (INSERT INTO {modele._meta.db_table} (demande_id, {colonnes}) "
            f"SELECT d.id, v.* FROM d, (VALUES {', '.join([ligne] * len(objets))}) v RETURNING {retour})"
        )

    enfants("p", Personne, personnes, "id, rang")
    ressources = [
        (saisie.personne.rang, r) for saisie in dossier.personnes for r in saisie.ressources if r.montant is not None
    ]
    if ressources:
        champs_r, ligne_r = _gabarit(Ressource, "personne_id")
        lignes = []
        for rang, r in ressources:
            parametres.append(rang)  # la personne, retrouvée par son rang dans le ménage
            _valeurs(r, champs_r, parametres)
            lignes.append("(%s::smallint, " + ligne_r[1:])
        alias = [f"c{i}" for i in range(len(champs_r))]
        morceaux.append(
            f"r AS (INSERT INTO demandes_ressource (personne_id, {', '.join(f.column for f in champs_r)}) "
            f"SELECT p.id, {', '.join('v.' + a for a in alias)} FROM p JOIN (VALUES {', '.join(lignes)}) "
            f"v(rang, {', '.join(alias)}) ON v.rang = p.rang RETURNING id, personne_id, type)"
        )
    if dossier.localisations:
        enfants("l", LocalisationSouhaitee, dossier.localisations, "id, rang")
    if cles:
        enfants("c", CleIdentite, cles, "0")
    morceaux.append(
        "SELECT 'd', id, 0, '' FROM d UNION ALL SELECT 'p', id, rang, '' FROM p"
        + (" UNION ALL SELECT 'l', id, rang, '' FROM l" if dossier.localisations else "")
        + (" UNION ALL SELECT 'r', r.id, p.rang, r.type FROM r JOIN p ON p.id = r.personne_id" if ressources else "")
    )
    sql = ", ".join(morceaux[:-1]) + " " + morceaux[-1]
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        rendus = curseur.fetchall()
    par_rang: dict[str, dict] = {"p": {}, "l": {}, "r": {}}
    for alias, pk, rang, type_ in rendus:
        if alias == "d":
            d.pk = pk
        elif alias == "r":
            par_rang["r"][(rang, type_)] = pk
        else:
            par_rang[alias][rang] = pk
    d._state.adding, d._state.db = False, "default"
    for p in personnes:
        p.pk, p.demande = par_rang["p"][p.rang], d
        p._state.adding, p._state.db = False, "default"
    for rang, r in ressources:
        r.pk, r.personne = par_rang["r"][(rang, r.type)], personnes[rang]
        r._state.adding, r._state.db = False, "default"
    for loc in dossier.localisations:
        loc.pk, loc.demande = par_rang["l"][loc.rang], d
        loc._state.adding, loc._state.db = False, "default"


def _ecrire_menage(dossier: Dossier, *, date_anciennete_nouvelles: date) -> None:
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
    CleIdentite.objects.filter(demande=demande).delete()
    CleIdentite.objects.bulk_create(cles_identite(demande, personnes))


def cles_identite(demande: Demande, personnes) -> list[CleIdentite]:
    return [
        CleIdentite(
            demande=demande,
            role=p.role,
            nom=normaliser_nom(p.nom),
            prenom=normaliser_nom(p.prenom),
            nom_phonetique=cle_phonetique(p.nom),
            prenom_phonetique=cle_phonetique(p.prenom),
            date_naissance=p.date_naissance,
        )
        for p in personnes
        if p.role in calculs.ROLES_ADULTES_TITULAIRES and p.date_naissance
    ]


def _preparer(dossier: Dossier, guichet) -> None:
    d = dossier.demande
    if guichet is not None:
        d.guichet = guichet
        d.departement_id = guichet.commune.departement_id
        d.organisme_saisie_id = guichet.organisme_id


# ---------------------------------------------------------------- écritures


@transaction.atomic
def sauver_brouillon(dossier: Dossier, *, auteur: Auteur, guichet=None) -> Demande:
    """Crée ou met à jour un brouillon (sans numéro ni historique) ; seule l'identité est exigée."""
    d = dossier.demande
    if d.pk and not WORKFLOW_DEMANDE["sauver_brouillon"].part_de(d.etat):
        raise TransitionInterdite("Cette demande est déjà enregistrée : modifiez-la.")
    _preparer(dossier, guichet)
    if not d.guichet_id:
        raise ValidationError({"guichet": ["Choisissez le guichet d'enregistrement."]})
    valider_dossier(dossier, complet=False)
    d.etat = WORKFLOW_DEMANDE["sauver_brouillon"].cible
    if not d.pk and getattr(auteur.user, "pk", None):
        d.cree_par = auteur.user
    _copier_identite(dossier)
    d.save()
    _ecrire_menage(dossier, date_anciennete_nouvelles=timezone.localdate())
    return d


@transaction.atomic
def supprimer_brouillon(demande: Demande) -> None:
    demande = _verrouiller(demande)
    if demande.etat != Etat.BROUILLON:
        raise TransitionInterdite("Seul un brouillon peut être supprimé ; une demande enregistrée s'annule.")
    demande.delete()


@transaction.atomic
def enregistrer_demande(
    dossier: Dossier,
    *,
    auteur: Auteur,
    guichet=None,
    doublons_ecartes: tuple[int, ...] = (),
    date_depot: date | None = None,
) -> Demande:
    """Crée la demande (ou enregistre un brouillon) : NU, référence, historique, suspicions de doublons."""
    from demandes import doublons, labels

    d = dossier.demande
    if d.pk:
        # Verrou de ligne sans relire l'objet : il porte la saisie du formulaire.
        d.etat = Demande.objects.select_for_update().values_list("etat", flat=True).get(pk=d.pk)
    transition = WORKFLOW_DEMANDE.verifier(d, "enregistrer")
    _preparer(dossier, guichet)
    if not d.guichet_id:
        raise ValidationError({"guichet": ["Choisissez le guichet d'enregistrement."]})
    if not d.guichet.peut_enregistrer:
        raise ValidationError(
            {
                "guichet": [
                    f"Le guichet {d.guichet.nom} est un guichet relai : il transmet les demandes à un "
                    "guichet accompagnateur, qui les enregistre."
                ]
            }
        )
    valider_dossier(dossier, complet=True)
    depot = date_depot or timezone.localdate()
    d.date_depot = depot
    d.date_expiration = date_expiration(depot)
    if not d.cree_par_id and getattr(auteur.user, "pk", None):
        d.cree_par = auteur.user
    _copier_identite(dossier)
    neuve = d.pk is None
    enregistree_le = timezone.now()
    # Ordre choisi pour le débit à plusieurs guichets : le numéro unique (compteur
    # du seul guichet) puis le dossier, les doublons et les labels ; la référence,
    # dont le compteur est commun à tout le fichier, est tirée en tout dernier
    # pour que ce verrou ne soit tenu que le temps d'une mise à jour et du
    # commit. L'événement d'enregistrement est daté du début : il reste le
    # premier de l'historique.
    d.numero_unique = attribuer_numero_unique(departement=d.departement_id, guichet=d.guichet.code, date_depot=depot)
    d.etat = transition.cible
    if neuve:
        _inserer_dossier_neuf(dossier, date_anciennete_nouvelles=depot)
    else:
        d.save()
        _ecrire_menage(dossier, date_anciennete_nouvelles=depot)
    personnes = [s.personne for s in dossier.personnes]
    trouves = doublons.candidats(personnes, exclure_demande=d.pk, limite=50, neuve=neuve)
    labels.recalculer_labels_automatiques(d, dossier=dossier, neuve=neuve)
    doublons.signaler_suspicions(
        d, source="saisie", ecartes=doublons_ecartes, auteur=auteur, trouves=trouves, neuve=neuve
    )
    signaler(d, "enregistrement", dossier=dossier, neuve=neuve)
    _poser_reference_et_historiser(d, transition, auteur, depot=depot, le=enregistree_le)
    return d


_SQL_REFERENCE_ET_ENREGISTREMENT = """
WITH compteur AS (
    INSERT INTO demandes_compteurreference (periode, dernier) VALUES (%(periode)s, 1)
    ON CONFLICT (periode) DO UPDATE SET dernier = demandes_compteurreference.dernier + 1
    RETURNING dernier
), demande AS (
    UPDATE demandes_demande
       SET reference = %(periode)s || lpad(compteur.dernier::text, greatest(4, length(compteur.dernier::text)), '0'),
           updated_at = %(maintenant)s
      FROM compteur
     WHERE id = %(demande)s
 RETURNING reference
)
INSERT INTO demandes_evenement
    (demande_id, type, date, precisions, details, etat_avant, etat_apres, auteur_id, organisme_id, auteur_libelle)
SELECT %(demande)s, %(type)s, %(date)s, %(precisions)s,
       %(details)s::jsonb || jsonb_build_object('reference', demande.reference),
       %(avant)s, %(apres)s, %(auteur)s, %(organisme)s, %(libelle)s
  FROM demande
RETURNING details->>'reference'
"""


def _poser_reference_et_historiser(d: Demande, transition: Transition, auteur: Auteur, *, depot: date, le) -> None:
    """Référence interne et événement d'enregistrement en une instruction, la dernière avant le commit.

    Le compteur des références est commun à tout le fichier (un par mois) : son
    verrou de ligne n'est tenu que le temps de cette instruction et du commit,
    sans aller-retour Python entre les deux (8 guichets en parallèle sur 2
    cœurs : un processus qui tiendrait le verrou en attendant le processeur
    arrêterait tous les autres). Référence : ``AAAAMM`` + séquence du mois sur 4 chiffres au moins.
    """
    with connection.cursor() as curseur:
        curseur.execute(
            _SQL_REFERENCE_ET_ENREGISTREMENT,
            {
                "periode": f"{depot.year:04d}{depot.month:02d}",
                "maintenant": timezone.now(),
                "demande": d.pk,
                "type": transition.evenement,
                "date": le,
                "precisions": f"Numéro unique {d.numero_unique_affiche} – guichet {d.guichet.nom}"[:2000],
                "details": json.dumps({"numero_unique": d.numero_unique, "guichet": d.guichet.code}),
                "avant": Etat.BROUILLON,
                "apres": d.etat,
                "auteur": auteur.user.pk if getattr(auteur.user, "pk", None) else None,
                "organisme": auteur.organisme.pk if auteur.organisme is not None else None,
                "libelle": auteur.libelle[:150],
            },
        )
        d.reference = curseur.fetchone()[0]


@transaction.atomic
def modifier_demande(dossier: Dossier, *, auteur: Auteur) -> list[dict]:
    """Enregistre les changements ; chaque champ modifié entre dans l'historique (ancienne → nouvelle valeur)."""
    from demandes import labels
    from demandes.historique import aplatir, differences

    d = dossier.demande
    actuelle = _verrouiller(d)
    transition = WORKFLOW_DEMANDE.verifier(actuelle, "modifier")
    avant = aplatir(charger_dossier(actuelle))
    # Ce que le formulaire ne porte pas reste tel qu'en base.
    for champ in (
        "etat",
        "numero_unique",
        "reference",
        "date_depot",
        "date_expiration",
        "guichet_id",
        "departement_id",
    ):
        setattr(d, champ, getattr(actuelle, champ))
    valider_dossier(dossier, complet=True)
    _copier_identite(dossier)
    changements = differences(avant, aplatir(dossier))
    if not changements:
        return []
    d.save()
    _ecrire_menage(dossier, date_anciennete_nouvelles=timezone.localdate())
    ecrire_evenement(
        d,
        transition.evenement,
        auteur,
        precisions=", ".join(sorted({c["rubrique"] for c in changements})),
        details={"changements": changements},
        etat_avant=d.etat,
        etat_apres=d.etat,
    )
    labels.recalculer_labels_automatiques(d, dossier=dossier)
    signaler(d, "modification", dossier=dossier)
    return changements


@transaction.atomic
def renouveler_demande(demande: Demande, *, auteur: Auteur, le: date | None = None) -> Demande:
    """Renouvelle pour la durée de validité ; la date de dépôt initial (ancienneté) est conservée."""
    from demandes import labels

    demande = _verrouiller(demande)
    transition = WORKFLOW_DEMANDE.verifier(demande, "renouveler")
    le = le or timezone.localdate()
    ancienne = demande.date_expiration
    demande.date_renouvellement = le
    demande.date_expiration = date_expiration(le)
    demande.save(update_fields=["date_renouvellement", "date_expiration", "updated_at"])
    ecrire_evenement(
        demande,
        transition.evenement,
        auteur,
        precisions=f"Valable jusqu'au {demande.date_expiration:%d/%m/%Y}",
        details={
            "ancienne_expiration": ancienne.isoformat() if ancienne else None,
            "nouvelle_expiration": demande.date_expiration.isoformat(),
        },
        etat_avant=demande.etat,
        etat_apres=demande.etat,
    )
    labels.recalculer_labels_automatiques(demande, le=le)
    signaler(demande, "renouvellement")
    return demande


@transaction.atomic
def annuler_demande(demande: Demande, *, motif: str, auteur: Auteur, commentaire: str = "") -> Demande:
    """Annulation par un agent, motivée (renonciation, irrecevabilité, non-réponse…)."""
    if motif not in choix.MOTIFS_ANNULATION_AGENT:
        raise ValidationError({"motif": ["Choisissez le motif de l'annulation."]})
    if motif == choix.MotifAnnulation.AUTRE and not commentaire.strip():
        raise ValidationError({"commentaire": ["Précisez le motif de l'annulation."]})
    return _terminer(demande, "annuler", auteur=auteur, motif=motif, commentaire=commentaire)


@transaction.atomic
def annuler_pour_non_renouvellement(demande: Demande, *, le: date | None = None) -> Demande | None:
    """Annulation automatique d'une demande échue (traitement planifié) ; sans effet si renouvelée entre-temps."""
    demande = _verrouiller(demande)
    le = le or timezone.localdate()
    if demande.etat != Etat.ACTIVE or not demande.date_expiration or demande.date_expiration >= le:
        return None
    return _terminer(
        demande, "annuler_non_renouvellement", auteur=AUTOMATE, motif=choix.MotifAnnulation.NON_RENOUVELLEMENT, le=le
    )


@transaction.atomic
def satisfaire_demande(demande: Demande, *, auteur: Auteur, precisions: str = "", le: date | None = None) -> Demande:
    """Demande satisfaite par une attribution (bail signé) ; appelé par l'instruction."""
    return _terminer(demande, "satisfaire", auteur=auteur, precisions=precisions, le=le)


def _terminer(demande, action, *, auteur, motif="", commentaire="", precisions="", le=None):
    demande = _verrouiller(demande)
    demande.date_fin = le or timezone.localdate()
    demande.motif_annulation = motif
    demande.commentaire_annulation = commentaire
    if motif and not precisions:
        precisions = choix.MotifAnnulation(motif).label + (f" – {commentaire}" if commentaire else "")
    WORKFLOW_DEMANDE.appliquer(
        demande,
        action,
        auteur=auteur,
        commentaire=precisions,
        champs=["date_fin", "motif_annulation", "commentaire_annulation"],
        details={"motif": motif} if motif else {},
    )
    return demande


def reactivation_possible(demande: Demande, le: date | None = None) -> tuple[bool, str]:
    """Une demande annulée pour non-renouvellement ou par un agent se réactive dans le délai réglementaire.

    Ni une fusion (le dossier vit dans l'autre demande) ni une irrecevabilité
    décidée en CAL ne se réactivent ; passé le délai, le demandeur dépose une
    nouvelle demande.
    """
    le = le or timezone.localdate()
    if demande.etat != Etat.ANNULEE:
        return False, "Seule une demande annulée peut être réactivée."
    if demande.motif_annulation in (choix.MotifAnnulation.DOUBLON, choix.MotifAnnulation.IRRECEVABILITE):
        return (
            False,
            f"Une demande annulée pour « {demande.get_motif_annulation_display().lower()} » ne se réactive pas.",
        )
    delai = parametre("delai_reactivation", le)
    if demande.date_fin and (le - demande.date_fin).days > delai:
        return False, (
            f"La demande a été annulée le {demande.date_fin:%d/%m/%Y}, il y a plus de {delai} jours : "
            "le demandeur doit déposer une nouvelle demande."
        )
    return True, ""


@transaction.atomic
def reactiver_demande(demande: Demande, *, auteur: Auteur, motif: str, le: date | None = None) -> Demande:
    demande = _verrouiller(demande)
    transition = WORKFLOW_DEMANDE.verifier(demande, "reactiver")
    if not motif.strip():
        raise ValidationError({"motif": ["Indiquez pourquoi la demande est réactivée."]})
    possible, raison = reactivation_possible(demande, le)
    if not possible:
        raise TransitionInterdite(raison)
    le = le or timezone.localdate()
    ancien_motif = demande.motif_annulation
    demande.etat = transition.cible
    demande.date_fin = None
    demande.motif_annulation = ""
    demande.commentaire_annulation = ""
    champs = ["etat", "date_fin", "motif_annulation", "commentaire_annulation", "updated_at"]
    if ancien_motif == choix.MotifAnnulation.NON_RENOUVELLEMENT:
        # Réactiver une demande non renouvelée, c'est la renouveler : nouvelle échéance, dépôt initial conservé.
        demande.date_renouvellement = le
        demande.date_expiration = date_expiration(le)
        champs += ["date_renouvellement", "date_expiration"]
    demande.save(update_fields=champs)
    ecrire_evenement(
        demande,
        transition.evenement,
        auteur,
        precisions=motif.strip(),
        details={"motif_annulation": ancien_motif},
        etat_avant=Etat.ANNULEE,
        etat_apres=demande.etat,
    )
    signaler(demande, "réactivation")
    return demande


def demandes_echues(le: date | None = None):
    """Demandes actives dont l'échéance est passée (pour l'annulation automatique)."""
    le = le or timezone.localdate()
    return Demande.objects.filter(etat=Etat.ACTIVE, date_expiration__lt=le)


def expire_dans(demande: Demande, le: date | None = None) -> timedelta | None:
    le = le or timezone.localdate()
    return (demande.date_expiration - le) if demande.date_expiration else None
