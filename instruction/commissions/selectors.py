"""Lectures des commissions d'attribution : qui gère, qui voit, l'ordre du jour, le flux d'un réservataire.

``peut_gerer`` : agents nominatifs qui gèrent l'offre du bailleur de la commission (préparer les séances,
enregistrer les décisions et les baux). ``peut_voir`` : en plus, les membres de la commission et les agents
des réservataires invités (lecture de l'ordre du jour, vote à distance).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q

from fdls import acces
from instruction.commissions.models import Bail, Candidature, Commission, Examen, ObjectifFlux, Seance, Vote
from offre.models import Disponibilite, gere_offre


def peut_gerer(user, commission: Commission) -> bool:
    return bool(acces.voit_nominatif(user) and gere_offre(user) and user.organisme_id == commission.bailleur_id)


def peut_voir(user, commission: Commission) -> bool:
    if peut_gerer(user, commission):
        return True
    if not acces.voit_nominatif(user):
        return False
    return (
        commission.membres.filter(user=user).exists()
        or commission.reservataires_invites.filter(pk=user.organisme_id).exists()
    )


def commissions_visibles(user):
    """Les commissions que l'agent gère, dont il est membre ou où son organisme est invité."""
    if not acces.voit_nominatif(user):
        return Commission.objects.none()
    condition = Q(membres__user=user) | Q(reservataires_invites=user.organisme_id)
    if gere_offre(user):
        condition |= Q(bailleur=user.organisme_id)
    return Commission.objects.filter(condition).distinct().select_related("bailleur")


def seances(commissions):
    return (
        Seance.objects.filter(commission__in=commissions)
        .select_related("commission")
        .annotate(nb_logements=Count("examens", distinct=True))
        .order_by("-date", "-id")
    )


def seance_detaillee(pk: int):
    return Seance.objects.select_related("commission__bailleur").filter(pk=pk)


def ordre_du_jour(seance: Seance) -> list[Examen]:
    """Les logements de la séance dans l'ordre, chacun avec ses candidats (ordre de présentation)."""
    candidatures = Candidature.objects.select_related("demande", "positionnement__reservataire").order_by("ordre", "id")
    return list(
        Examen.objects.filter(seance=seance)
        .select_related(
            "disponibilite__logement__programme",
            "disponibilite__logement__commune",
            "disponibilite__reservataire",
        )
        .prefetch_related(
            Prefetch("candidatures", queryset=candidatures),
            Prefetch("votes", queryset=Vote.objects.select_related("membre__user")),
        )
        .order_by("ordre", "id")
    )


def vacances_a_inscrire(seance: Seance):
    """Vacances ouvertes du bailleur de la commission qui ont des candidats positionnés, hors de cette séance."""
    return (
        Disponibilite.objects.ouvertes()
        .filter(logement__bailleur=seance.commission.bailleur_id, positionnements__etat__in=["positionne", "retenu"])
        .exclude(examens_cal__seance=seance)
        .select_related("logement__programme")
        .distinct()
        .order_by("date_disponibilite", "id")
    )


def commissions_de_demande(demande) -> dict:
    """Bloc « Commission d'attribution de logement » de la fiche et de la fiche de synthèse PDF (seed 000 :
    organisme, séance, logement proposé, décision, rang, motif) ; source des blocs de l'instruction."""
    candidatures = (
        Candidature.objects.filter(demande=demande)
        .exclude(decision="")
        .select_related(
            "examen__seance__commission__bailleur",
            "examen__disponibilite__logement__programme",
            "examen__disponibilite__logement__commune",
        )
        .order_by("-examen__seance__date", "-id")
    )
    return {"commissions": list(candidatures)}


def flux_du_reservataire(reservataire, annee: int) -> list[dict]:
    """Par bailleur : l'objectif de l'année et les attributions (baux signés) sur le flux du réservataire."""
    debut, fin = date(annee, 1, 1), date(annee, 12, 31)
    objectifs = {
        o.bailleur_id: o
        for o in ObjectifFlux.objects.filter(reservataire=reservataire, annee=annee).select_related("bailleur")
    }
    attribues = dict(
        Bail.objects.filter(reservataire=reservataire, signe_le__range=(debut, fin))
        .values_list("bailleur")
        .annotate(n=Count("id"))
        .values_list("bailleur", "n")
    )
    a_pourvoir = dict(
        Disponibilite.objects.ouvertes()
        .filter(reservataire=reservataire)
        .values_list("logement__bailleur")
        .annotate(n=Count("id"))
        .values_list("logement__bailleur", "n")
    )
    bailleurs = {o.bailleur_id: o.bailleur for o in objectifs.values()}
    autres = set(attribues) | set(a_pourvoir)
    if autres - set(bailleurs):
        bailleurs.update({b.pk: b for b in type(reservataire).objects.filter(pk__in=autres - set(bailleurs))})
    lignes = []
    for pk, bailleur in sorted(bailleurs.items(), key=lambda kv: kv[1].nom):
        objectif = objectifs[pk].objectif if pk in objectifs else None
        n = attribues.get(pk, 0)
        lignes.append(
            {
                "bailleur": bailleur,
                "objectif": objectif,
                "attribues": n,
                "a_pourvoir": a_pourvoir.get(pk, 0),
                "taux": round(100 * n / objectif) if objectif else None,
            }
        )
    return lignes


def baux_du_flux(reservataire, annee: int):
    return (
        Bail.objects.filter(reservataire=reservataire, signe_le__year=annee)
        .select_related("disponibilite__logement__programme", "bailleur")
        .order_by("-signe_le")
    )


def objectifs_du_bailleur(bailleur, annee: int):
    """Les objectifs que le bailleur a fixés à ses réservataires pour l'année, avec les baux signés sur chacun."""
    objectifs = list(
        ObjectifFlux.objects.filter(bailleur=bailleur, annee=annee)
        .select_related("reservataire")
        .order_by("reservataire__nom")
    )
    attribues = dict(
        Bail.objects.filter(bailleur=bailleur, signe_le__year=annee)
        .values_list("reservataire")
        .annotate(n=Count("id"))
        .values_list("reservataire", "n")
    )
    for o in objectifs:
        o.attribues = attribues.get(o.reservataire_id, 0)
    return objectifs
