"""Lectures des partenaires (organismes, guichets, agents) pour les écrans de gestion.

Les partenaires ne sont pas des données nominatives de demandeurs : tout agent
les consulte ; seule la liste des comptes d'un organisme est réservée à
l'administration (fdls/acces/, ``administre``).
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fdls.comptes.models import Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Departement, Epci

# Au-delà, la fiche résume le territoire (département, EPCI) au lieu de lister les communes.
SEUIL_LISTE_COMMUNES = 30


def _compte(queryset: QuerySet, champ: str):
    """Sous-requête ``COUNT(*)`` corrélée à l'organisme courant (pas de jointure multiplicatrice)."""
    sous_requete = (
        queryset.filter(**{champ: OuterRef("pk")}).order_by().values(champ).annotate(n=Count("*")).values("n")
    )
    return Coalesce(Subquery(sous_requete, output_field=IntegerField()), Value(0))


def organismes_pour_liste() -> QuerySet[Organisme]:
    """Organismes avec leurs compteurs : guichets actifs, agents actifs, communes habilitées."""
    perimetre = Organisme.perimetre.through.objects.all()
    return (
        Organisme.objects.select_related("departement")
        .annotate(
            nb_guichets=_compte(Guichet.objects.filter(actif=True), "organisme"),
            nb_agents=_compte(Utilisateur.objects.agents().filter(is_active=True), "organisme"),
            nb_communes=_compte(perimetre, "organisme"),
        )
        .order_by("nom")
    )


def guichets_pour_annuaire() -> QuerySet[Guichet]:
    """Guichets d'enregistrement avec leur organisme et leur commune (annuaire des agents)."""
    return Guichet.objects.select_related("organisme", "commune").order_by("commune__nom", "nom")


def guichets_de(organisme: Organisme) -> QuerySet[Guichet]:
    return organisme.guichets.select_related("commune").order_by("-actif", "commune__nom", "nom")


def agents_de(organisme: Organisme) -> QuerySet[Utilisateur]:
    """Comptes agents d'un organisme : actifs d'abord, puis par nom."""
    return (
        Utilisateur.objects.agents()
        .filter(organisme=organisme)
        .select_related("guichet")
        .order_by("-is_active", "last_name", "first_name", "email")
    )


@dataclass
class ResumeTerritoire:
    """Territoire d'habilitation résumé pour la fiche d'un organisme."""

    nombre: int
    lignes: list[str] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)

    @property
    def detaille(self) -> bool:
        return bool(self.communes)


def _communes(n: int) -> str:
    return f"{n} commune" if n == 1 else f"{n} communes"


def resume_territoire(organisme: Organisme, *, seuil: int = SEUIL_LISTE_COMMUNES) -> ResumeTerritoire:
    """Résume le périmètre : départements entiers, EPCI entiers, puis le reste par département.

    Exemple : « Département 44 (Loire-Atlantique) – 207 communes » ; la liste des
    communes n'est donnée que jusqu'à ``seuil`` communes.
    """
    perimetre = Commune.objects.filter(organismes_habilites=organisme)
    par_departement = dict(
        perimetre.order_by().values_list("departement").annotate(n=Count("pk")).values_list("departement", "n")
    )
    nombre = sum(par_departement.values())
    if not nombre:
        return ResumeTerritoire(nombre=0)

    departements = Departement.objects.in_bulk(list(par_departement))
    totaux_departement = dict(
        Commune.objects.filter(departement__in=list(par_departement))
        .order_by()
        .values_list("departement")
        .annotate(n=Count("pk"))
        .values_list("departement", "n")
    )
    entiers = {code for code, n in par_departement.items() if n == totaux_departement.get(code)}
    partiels = sorted(set(par_departement) - entiers)

    lignes = [
        f"Département {code} ({departements[code].nom}) – {_communes(par_departement[code])}"
        for code in sorted(entiers)
    ]
    if partiels:
        par_epci = list(
            perimetre.filter(departement__in=partiels, epci__isnull=False)
            .order_by()
            .values_list("departement", "epci")
            .annotate(n=Count("pk"))
        )
        totaux_epci = dict(
            Commune.objects.filter(epci__in={epci for _, epci, _ in par_epci})
            .order_by()
            .values_list("epci")
            .annotate(n=Count("pk"))
            .values_list("epci", "n")
        )
        epcis = Epci.objects.in_bulk({epci for _, epci, _ in par_epci})
        for code in partiels:
            couverts = sorted(
                ((epci, n) for dep, epci, n in par_epci if dep == code and n == totaux_epci.get(epci)),
                key=lambda item: epcis[item[0]].nom,
            )
            for epci, n in couverts:
                lignes.append(f"{epcis[epci].nom} (EPCI) – {_communes(n)}")
            reste = par_departement[code] - sum(n for _, n in couverts)
            if reste:
                autres = "autres " if couverts else ""
                lignes.append(
                    f"Département {code} ({departements[code].nom}) – {reste} {autres}"
                    f"commune{'s' if reste > 1 else ''} sur {totaux_departement[code]}"
                )

    communes = list(perimetre.order_by("nom", "code_insee")) if nombre <= seuil else []
    return ResumeTerritoire(nombre=nombre, lignes=lignes, communes=communes)


def communes_du_perimetre(*, departements: list[str], epcis: list[str], communes: list[str]) -> QuerySet[Commune]:
    """Communes désignées par départements entiers, EPCI entiers et codes INSEE."""
    return Commune.objects.filter(
        Q(departement__in=departements) | Q(epci__in=epcis) | Q(code_insee__in=communes)
    ).order_by()


def decomposer_perimetre(organisme: Organisme) -> dict[str, list[str]]:
    """Inverse de ``communes_du_perimetre`` pour pré-remplir le formulaire d'un organisme."""
    perimetre = set(Commune.objects.filter(organismes_habilites=organisme).values_list("code_insee", flat=True))
    if not perimetre:
        return {"departements": [], "epcis": [], "communes": []}
    resume = Commune.objects.filter(code_insee__in=perimetre).values_list("code_insee", "departement", "epci")
    par_departement: dict[str, set[str]] = {}
    par_epci: dict[str, set[str]] = {}
    for code, departement, epci in resume:
        par_departement.setdefault(departement, set()).add(code)
        if epci:
            par_epci.setdefault(epci, set()).add(code)
    totaux_departement = dict(
        Commune.objects.filter(departement__in=list(par_departement))
        .order_by()
        .values_list("departement")
        .annotate(n=Count("pk"))
        .values_list("departement", "n")
    )
    departements = sorted(d for d, codes in par_departement.items() if len(codes) == totaux_departement[d])
    reste = perimetre - {c for d in departements for c in par_departement[d]}
    totaux_epci = dict(
        Commune.objects.filter(epci__in=list(par_epci))
        .order_by()
        .values_list("epci")
        .annotate(n=Count("pk"))
        .values_list("epci", "n")
    )
    epcis = sorted(e for e, codes in par_epci.items() if codes <= reste and len(codes) == totaux_epci[e])
    reste -= {c for e in epcis for c in par_epci[e]}
    return {"departements": departements, "epcis": epcis, "communes": sorted(reste)}
