"""Politique d'accès aux données (CCH R441-2-6) — un seul module.

Question posée partout : « cet utilisateur peut-il voir / modifier cet objet,
ou les données de ce territoire ? ». Les écrans, exports, PDF et l'API passent
tous par ici, le plus souvent via les QuerySets métier
(``Demande.objects.visibles_par(user)``), si bien qu'aucun ne peut l'oublier.

La portée d'un organisme se lit en une requête (``portee_sql``) ; les
permissions de l'API traduisent ces règles pour DRF (``fdls.acces.api``).

Règles (docs/acces.md détaille la matrice) :

* un **demandeur** ne voit que ses propres demandes ;
* un **agent** voit les données nominatives s'il a un rôle nominatif (agent
  de guichet, instructeur bailleur, réservataire, administrateur) ; le rôle
  observateur ne donne accès qu'aux statistiques sans nom ;
* les organismes de type **association** n'ont aucun accès nominatif : la
  liste a–i de l'article R441-2-6 ne nomme aucune association (docs/decisions.md) ;
* l'agent voit les demandes du territoire d'habilitation de son organisme
  (``Organisme.perimetre``) : toutes celles du fichier d'un département
  qu'il couvre entièrement (bailleur, État, département, Action Logement,
  SIAO, gestionnaire), et, pour les communes isolées (EPCI, commune, lieu
  d'accueil), celles qui ont une localisation souhaitée sur l'une d'elles ;
  en plus, celles enregistrées à un guichet de son organisme ;
* R441-2-6 partage les demandes **enregistrées** : un **brouillon** n'est vu
  que de l'organisme qui le saisit (celui de son guichet) ; une demande
  **déposée en ligne** (à valider, ou rejetée) que des agents qui peuvent la
  valider (``enregistre`` : agent de guichet d'un organisme doté d'un guichet
  accompagnateur actif), dans leur territoire ;
* seul un agent de guichet d'un organisme qui a un guichet accompagnateur
  modifie une demande (seed 001 annexe 2) et la fait vivre (enregistrement,
  renouvellement, annulation, radiation) ;
* un **instructeur bailleur** (rôle ``instructeur_bailleur`` d'un organisme
  bailleur) complète et corrige une demande **active** qu'il voit et y ajoute
  les pièces de l'instruction (``instruit``, ``filtrer_instruisibles``) ;
* l'administration (partenaires, comptes, journal d'audit) est réservée aux
  administrateurs d'un organisme gestionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fdls.acces import portee_sql
from fdls.territoires.models import Commune

# Rôles qui donnent accès aux données nominatives.
ROLES_NOMINATIFS = frozenset({"agent_guichet", "instructeur_bailleur", "reservataire", "administrateur"})
ROLES_STATISTIQUES = frozenset(ROLES_NOMINATIFS | {"observateur"})
# Types d'organisme (``Organisme.Type``) que l'article R441-2-6 ne nomme pas : aucun accès nominatif.
TYPES_SANS_ACCES_NOMINATIF = frozenset({"association"})
# États d'une demande (``Demande.Etat``) qui ne sont pas au fichier partagé : brouillon (son organisme seul),
# dépôt en ligne à valider ou rejeté (les agents qui peuvent le valider seuls).
ETAT_BROUILLON = "brouillon"
ETATS_EN_LIGNE = ("a_valider", "rejetee")
ETATS_HORS_FICHIER = (ETAT_BROUILLON, *ETATS_EN_LIGNE)


def _est_agent_actif(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "is_agent", False))


def voit_nominatif(user) -> bool:
    """L'utilisateur peut-il consulter des données nominatives de demandes ?"""
    return (
        _est_agent_actif(user)
        and user.organisme_id is not None
        and user.a_role(*ROLES_NOMINATIFS)
        and user.organisme.type not in TYPES_SANS_ACCES_NOMINATIF
    )


def voit_statistiques(user, *, nominatives: bool = False) -> bool:
    """Statistiques sans nom : tout rôle ; avec noms : rôles nominatifs seulement."""
    if nominatives:
        return voit_nominatif(user)
    return _est_agent_actif(user) and user.a_role(*ROLES_STATISTIQUES)


def administre(user) -> bool:
    """Gestion des partenaires, comptes, référentiels et grilles."""
    if not _est_agent_actif(user):
        return False
    if user.is_superuser:
        return True
    return user.a_role("administrateur") and user.organisme is not None and user.organisme.type == "gestionnaire"


def consulte_audit(user) -> bool:
    """Le journal des consultations est lu par le gestionnaire du fichier."""
    return administre(user)


def communes_habilitees(user) -> QuerySet:
    """Codes INSEE du territoire d'habilitation de l'organisme de l'agent."""
    if not voit_nominatif(user):
        return Commune.objects.none().values("code_insee")
    return Commune.objects.filter(organismes_habilites=user.organisme_id).values("code_insee")


def voit_territoire(user, commune) -> bool:
    """L'agent peut-il consulter les données nominatives de cette commune ?"""
    code = getattr(commune, "code_insee", commune)
    return communes_habilitees(user).filter(code_insee=code).exists()


@dataclass(frozen=True)
class Portee:
    """Ce que couvre le territoire d'un organisme, sous la forme la moins chère
    à filtrer : départements entiers (un index sur la demande), communes
    isolées (semi-jointure sur les localisations) et guichets propres hors de
    ces départements."""

    departements: tuple[str, ...]
    communes: tuple[str, ...]
    guichets: tuple[int, ...]
    # EPCI entièrement couverts hors des départements entiers : une seule clé
    # ``E`` dans la table de recherche au lieu d'une clé ``C`` par commune.
    epcis: tuple[str, ...] = ()
    communes_des_epcis: tuple[str, ...] = ()
    # Tous les guichets de l'organisme, où qu'ils soient : ceux dont il voit les brouillons.
    guichets_organisme: tuple[int, ...] = ()


def portee(user) -> Portee | None:
    """Portée nominative de l'agent, calculée une fois par objet utilisateur."""
    if not voit_nominatif(user):
        return None
    cache = getattr(user, "_portee_acces", None)
    if cache is not None and cache[0] == user.organisme_id:
        return cache[1]
    departements, communes, epcis, dans_epcis, guichets, propres = portee_sql.lire_portee(user.organisme_id)
    resultat = Portee(
        departements=departements,
        communes=communes,
        guichets=guichets,
        epcis=epcis,
        communes_des_epcis=dans_epcis,
        guichets_organisme=propres,
    )
    user._portee_acces = (user.organisme_id, resultat)
    return resultat


@dataclass(frozen=True)
class EtatsReserves:
    """Restriction par état qui s'ajoute au territoire : ``caches``, les états dont l'agent ne voit aucune
    demande ; ``guichets_brouillons``, les guichets dont il voit les brouillons (ceux de son organisme)."""

    caches: tuple[str, ...]
    guichets_brouillons: tuple[int, ...]


def etats_reserves(user) -> EtatsReserves | None:
    """Ce que l'agent voit des demandes hors du fichier partagé (brouillons, dépôts en ligne), ou None s'il
    n'a pas de portée nominative. Calculé une fois par objet utilisateur."""
    perimetre = portee(user)
    if perimetre is None:
        return None
    cache = getattr(user, "_etats_reserves", None)
    if cache is not None and cache[0] == user.organisme_id:
        return cache[1]
    resultat = EtatsReserves(
        caches=() if enregistre(user) else ETATS_EN_LIGNE, guichets_brouillons=perimetre.guichets_organisme
    )
    user._etats_reserves = (user.organisme_id, resultat)
    return resultat


def _q_etats(user, etat: str, guichet: str) -> Q:
    """Filtre Q des états : toute demande du fichier ; un brouillon de son organisme ; un dépôt en ligne si
    l'agent peut le valider."""
    reserves = etats_reserves(user)
    condition = ~Q(**{f"{etat}__in": ETATS_HORS_FICHIER})
    if reserves.guichets_brouillons:
        condition |= Q(**{etat: ETAT_BROUILLON, f"{guichet}__in": reserves.guichets_brouillons})
    en_ligne = [e for e in ETATS_EN_LIGNE if e not in reserves.caches]
    if en_ligne:
        condition |= Q(**{f"{etat}__in": en_ligne})
    return condition


def cles_acces(user) -> list[str] | None:
    """Clés d'accès de l'agent dans une table de recherche (``D`` département,
    ``E`` EPCI entier, ``C`` commune isolée, ``G`` guichet), ou None s'il n'a
    pas de portée nominative.

    Même règle que les conditions de ``_q_visibles`` : une demande est visible
    si l'une de ses clés (département de son fichier, communes souhaitées et
    leurs EPCI, guichet d'enregistrement) figure dans cette liste.
    """
    perimetre = portee(user)
    if perimetre is None:
        return None
    dans_epcis = set(perimetre.communes_des_epcis)
    return (
        [f"D{code}" for code in perimetre.departements]
        + [f"E{siren}" for siren in perimetre.epcis]
        + [f"C{code}" for code in perimetre.communes if code not in dans_epcis]
        + [f"G{pk}" for pk in perimetre.guichets]
    )


def _objets_par_cle(model, chemin: str, cles: list[str]) -> QuerySet:
    """Clés des objets ayant une ligne de recherche dont la clé est dans ``cles``
    (``chemin`` : « relation__champ » vers la table de recherche)."""
    relation, _, champ = chemin.partition("__")
    lien = model._meta.get_field(relation)
    return lien.related_model._base_manager.filter(**{f"{champ}__in": cles}).values(lien.field.name)


def _objets_par_commune(model, chemin: str, communes: tuple[str, ...]) -> QuerySet:
    """Sous-requête des clés des objets ayant une commune parmi ``communes``.

    Pour un chemin « relation__commune » (ex. ``localisations__commune``), on
    interroge directement la table liée, sans rejointure sur ``model``.
    """
    relation, _, champ = chemin.partition("__")
    if champ and "__" not in champ:
        lien = model._meta.get_field(relation)
        if lien.one_to_many:
            cle = lien.field.name
            return lien.related_model._base_manager.filter(**{f"{champ}__in": communes}).values(cle)
    return model._base_manager.filter(**{f"{chemin}__in": communes}).values("pk")


def _q_visibles(
    queryset: QuerySet,
    user,
    *,
    departement: str | None,
    commune: str,
    guichet: str | None,
    demandeur: str | None,
    cles: str | None = None,
    etat: str | None = None,
) -> Q | None:
    """Filtre Q des objets visibles, ou None si rien n'est visible."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_demandeur", False):
        return Q(**{demandeur: user.pk}) if demandeur else None
    if cles:
        # Table de recherche : une seule semi-jointure, sans OR entre les
        # conditions (un OR empêche PostgreSQL de hacher la sous-requête).
        liste = cles_acces(user)
        if not liste:
            return None
        resultat = Q(pk__in=_objets_par_cle(queryset.model, cles, liste))
        return resultat & _q_etats(user, etat, guichet) if etat and guichet else resultat
    perimetre = portee(user)
    if perimetre is None:
        return None
    conditions = []
    if perimetre.departements:
        if departement:
            conditions.append(Q(**{f"{departement}__in": perimetre.departements}))
        else:
            conditions.append(Q(**{f"{commune}__departement__in": perimetre.departements}))
    if perimetre.communes:
        # Sous-requête plutôt que jointure : une demande à plusieurs communes
        # habilitées n'apparaît qu'une fois, sans DISTINCT.
        conditions.append(Q(pk__in=_objets_par_commune(queryset.model, commune, perimetre.communes)))
    if guichet and perimetre.guichets:
        conditions.append(Q(**{f"{guichet}__in": perimetre.guichets}))
    if not conditions:
        return None
    resultat = conditions[0]
    for condition in conditions[1:]:
        resultat |= condition
    return resultat & _q_etats(user, etat, guichet) if etat and guichet else resultat


def filtrer(
    queryset: QuerySet,
    user,
    *,
    commune: str,
    departement: str | None = None,
    guichet: str | None = None,
    demandeur: str | None = None,
    cles: str | None = None,
    etat: str | None = None,
):
    """Restreint ``queryset`` aux objets nominatifs que ``user`` peut consulter.

    ``departement`` : chemin vers le département du fichier de l'objet ;
    ``commune`` : chemin vers les communes qui fondent l'habilitation
    territoriale ; ``guichet`` : chemin vers le guichet d'enregistrement (un
    organisme voit toujours ce que ses guichets ont enregistré) ;
    ``demandeur`` : chemin vers le compte du demandeur ; ``cles`` : chemin
    vers la clé d'une table de recherche tenue à jour (``D``/``C``/``G``, voir
    ``cles_acces``) qui, si elle est donnée, remplace les trois conditions
    territoriales par une seule semi-jointure indexée ; ``etat`` : chemin vers
    l'état d'une demande, qui restreint les brouillons et les dépôts en ligne
    (``etats_reserves``).
    """
    condition = _q_visibles(
        queryset,
        user,
        departement=departement,
        commune=commune,
        guichet=guichet,
        demandeur=demandeur,
        cles=cles,
        etat=etat,
    )
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def filtrer_modifiables(
    queryset: QuerySet,
    user,
    *,
    commune: str,
    departement: str | None = None,
    guichet: str | None = None,
    demandeur: str | None = None,
    cles: str | None = None,
    etat: str | None = None,
):
    """Objets que ``user`` peut modifier : un demandeur les siens ; un agent de
    guichet d'un organisme doté d'un guichet accompagnateur, ceux qu'il voit."""
    if getattr(user, "is_demandeur", False):
        return filtrer(queryset, user, commune=commune, demandeur=demandeur)
    if not enregistre(user):
        return queryset.none()
    return filtrer(queryset, user, departement=departement, commune=commune, guichet=guichet, cles=cles, etat=etat)


def instruit(user) -> bool:
    """L'agent instruit-il des demandes pour un bailleur (complète, corrige, ajoute les pièces de l'instruction) ?"""
    return voit_nominatif(user) and user.a_role("instructeur_bailleur") and user.organisme.type == "bailleur"


ETAT_INSTRUISIBLE = "active"


def filtrer_instruisibles(
    queryset: QuerySet,
    user,
    *,
    commune: str,
    etat: str,
    departement: str | None = None,
    guichet: str | None = None,
    demandeur: str | None = None,
    cles: str | None = None,
):
    """Demandes que ``user`` peut compléter et corriger et auxquelles il peut ajouter des pièces : celles qu'il
    modifie (``filtrer_modifiables``), et pour un instructeur bailleur les demandes actives qu'il voit (ni
    brouillon, ni demande satisfaite ou annulée). Les actions de guichet (enregistrer, renouveler, annuler,
    radier, réactiver, fusionner) restent à ``filtrer_modifiables``."""
    options = {"departement": departement, "commune": commune, "guichet": guichet, "cles": cles, "etat": etat}
    if getattr(user, "is_demandeur", False) or enregistre(user):
        return filtrer_modifiables(queryset, user, demandeur=demandeur, **options)
    if not instruit(user):
        return queryset.none()
    return filtrer(queryset, user, **options).filter(**{etat: ETAT_INSTRUISIBLE})


def enregistre(user) -> bool:
    """L'agent peut-il enregistrer des demandes (guichet accompagnateur) ?"""
    if not (voit_nominatif(user) and user.a_role("agent_guichet")):
        return False
    return user.organisme.guichets.filter(type="accompagnateur", actif=True).exists()


def peut_voir(user, obj) -> bool:
    """L'objet (qui expose un manager ``visibles_par``) est-il visible ?"""
    manager = type(obj)._default_manager
    return manager.visibles_par(user).filter(pk=obj.pk).exists()


def peut_modifier(user, obj) -> bool:
    manager = type(obj)._default_manager
    return manager.modifiables_par(user).filter(pk=obj.pk).exists()
