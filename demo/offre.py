"""Parc de démonstration : les logements sociaux de Nantes Métropole (≈ 63 000,
domain.md §7) répartis entre les bailleurs réels créés par ``demo.partenaires``,
avec une petite part de logements vacants.

Distributions (docs/offre.md) : typologies et catégories d'après les tableaux
« Patrimoine de logements » du seed 000, communes pondérées par la population,
financements, loyers au m² et réservataires plausibles. Tirage déterministe
(graine fixe) et chargement en masse (COPY dans une table temporaire puis
``INSERT … ON CONFLICT DO NOTHING``) : relancer la commande ne duplique rien.

Le même générateur sert au banc ``bench/bench_offre.py`` (millions de lignes).
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo import offre_sql
from fdls.organismes.models import Organisme
from fdls.territoires.models import Commune, Quartier
from offre.models import (
    Categorie,
    Disponibilite,
    DisponibiliteEvenement,
    EtatDisponibilite,
    Logement,
    Programme,
    Typologie,
)

NANTES_METROPOLE = "244400404"
LOGEMENTS_PAR_DEFAUT = 63_000
GRAINE = 44
PART_VACANTE = 0.015

# Parts de parc des bailleurs de la démo à Nantes Métropole (ordre de grandeur).
POIDS_BAILLEURS = {
    "Nantes Métropole Habitat": 38,
    "La Nantaise d'Habitations": 12,
    "CDC Habitat Social": 10,
    "Atlantique Habitations": 9,
    "Harmonie Habitat": 8,
    "Aiguillon Construction": 5,
    "Habitat 44": 5,
    "LogiOuest": 4,
    "ICF Habitat Atlantique": 3,
    "Vilogia": 3,
    "CIF Coopérative": 2,
    "Gambetta Locatif": 1,
}

# Seed 000, « Patrimoine de logements » (Sautron) : catégorie × typologie, plus
# une faible part de chambres et de 6 pièces et plus, absentes de l'extrait.
TYPOLOGIES = list(Typologie)
POIDS_TYPOLOGIES = {
    Categorie.APPARTEMENT: [0.5, 14, 99, 92, 39, 2, 0.5],
    Categorie.MAISON: [1, 0.2, 41, 82, 81, 14, 1],
}
SURFACES = {"chambre": 14, "T1": 30, "T2": 48, "T3": 66, "T4": 80, "T5": 95, "T6": 110}
LOYER_M2 = {"PLAI": 5.4, "PLUS": 6.1, "PLS": 8.9, "PLI": 11.0}
FINANCEMENTS = ["PLUS", "PLAI", "PLS", "PLI", ""]
POIDS_FINANCEMENTS = [60, 15, 12, 3, 10]
NOMS = [
    "Les Vergers du Launay",
    "Kallima",
    "Polaris",
    "Bourgault-Ducoudray",
    "En Aparté",
    "Les Hauts de Loire",
    "Le Clos Fleuri",
    "Les Jardins de l'Erdre",
    "Beaujoire",
    "Les Ponts",
    "Le Grand Carcouët",
    "Les Tilleuls",
    "Les Marronniers",
    "La Fontaine",
    "Le Parc de la Chézine",
    "Les Terrasses de Sèvre",
    "Le Verger",
    "L'Orangerie",
    "Les Acacias",
    "Le Hameau des Landes",
    "La Roseraie",
    "Les Magnolias",
    "Le Belvédère",
    "Les Bruyères",
    "Le Carré Saint-Félix",
    "Les Cèdres",
    "Le Moulin",
    "Les Glycines",
    "La Prairie",
    "Les Mouettes",
]
VOIES = [
    "rue du Haut Launay",
    "rue d'Allonville",
    "rue Victor Hugo",
    "allée Nicole Girard-Mangin",
    "boulevard Dalby",
    "rue Eugénie Cotton",
    "allée Pauline Isabelle Utile",
    "rue de la Convention",
    "avenue de la Gare",
    "rue des Écoles",
    "rue de la Mairie",
    "chemin des Vignes",
    "rue Jules Verne",
    "boulevard de la Liberté",
    "rue du Stade",
    "impasse des Lilas",
    "rue de Bretagne",
    "avenue des Sports",
    "rue Pasteur",
    "place du Marché",
]
# Part des programmes en quartier prioritaire, par commune qui en a.
PART_QPV = {"44109": 0.25, "44162": 0.3, "44114": 0.15, "44143": 0.15}


def ajouter_arguments(parser):
    parser.add_argument(
        "--logements",
        type=int,
        default=LOGEMENTS_PAR_DEFAUT,
        help=f"Taille du parc de démonstration de Nantes Métropole (défaut {LOGEMENTS_PAR_DEFAUT}, 0 : aucun).",
    )


def construire(options, stdout):
    nombre = options.get("logements", LOGEMENTS_PAR_DEFAUT)
    if nombre is None:
        nombre = LOGEMENTS_PAR_DEFAUT
    if nombre <= 0:
        stdout.write("Offre : aucun logement demandé (--logements 0).")
        return
    debut = time.monotonic()
    compte = charger_parc(nombre=nombre)
    if compte["deja"]:
        stdout.write(f"Offre : parc de démonstration déjà chargé ({compte['logements']} logements).")
        return
    stdout.write(
        f"Offre : {compte['crees']} logements créés dans {compte['programmes']} programmes, "
        f"{compte['disponibilites']} vacances ({time.monotonic() - debut:.1f} s)."
    )


@dataclass
class PlanProgramme:
    bailleur_id: int
    code: str
    nom: str
    adresse: str
    commune_id: str
    departement_id: str
    quartier_id: int | None
    qpv: bool
    annee: int
    financement: str
    categorie: str
    taille: int
    niveaux: int


class Generateur:
    """Tirages déterministes d'un parc : programmes puis logements."""

    def __init__(self, *, communes, quartiers, bailleurs, reservataires, graine: int = GRAINE):
        self.rng = random.Random(graine)
        self.communes = communes  # [(code, departement, population)]
        self.quartiers = quartiers  # {commune: [quartier_id QPV, ...]}
        self.bailleurs = bailleurs  # [(id, poids)]
        self.reservataires = reservataires  # {"etat": id, "action_logement": id, "epci": id, "communes": {code: id}}
        self.prochain_code = {}

    def planifier(self, nombre: int) -> list[PlanProgramme]:
        rng = self.rng
        codes = [c for c, _d, _p in self.communes]
        poids = [max(p, 1) for _c, _d, p in self.communes]
        departements = {c: d for c, d, _p in self.communes}
        ids_bailleurs = [b for b, _p in self.bailleurs]
        poids_bailleurs = [p for _b, p in self.bailleurs]
        plans, total = [], 0
        while total < nombre:
            commune = rng.choices(codes, poids)[0]
            # Nantes est surtout collective ; les autres communes ont plus de maisons (seed 000 : Sautron).
            maisons = rng.random() < (0.05 if commune == "44109" else 0.3)
            taille = rng.randint(4, 24) if maisons else max(6, min(220, int(rng.lognormvariate(3.5, 0.6))))
            taille = min(taille, nombre - total)
            bailleur = rng.choices(ids_bailleurs, poids_bailleurs)[0]
            numero = self.prochain_code.get(bailleur, 1)
            self.prochain_code[bailleur] = numero + 1
            quartier, qpv = None, False
            if self.quartiers.get(commune) and rng.random() < PART_QPV.get(commune, 0.1):
                quartier, qpv = rng.choice(self.quartiers[commune]), True
            annee = int(rng.triangular(1955, 2025, 1975))
            plans.append(
                PlanProgramme(
                    bailleur_id=bailleur,
                    code=f"{numero:04d}",
                    nom=f"{rng.choice(NOMS)} {rng.randint(1, 9)}" if rng.random() < 0.4 else rng.choice(NOMS),
                    adresse=f"{rng.randint(1, 120)} {rng.choice(VOIES)}",
                    commune_id=commune,
                    departement_id=departements[commune],
                    quartier_id=quartier,
                    qpv=qpv,
                    annee=annee,
                    financement=rng.choices(FINANCEMENTS, POIDS_FINANCEMENTS)[0],
                    categorie=Categorie.MAISON if maisons else Categorie.APPARTEMENT,
                    taille=taille,
                    niveaux=1 if maisons else rng.choice([2, 3, 4, 4, 5, 6, 8, 10, 12]),
                )
            )
            total += taille
        return plans

    def logements(self, plan: PlanProgramme, programme_id: int, horodatage: str) -> Iterator[str]:
        """Lignes COPY (texte) des logements d'un programme."""
        rng = self.rng
        poids_typo = POIDS_TYPOLOGIES[plan.categorie]
        reservataire_commune = self.reservataires["communes"].get(plan.commune_id)
        facteur = 1.05 if plan.commune_id == "44109" else 1.0
        for rang in range(1, plan.taille + 1):
            typologie = rng.choices(TYPOLOGIES, poids_typo)[0]
            financement = plan.financement or rng.choices(["PLUS", "PLAI"], [70, 30])[0]
            surface = round(SURFACES[typologie] * rng.uniform(0.85, 1.15), 1)
            loyer = round(surface * LOYER_M2[financement] * facteur * rng.uniform(0.9, 1.1), 2)
            charges = round(surface * rng.uniform(1.1, 1.6), 2)
            etage = 0 if plan.categorie == Categorie.MAISON else rng.randrange(plan.niveaux)
            ascenseur = plan.niveaux >= 5 or (plan.annee >= 2000 and plan.niveaux >= 3)
            accessibilite = ""
            if etage == 0 or ascenseur:
                tirage = rng.random()
                accessibilite = (
                    "accessible"
                    if tirage < 0.25
                    else "adaptable"
                    if tirage < 0.35
                    else "adapte"
                    if tirage < 0.38
                    else ""
                )
            tirage = rng.random()
            reservataire = (
                self.reservataires["etat"]
                if tirage < 0.25
                else self.reservataires["action_logement"]
                if tirage < 0.45
                else reservataire_commune
                if tirage < 0.57
                else self.reservataires["epci"]
                if tirage < 0.62
                else None
            )
            if plan.annee >= 2012:
                dpe = rng.choice("AB")
            elif plan.annee >= 1990:
                dpe = rng.choice("BCCD")
            else:
                dpe = rng.choice("CDDDEEF")
            labels = []
            if accessibilite and typologie in ("T2", "T3") and rng.random() < 0.08:
                labels.append("ASV")
            if typologie in ("chambre", "T1", "T2") and rng.random() < 0.02:
                labels.append("ELAN-30")
            nature = "parking" if rng.random() < 0.25 else "simple"
            yield (
                "\t".join(
                    (
                        str(programme_id),
                        f"{rang:04d}",
                        str(plan.bailleur_id),
                        plan.commune_id,
                        plan.departement_id,
                        "\\N" if plan.quartier_id is None else str(plan.quartier_id),
                        "t" if plan.qpv else "f",
                        typologie,
                        plan.categorie,
                        nature,
                        f"{surface:.1f}",
                        str(etage),
                        "t" if ascenseur else "f",
                        accessibilite,
                        f"{loyer:.2f}",
                        f"{charges:.2f}",
                        financement,
                        "\\N" if reservataire is None else str(reservataire),
                        dpe,
                        "t" if loyer / surface <= 5.8 else "f",
                        "{" + ",".join(labels) + "}",
                        horodatage,
                        horodatage,
                    )
                )
                + "\n"
            )


COLONNES_COPY = (
    "programme_id, code, bailleur_id, commune_id, departement_id, quartier_id, qpv, typologie, categorie, nature, "
    "surface, etage, ascenseur, accessibilite, loyer, charges, financement, reservataire_id, dpe, loyer_accessible, "
    "labels, created_at, updated_at"
)


def creer_programmes(plans: list[PlanProgramme]) -> dict[tuple[int, str], int]:
    """Programmes insérés (ceux qui existent déjà sont gardés) → {(bailleur, code): id}."""
    Programme.objects.bulk_create(
        [
            Programme(
                bailleur_id=p.bailleur_id,
                code=p.code,
                nom=p.nom,
                adresse=p.adresse,
                commune_id=p.commune_id,
                departement_id=p.departement_id,
                quartier_id=p.quartier_id,
                qpv=p.qpv,
                annee_construction=p.annee,
                financement=p.financement,
            )
            for p in plans
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    ids = {}
    for bailleur in {p.bailleur_id for p in plans}:
        ids.update(
            ((bailleur, code), pk)
            for code, pk in Programme.objects.filter(bailleur_id=bailleur).values_list("code", "pk")
        )
    return ids


def copier_logements(generateur: Generateur, plans, ids, *, direct: bool = False, lot: int = 200_000) -> list[int]:
    """Charge les logements par COPY, par lots ; renvoie les identifiants créés.

    ``direct`` : COPY dans la table elle-même (table vide, banc) ; sinon dans une
    table temporaire puis ``INSERT … ON CONFLICT DO NOTHING`` (relance sans doublon).
    """
    horodatage = timezone.now().isoformat()
    crees: list[int] = []
    tampon, lignes = io.StringIO(), 0

    def vider():
        nonlocal tampon, lignes
        if not lignes:
            return
        crees.extend(offre_sql.copier_logements(tampon.getvalue(), COLONNES_COPY, direct=direct))
        tampon, lignes = io.StringIO(), 0

    for plan in plans:
        programme_id = ids[(plan.bailleur_id, plan.code)]
        for ligne in generateur.logements(plan, programme_id, horodatage):
            tampon.write(ligne)
            lignes += 1
        if lignes >= lot:
            vider()
    vider()
    return crees


def creer_vacances(logement_ids: list[int], *, part: float = PART_VACANTE, graine: int = GRAINE) -> int:
    """Une petite part des logements créés devient vacante, dans des états variés, avec leur journal."""
    rng = random.Random(graine)
    choisis = sorted(rng.sample(logement_ids, int(len(logement_ids) * part))) if logement_ids else []
    if not choisis:
        return 0
    infos = dict(Logement.objects.filter(pk__in=choisis).values_list("pk", "reservataire_id"))
    bailleurs = dict(Logement.objects.filter(pk__in=choisis).values_list("pk", "bailleur_id"))
    noms_bailleurs = dict(Organisme.objects.filter(pk__in=set(bailleurs.values())).values_list("pk", "nom"))
    aujourd_hui = timezone.localdate()
    chemins = {
        EtatDisponibilite.A_POURVOIR: [],
        EtatDisponibilite.EN_COURS: [EtatDisponibilite.EN_COURS],
        EtatDisponibilite.ATTRIBUEE: [EtatDisponibilite.EN_COURS, EtatDisponibilite.ATTRIBUEE],
        EtatDisponibilite.RETIREE: [EtatDisponibilite.RETIREE],
    }
    etats, poids = list(chemins), [55, 25, 15, 5]
    disponibilites = []
    for pk in choisis:
        etat = rng.choices(etats, poids)[0]
        decalage = rng.randint(-45, 60) if etat != EtatDisponibilite.ATTRIBUEE else rng.randint(-120, -10)
        disponibilites.append(
            Disponibilite(
                logement_id=pk,
                date_disponibilite=aujourd_hui + timedelta(days=decalage),
                motif=Disponibilite.Motif.RELOCATION if rng.random() < 0.9 else Disponibilite.Motif.MISE_EN_SERVICE,
                reservataire_id=infos[pk],
                etat=etat,
            )
        )
    Disponibilite.objects.bulk_create(disponibilites, batch_size=5000)
    evenements = []
    maintenant = timezone.now()
    for disponibilite in disponibilites:
        avant = ""
        for etape, apres in enumerate([EtatDisponibilite.A_POURVOIR, *chemins[disponibilite.etat]]):
            motif = "Logement vendu (données de démonstration)" if apres == EtatDisponibilite.RETIREE else ""
            evenements.append(
                DisponibiliteEvenement(
                    disponibilite=disponibilite,
                    date=maintenant - timedelta(days=10 - etape),
                    organisme_id=bailleurs[disponibilite.logement_id],
                    auteur_libelle=noms_bailleurs[bailleurs[disponibilite.logement_id]],
                    etat_avant=avant,
                    etat_apres=apres,
                    commentaire=motif,
                )
            )
            avant = apres
    DisponibiliteEvenement.objects.bulk_create(evenements, batch_size=5000)
    offre_sql.recopier_vacances([d.pk for d in disponibilites])
    return len(disponibilites)


def contexte_generation(*, epci: str | None = NANTES_METROPOLE, poids_bailleurs=None) -> dict:
    """Communes, quartiers QPV, bailleurs et réservataires de la démo."""
    communes = Commune.objects.all() if epci is None else Commune.objects.filter(epci_id=epci)
    communes = list(communes.order_by("code_insee").values_list("code_insee", "departement_id", "population"))
    quartiers: dict[str, list[int]] = {}
    for pk, commune in Quartier.objects.filter(qpv=True).order_by("pk").values_list("pk", "commune_id"):
        quartiers.setdefault(commune, []).append(pk)
    poids_bailleurs = poids_bailleurs or POIDS_BAILLEURS
    bailleurs = [
        (pk, poids_bailleurs[nom])
        for pk, nom in Organisme.objects.filter(nom__in=poids_bailleurs, type=Organisme.Type.BAILLEUR)
        .order_by("nom")
        .values_list("pk", "nom")
    ]
    par_nom = dict(Organisme.objects.values_list("nom", "pk"))
    reservataires = {
        "etat": par_nom.get("DDETS de Loire-Atlantique"),
        "action_logement": par_nom.get("Action Logement Services"),
        "epci": par_nom.get("Nantes Métropole"),
        "communes": {
            code: par_nom[f"Ville de {nom}"]
            for code, nom in Commune.objects.filter(code_insee__in=[c for c, _d, _p in communes]).values_list(
                "code_insee", "nom"
            )
            if f"Ville de {nom}" in par_nom
        },
    }
    return {"communes": communes, "quartiers": quartiers, "bailleurs": bailleurs, "reservataires": reservataires}


@transaction.atomic
def charger_parc(*, nombre: int = LOGEMENTS_PAR_DEFAUT, graine: int = GRAINE) -> dict:
    """Parc de démonstration de Nantes Métropole ; sans effet s'il est déjà chargé."""
    contexte = contexte_generation()
    if not contexte["bailleurs"] or not contexte["communes"]:
        return {"deja": False, "crees": 0, "programmes": 0, "disponibilites": 0, "logements": 0}
    ids_bailleurs = [b for b, _p in contexte["bailleurs"]]
    existants = Logement.objects.filter(bailleur__in=ids_bailleurs, commune__epci=NANTES_METROPOLE).count()
    if existants >= nombre:
        return {"deja": True, "logements": existants}
    generateur = Generateur(graine=graine, **contexte)
    plans = generateur.planifier(nombre)
    ids = creer_programmes(plans)
    crees = copier_logements(generateur, plans, ids)
    offre_sql.analyser_logements()
    return {
        "deja": False,
        "crees": len(crees),
        "programmes": len(plans),
        "disponibilites": creer_vacances(crees, graine=graine),
        "logements": existants + len(crees),
    }
