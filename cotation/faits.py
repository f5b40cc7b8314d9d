"""Les faits d'une demande que lit le moteur de cotation : un instantané sans requête.

Deux façons de le construire, qui donnent le même instantané (testé) :

- ``depuis_dossier`` : le dossier que le service vient d'écrire (enregistrement,
  modification), plus ses labels et événements lus en deux requêtes ;
- ``charger`` : un paquet de demandes lu en cinq requêtes par plages d'index
  (recalcul du fichier, calcul de nuit, étude d'impact), sans ORM par ligne.

Les événements comptés sont ceux que l'instruction écrit dans l'historique
(``Evenement.Type``) : refus d'être positionné en CAL après un contact
(« refus_proposition »), refus d'un logement attribué en CAL
(« refus_attribution »), passage en CAL (« passage_cal », rang dans ``details``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from demandes.dossier import choix
from demandes.models import Evenement, Label

EVENEMENTS_COTATION = (
    Evenement.Type.REFUS_PROPOSITION,
    Evenement.Type.REFUS_ATTRIBUTION,
    Evenement.Type.PASSAGE_CAL,
)
ROLES_TITULAIRES = (choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR)
ORDRE_TYPOLOGIES = [t.value for t in choix.Typologie]


@dataclass(slots=True)
class Faits:
    demande_id: int | None = None
    date_depot: date | None = None
    statut_occupation: str = ""
    motifs: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)  # code → libellé des labels actifs
    activites: frozenset[str] = frozenset()  # activités du demandeur et du co-demandeur
    pieces_actuelles: int | None = None
    surface_actuelle: int | None = None
    nb_occupants: int | None = None
    loyer: Decimal | None = None
    aides: Decimal | None = None
    ressources_mensuelles: Decimal = Decimal("0")
    refus_positionnement: tuple[date, ...] = ()
    refus_attribution: tuple[date, ...] = ()
    passages_cal: tuple[tuple[date, int | None], ...] = ()
    commune: str | None = None  # commune du premier choix
    epci: str | None = None  # son EPCI : celui dont la grille cote la demande
    typologie: str = ""  # plus petite typologie recherchée
    nature: str = ""  # nature de la demande (personne seule, couple, famille…) : ventilations
    nb_personnes: int = 1


def plus_petite_typologie(typologies) -> str:
    rangs = [ORDRE_TYPOLOGIES.index(t) for t in typologies or () if t in ORDRE_TYPOLOGIES]
    return ORDRE_TYPOLOGIES[min(rangs)] if rangs else ""


def _evenements(faits: Faits, lignes) -> None:
    pos, attr, cal = [], [], []
    for type_, quand, rang in lignes:
        jour = timezone.localtime(quand).date() if hasattr(quand, "tzinfo") and quand.tzinfo else quand
        if type_ == Evenement.Type.REFUS_PROPOSITION:
            pos.append(jour)
        elif type_ == Evenement.Type.REFUS_ATTRIBUTION:
            attr.append(jour)
        else:
            try:
                cal.append((jour, int(rang) if rang not in (None, "") else None))
            except (TypeError, ValueError):
                cal.append((jour, None))
    faits.refus_positionnement = tuple(sorted(pos))
    faits.refus_attribution = tuple(sorted(attr))
    faits.passages_cal = tuple(sorted(cal, key=lambda c: c[0]))


def depuis_dossier(dossier, *, labels: dict[str, str] | None = None, neuve: bool = False) -> Faits:
    """Faits d'un dossier en mémoire (``demandes.dossier.saisie.Dossier``) ;
    ``neuve`` : ni label manuel ni événement."""
    d = dossier.demande
    titulaires = [s.personne for s in dossier.personnes if s.personne.role in ROLES_TITULAIRES]
    ressources = [r.montant for s in dossier.personnes for r in s.ressources if r.montant is not None]
    premier = dossier.localisations[0] if dossier.localisations else None
    commune = premier.commune if premier is not None and premier.commune_id else None
    faits = Faits(
        demande_id=d.pk,
        date_depot=d.date_depot,
        statut_occupation=d.statut_occupation or "",
        motifs=frozenset(d.motifs or ()),
        activites=frozenset(p.activite for p in titulaires if p.activite),
        pieces_actuelles=d.pieces_actuelles,
        surface_actuelle=d.surface_actuelle,
        nb_occupants=d.nb_occupants_actuels or d.nb_personnes,
        loyer=d.loyer_actuel,
        aides=d.aides_logement,
        ressources_mensuelles=sum(ressources, Decimal("0")),
        commune=commune.pk if commune is not None else None,
        epci=commune.epci_id if commune is not None else None,
        typologie=plus_petite_typologie(d.typologies),
        nature=d.nature or "",
        nb_personnes=d.nb_personnes or 1,
    )
    if labels is None:
        labels = (
            {}
            if neuve or d.pk is None
            else dict(Label.objects.actifs().filter(demande_id=d.pk).values_list("type__code", "type__libelle"))
        )
    faits.labels = labels
    if not neuve and d.pk is not None:
        _evenements(
            faits,
            Evenement.objects.filter(demande_id=d.pk, type__in=EVENEMENTS_COTATION).values_list(
                "type", "date", "details__rang"
            ),
        )
    return faits


_SQL_DEMANDES = """
SELECT id, date_depot, statut_occupation, motifs, pieces_actuelles, surface_actuelle,
       coalesce(nullif(nb_occupants_actuels, 0), nb_personnes), loyer_actuel, aides_logement, typologies, nature,
       nb_personnes
FROM demandes_demande WHERE id BETWEEN %s AND %s AND id = ANY(%s)
"""
_SQL_PREMIER_CHOIX = """
SELECT DISTINCT ON (l.demande_id) l.demande_id, l.commune_id, c.epci_id
FROM demandes_localisationsouhaitee l JOIN territoires_commune c ON c.code_insee = l.commune_id
WHERE l.demande_id BETWEEN %s AND %s AND l.demande_id = ANY(%s) ORDER BY l.demande_id, l.rang
"""
_SQL_LABELS = """
SELECT l.demande_id, t.code, t.libelle FROM demandes_label l JOIN demandes_typelabel t ON t.id = l.type_id
WHERE l.demande_id BETWEEN %s AND %s AND l.demande_id = ANY(%s) AND l.date_retrait IS NULL
"""
_SQL_PERSONNES = """
SELECT p.demande_id, p.role, p.activite,
       (SELECT coalesce(sum(r.montant), 0) FROM demandes_ressource r WHERE r.personne_id = p.id)
FROM demandes_personne p WHERE p.demande_id BETWEEN %s AND %s AND p.demande_id = ANY(%s)
"""
_SQL_EVENEMENTS = """
SELECT demande_id, type, date, details->>'rang' FROM demandes_evenement
WHERE demande_id BETWEEN %s AND %s AND demande_id = ANY(%s) AND type = ANY(%s)
"""


def charger(ids: list[int]) -> list[Faits]:
    """Faits d'un paquet de demandes, lus en cinq requêtes ensemblistes (dans l'ordre de ``ids``)."""
    par_id: dict[int, Faits] = {}
    if not ids:
        return []
    # Bornes en plus de la liste : un parcours d'index par plage (le planificateur choisit sinon
    # parfois un parcours séquentiel pour ``= ANY`` d'un grand tableau : 1 s au lieu de 5 ms).
    borne = [min(ids), max(ids), list(ids)]
    with connection.cursor() as cur:
        cur.execute(_SQL_DEMANDES, borne)
        for (
            pk,
            depot,
            statut,
            motifs,
            pieces,
            surface,
            occupants,
            loyer,
            aides,
            typologies,
            nature,
            nb,
        ) in cur.fetchall():
            par_id[pk] = Faits(
                demande_id=pk,
                date_depot=depot,
                statut_occupation=statut or "",
                motifs=frozenset(motifs or ()),
                pieces_actuelles=pieces,
                surface_actuelle=surface,
                nb_occupants=occupants,
                loyer=loyer,
                aides=aides,
                typologie=plus_petite_typologie(typologies),
                nature=nature or "",
                nb_personnes=nb or 1,
            )
        cur.execute(_SQL_PREMIER_CHOIX, borne)
        for pk, commune, epci in cur.fetchall():
            f = par_id.get(pk)
            if f is not None:
                f.commune, f.epci = commune, epci
        cur.execute(_SQL_LABELS, borne)
        for pk, code, libelle in cur.fetchall():
            f = par_id.get(pk)
            if f is not None:
                f.labels[code] = libelle
        activites: dict[int, set[str]] = defaultdict(set)
        cur.execute(_SQL_PERSONNES, borne)
        for pk, role, activite, montant in cur.fetchall():
            f = par_id.get(pk)
            if f is None:
                continue
            f.ressources_mensuelles += montant
            if activite and role in ROLES_TITULAIRES:
                activites[pk].add(activite)
        for pk, acts in activites.items():
            par_id[pk].activites = frozenset(acts)
        evenements: dict[int, list] = defaultdict(list)
        cur.execute(_SQL_EVENEMENTS, [*borne, list(EVENEMENTS_COTATION)])
        for pk, type_, quand, rang in cur.fetchall():
            evenements[pk].append((type_, quand, rang))
        for pk, lignes in evenements.items():
            if pk in par_id:
                _evenements(par_id[pk], lignes)
    return [par_id[pk] for pk in ids if pk in par_id]
