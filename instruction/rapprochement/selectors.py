"""Lectures de la recherche de candidats : accès à la vacance, page de candidats, demandes nommées."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from demandes.models import Demande, LocalisationSouhaitee, TypeLabel
from fdls import acces
from fdls.socle.typographie import chiffres
from fdls.socle.vues import objet_ou_404
from instruction.rapprochement import criteres, explication, recherche_sql
from instruction.rapprochement.models import LigneCandidat
from offre.models import Disponibilite, EtatDisponibilite

ETATS_RECHERCHE = (EtatDisponibilite.A_POURVOIR, EtatDisponibilite.EN_COURS)
REFUS = (
    "La recherche de candidats d'une vacance est réservée aux instructeurs de son bailleur et aux agents "
    "du réservataire dont c'est le tour."
)
PAR_PAGE = 25
PLAFOND_COMPTE = recherche_sql.PLAFOND_COMPTE
NOMMEES_MAX = 10


def peut_rechercher(user, disponibilite: Disponibilite) -> bool:
    """Instructeur du bailleur du logement, ou réservataire dont c'est le tour (docs/acces.md)."""
    if not acces.voit_nominatif(user):
        return False
    if user.a_role("instructeur_bailleur") and user.organisme_id == disponibilite.logement.bailleur_id:
        return True
    return user.a_role("reservataire") and user.organisme_id == disponibilite.reservataire_id


def disponibilite_pour(user, pk) -> Disponibilite:
    """La vacance ouverte ``pk`` si l'agent peut y chercher des candidats ; 404 hors de son parc visible."""
    disponibilite = objet_ou_404(
        Disponibilite.objects.visibles_par(user)
        .filter(etat__in=ETATS_RECHERCHE)
        .select_related("logement__programme", "logement__commune", "logement__quartier", "reservataire"),
        pk,
    )
    if not peut_rechercher(user, disponibilite):
        raise PermissionDenied(REFUS)
    return disponibilite


@dataclass
class Candidat:
    ligne: LigneCandidat
    demande: Demande
    rang: int
    labels: list[TypeLabel]

    @property
    def contingents(self) -> list[TypeLabel]:
        return [t for t in self.labels if t.famille == TypeLabel.Famille.CONTINGENT]

    @property
    def autres_labels(self) -> list[TypeLabel]:
        return [t for t in self.labels if t.famille != TypeLabel.Famille.CONTINGENT]


@dataclass
class PageCandidats:
    candidats: list[Candidat]
    numero: int
    compte: int
    suivante: bool

    @property
    def depasse_plafond(self) -> bool:
        return self.compte > recherche_sql.PLAFOND_COMPTE

    @property
    def precedente(self) -> bool:
        return self.numero > 1


def recherche(disponibilite: Disponibilite, filtres: dict | None = None) -> criteres.Recherche:
    return criteres.construire(disponibilite, filtres, le=timezone.localdate())


def page_candidats(r: criteres.Recherche, user, numero: int = 1, par_page: int = PAR_PAGE) -> PageCandidats:
    """Une page de candidats : lignes classées (une requête), leurs demandes et leurs labels (deux requêtes)."""
    cles = acces.cles_acces(user) or []
    numero = max(1, numero)
    decalage = (numero - 1) * par_page
    # La page et le nombre de candidats (arrêté au plafond) en un seul parcours ; au-delà de la fin, un compte.
    lignes, compte = recherche_sql.candidats_et_compte(r, cles, limite=par_page + 1, decalage=decalage)
    suivante = len(lignes) > par_page
    lignes = lignes[:par_page]
    if compte is None:
        compte = recherche_sql.compter(r, cles)
    candidats = [
        Candidat(ligne=ligne, demande=_demande(ligne), rang=decalage + i, labels=_types_labels(ligne))
        for i, ligne in enumerate(lignes, start=1)
    ]
    return PageCandidats(candidats=candidats, numero=numero, compte=compte, suivante=suivante)


def _demande(ligne: LigneCandidat) -> Demande:
    """La demande d'une ligne de la page, des colonnes lues avec elle (les autres champs sont différés)."""
    lues = {c: getattr(ligne, recherche_sql.PREFIXE_DEMANDE + c) for c in recherche_sql.COLONNES_DEMANDE}
    lues["id"] = ligne.demande_id
    # ``from_db`` attend les valeurs dans l'ordre des champs du modèle.
    noms = [f.attname for f in Demande._meta.concrete_fields if f.attname in lues]
    return Demande.from_db(connection.alias, noms, [lues[n] for n in noms])


def _types_labels(ligne: LigneCandidat) -> list[TypeLabel]:
    return [
        TypeLabel(id=t["id"], code=t["code"], libelle=t["libelle"], famille=t["famille"])
        for t in ligne.types_labels or []  # ``json`` (pas ``jsonb``) : décodé par psycopg
    ]


def demandes_nommees(user, texte: str) -> list[Demande]:
    """Demandes visibles désignées par un numéro unique (espaces et tirets ignorés) ou un début de nom."""
    texte = (texte or "").strip()
    if not texte:
        return []
    visibles = Demande.objects.visibles_par(user)
    if not re.search(r"[^\d\s.\-/]", texte):  # que des chiffres et des séparateurs : un numéro unique
        numero = chiffres(texte)
        filtre = {"numero_unique": numero} if len(numero) >= 18 else {"numero_unique__startswith": numero}
    else:
        filtre = {"nom__istartswith": texte}
    return list(
        visibles.filter(**filtre)
        .prefetch_related(Prefetch("localisations", queryset=LocalisationSouhaitee.objects.select_related("commune")))
        .order_by("nom", "prenom", "pk")[:NOMMEES_MAX]
    )


def expliquer(r: criteres.Recherche, user, demandes: list[Demande]) -> list[explication.Explication]:
    cles = acces.cles_acces(user) or []
    return explication.expliquer_plusieurs(r, demandes, cles)
