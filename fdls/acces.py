"""Politique d'accès aux données (CCH R441-2-6) — un seul module.

Question posée partout : « cet utilisateur peut-il voir / modifier cet objet,
ou les données de ce territoire ? ». Les écrans, exports, PDF et l'API passent
tous par ici, le plus souvent via les QuerySets métier
(``Demande.objects.visibles_par(user)``), si bien qu'aucun ne peut l'oublier.

Règles (docs/acces.md détaille la matrice) :

* un **demandeur** ne voit que ses propres demandes ;
* un **agent** voit les données nominatives s'il a un rôle nominatif (agent
  de guichet, instructeur bailleur, réservataire, administrateur) ; le rôle
  observateur ne donne accès qu'aux statistiques sans nom ;
* l'agent voit les demandes qui portent sur une commune du territoire
  d'habilitation de son organisme (``Organisme.perimetre`` : le département
  pour un bailleur, l'État, le département, Action Logement, le SIAO ou le
  gestionnaire ; l'EPCI pour un EPCI ; la commune pour une commune) et, en
  plus, celles enregistrées à un guichet de son organisme ;
* seul un agent de guichet d'un organisme qui a un guichet accompagnateur
  modifie une demande (seed 001 annexe 2) ;
* l'administration (partenaires, comptes, journal d'audit) est réservée aux
  administrateurs d'un organisme gestionnaire.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

# Rôles qui donnent accès aux données nominatives.
ROLES_NOMINATIFS = frozenset({"agent_guichet", "instructeur_bailleur", "reservataire", "administrateur"})
ROLES_STATISTIQUES = frozenset(ROLES_NOMINATIFS | {"observateur"})


def _est_agent_actif(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "is_agent", False))


def voit_nominatif(user) -> bool:
    """L'utilisateur peut-il consulter des données nominatives de demandes ?"""
    return _est_agent_actif(user) and user.organisme_id is not None and user.a_role(*ROLES_NOMINATIFS)


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
    return (
        user.a_role("administrateur")
        and user.organisme is not None
        and user.organisme.type == "gestionnaire"
    )


def consulte_audit(user) -> bool:
    """Le journal des consultations est lu par le gestionnaire du fichier."""
    return administre(user)


def communes_habilitees(user) -> QuerySet:
    """Codes INSEE du territoire d'habilitation de l'organisme de l'agent."""
    from fdls.territoires.models import Commune

    if not voit_nominatif(user):
        return Commune.objects.none().values("code_insee")
    return Commune.objects.filter(organismes_habilites=user.organisme_id).values("code_insee")


def voit_territoire(user, commune) -> bool:
    """L'agent peut-il consulter les données nominatives de cette commune ?"""
    code = getattr(commune, "code_insee", commune)
    return communes_habilitees(user).filter(code_insee=code).exists()


def _q_visibles(queryset: QuerySet, user, *, commune: str, organisme: str | None, demandeur: str | None) -> Q | None:
    """Filtre Q des objets visibles, ou None si rien n'est visible."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_demandeur", False):
        return Q(**{demandeur: user.pk}) if demandeur else None
    if not voit_nominatif(user):
        return None
    # Sous-requête plutôt que jointure : une demande à plusieurs communes
    # habilitées n'apparaît qu'une fois, sans DISTINCT.
    dans_perimetre = queryset.model._base_manager.filter(
        **{f"{commune}__in": communes_habilitees(user)}
    ).values("pk")
    condition = Q(pk__in=dans_perimetre)
    if organisme:
        condition |= Q(**{organisme: user.organisme_id})
    return condition


def filtrer(queryset: QuerySet, user, *, commune: str, organisme: str | None = None, demandeur: str | None = None):
    """Restreint ``queryset`` aux objets nominatifs que ``user`` peut consulter.

    ``commune`` : chemin vers la commune qui fonde l'habilitation territoriale ;
    ``organisme`` : chemin vers l'organisme qui a enregistré l'objet (toujours
    visible de lui) ; ``demandeur`` : chemin vers le compte du demandeur.
    """
    condition = _q_visibles(queryset, user, commune=commune, organisme=organisme, demandeur=demandeur)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def filtrer_modifiables(
    queryset: QuerySet, user, *, commune: str, organisme: str | None = None, demandeur: str | None = None
):
    """Objets que ``user`` peut modifier : un demandeur les siens ; un agent de
    guichet d'un organisme doté d'un guichet accompagnateur, ceux qu'il voit."""
    if getattr(user, "is_demandeur", False):
        return filtrer(queryset, user, commune=commune, organisme=organisme, demandeur=demandeur)
    if not (voit_nominatif(user) and user.a_role("agent_guichet") and enregistre(user)):
        return queryset.none()
    return filtrer(queryset, user, commune=commune, organisme=organisme, demandeur=None)


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
