"""Les faits d'une demande que lit le moteur de cotation : un instantané sans requête.

Deux façons de le construire, qui donnent le même instantané (testé) :

- ``depuis_dossier`` : le dossier que le service vient d'écrire (enregistrement,
  modification), plus ses labels et événements lus en deux requêtes ;
- ``charger`` : un paquet de demandes lu en cinq requêtes par plages d'index
  (``faits_sql.lire_paquet`` ; recalcul du fichier, calcul de nuit, étude
  d'impact), sans ORM par ligne.

Les événements comptés sont ceux que l'instruction écrit dans l'historique
(``Evenement.Type``) : refus d'être positionné en CAL après un contact
(« refus_positionnement »), refus d'un logement attribué en CAL, y compris le
refus de la proposition d'un logement que la CAL a attribué (« refus_attribution »),
passage en CAL (« passage_cal », rang dans ``details``). Le refus d'une
proposition faite avant toute décision de CAL (« refus_proposition ») ne coûte
rien : l'annexe 1 du plan (seed 001) ne connaît que ces deux décotes
(docs/decisions.md, session 10).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from demandes.dossier import choix
from demandes.models import Evenement, Label

from . import faits_sql

EVENEMENTS_COTATION = (
    Evenement.Type.REFUS_POSITIONNEMENT,
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
    epci: str | None = None  # son EPCI
    # (EPCI, commune de plus petit rang dans cet EPCI) de chaque territoire des choix, dans l'ordre des choix :
    # chaque EPCI doté d'une grille en vigueur cote la demande (seed 001 §5, docs/cotation.md).
    territoires: tuple[tuple[str, str], ...] = ()
    typologie: str = ""  # plus petite typologie recherchée
    nature: str = ""  # nature de la demande (personne seule, couple, famille…) : ventilations
    nb_personnes: int = 1


def plus_petite_typologie(typologies) -> str:
    rangs = [ORDRE_TYPOLOGIES.index(t) for t in typologies or () if t in ORDRE_TYPOLOGIES]
    return ORDRE_TYPOLOGIES[min(rangs)] if rangs else ""


def territoires_des_choix(choix_ordonnes) -> tuple[tuple[str, str], ...]:
    """(EPCI, première commune choisie dans cet EPCI) pour chaque EPCI des choix ``(commune, epci)`` ordonnés."""
    vus: dict[str, str] = {}
    for commune, epci in choix_ordonnes:
        if epci and epci not in vus:
            vus[epci] = commune
    return tuple(vus.items())


def noter_evenements(faits: Faits, lignes) -> None:
    """Range les événements de cotation lus (type, date, rang) dans les faits, triés par date."""
    pos, attr, cal = [], [], []
    for type_, quand, rang in lignes:
        jour = timezone.localtime(quand).date() if hasattr(quand, "tzinfo") and quand.tzinfo else quand
        if type_ == Evenement.Type.REFUS_POSITIONNEMENT:
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
    territoires = territoires_des_choix(
        (loc.commune.pk, loc.commune.epci_id) for loc in dossier.localisations if loc.commune_id
    )
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
        territoires=territoires,
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
        noter_evenements(
            faits,
            Evenement.objects.filter(demande_id=d.pk, type__in=EVENEMENTS_COTATION).values_list(
                "type", "date", "details__rang"
            ),
        )
    return faits


def charger(ids: list[int]) -> list[Faits]:
    """Faits d'un paquet de demandes, lus en cinq requêtes ensemblistes (dans l'ordre de ``ids``)."""
    if not ids:
        return []
    lignes = faits_sql.lire_paquet(ids, evenements=list(EVENEMENTS_COTATION))
    par_id: dict[int, Faits] = {}
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
    ) in lignes.demandes:
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
    choix_par_demande: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, commune, epci in lignes.choix:  # dans l'ordre des rangs
        choix_par_demande[pk].append((commune, epci))
    for pk, choix_ordonnes in choix_par_demande.items():
        f = par_id.get(pk)
        if f is not None:
            f.commune, f.epci = choix_ordonnes[0]
            f.territoires = territoires_des_choix(choix_ordonnes)
    for pk, code, libelle in lignes.labels:
        f = par_id.get(pk)
        if f is not None:
            f.labels[code] = libelle
    activites: dict[int, set[str]] = defaultdict(set)
    for pk, role, activite, montant in lignes.personnes:
        f = par_id.get(pk)
        if f is None:
            continue
        f.ressources_mensuelles += montant
        if activite and role in ROLES_TITULAIRES:
            activites[pk].add(activite)
    for pk, acts in activites.items():
        par_id[pk].activites = frozenset(acts)
    evenements: dict[int, list] = defaultdict(list)
    for pk, type_, quand, rang in lignes.evenements:
        evenements[pk].append((type_, quand, rang))
    for pk, liste in evenements.items():
        if pk in par_id:
            noter_evenements(par_id[pk], liste)
    return [par_id[pk] for pk in ids if pk in par_id]
