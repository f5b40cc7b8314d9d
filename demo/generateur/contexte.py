"""Référentiel lu une fois avant la génération : communes pondérées, quartiers, guichets, bailleurs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from demandes.dossier.saisie import parametre
from demo.generateur.outils import Tirage
from demo.generateur.parametres import Parametres
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Quartier
from offre.models import TYPES_RESERVATAIRES

TypeOrganisme = Organisme.Type


@dataclass
class Contexte:
    communes: dict  # code -> (nom, epci, cp)
    tirage_principal: Tirage
    tirage_reste: Tirage
    tirage_departement: Tirage
    tirage_par_epci: dict
    quartiers: dict  # commune -> [ids]
    guichets: list  # (id, code, organisme_id, organisme_nom, nom, commune_id, type_organisme)
    guichet_en_ligne: tuple
    guichets_bailleur: dict  # organisme_id -> guichet
    guichets_commune: dict  # commune -> guichet
    guichet_als: tuple | None
    bailleurs: list  # (id, nom, sigle)
    validite_mois: int
    reservataires: list = field(default_factory=list)  # (id, type) : réservataires des baux signés générés


def charger_contexte(p: Parametres) -> Contexte:
    lignes = list(
        Commune.objects.filter(departement_id=p.departement).values_list(
            "code_insee", "nom", "epci_id", "codes_postaux", "population"
        )
    )
    if not lignes:
        raise ValueError(f"Aucune commune du département {p.departement} : chargez le référentiel.")
    communes = {c: (nom, epci, (cps or [""])[0]) for c, nom, epci, cps, _ in lignes}
    principal = [(c, max(pop, 1)) for c, _, e, _, pop in lignes if e == p.epci_principal]
    reste = [(c, max(pop, 1)) for c, _, e, _, pop in lignes if e != p.epci_principal]
    if not principal:
        principal, reste = reste, reste
    par_epci: dict = {}
    for c, _, e, _, pop in lignes:
        par_epci.setdefault(e, []).append((c, max(pop, 1)))
    quartiers: dict = {}
    for qid, commune in Quartier.objects.filter(commune__departement_id=p.departement).values_list("pk", "commune_id"):
        quartiers.setdefault(commune, []).append(qid)
    guichets = [
        (g.pk, g.code, g.organisme_id, g.organisme.nom, g.nom, g.commune_id, g.organisme.type)
        for g in Guichet.objects.filter(
            type=Guichet.Type.ACCOMPAGNATEUR, actif=True, commune__departement_id=p.departement
        )
        .select_related("organisme")
        .order_by("code")
    ]
    if not guichets:
        raise ValueError(
            f"Aucun guichet accompagnateur dans le département {p.departement} : chargez les partenaires (demo)."
        )
    en_ligne = next((g for g in guichets if g[6] == TypeOrganisme.ADIL), guichets[0])
    als = next((g for g in guichets if g[6] == TypeOrganisme.ACTION_LOGEMENT), None)
    par_bailleur = {g[2]: g for g in guichets if g[6] == TypeOrganisme.BAILLEUR}
    par_commune = {g[5]: g for g in guichets if g[6] == TypeOrganisme.COMMUNE}
    bailleurs = list(
        Organisme.objects.filter(type=TypeOrganisme.BAILLEUR, departement_id=p.departement)
        .order_by("nom")
        .values_list("pk", "nom", "sigle")
    ) or [(g[2], g[3], "") for g in guichets[:1]]
    return Contexte(
        communes=communes,
        tirage_principal=Tirage(*zip(*principal, strict=True)),
        tirage_reste=Tirage(*zip(*reste, strict=True)),
        tirage_departement=Tirage([c for c, *_ in lignes], [max(pop, 1) for *_, pop in lignes]),
        tirage_par_epci={e: Tirage(*zip(*v, strict=True)) for e, v in par_epci.items()},
        quartiers=quartiers,
        guichets=guichets,
        guichet_en_ligne=en_ligne,
        guichets_bailleur=par_bailleur,
        guichets_commune=par_commune,
        guichet_als=als,
        bailleurs=bailleurs,
        reservataires=list(
            Organisme.objects.filter(type__in=TYPES_RESERVATAIRES, departement_id=p.departement)
            .order_by("pk")
            .values_list("pk", "type")
        ),
        validite_mois=parametre("validite_demande", p.aujourd_hui or timezone.localdate()),
    )
