"""Critères validés de la liste des demandes (``DemandeFilter.criteres()``), noms déjà normalisés.

Ils choisissent la variante de la recherche (``recherche_sql``) : par
échéance, par nom, par identifiant, ou les flux de la table de recherche.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F

# Ordre de l'ORM (exports CSV/XLSX, API) de chaque tri effectif : celui de la liste (``recherche_sql.tri``).
ORDRES_ORM = {
    "depot": (F("date_depot").asc(nulls_last=True), F("id").asc()),
    "-depot": (F("date_depot").desc(nulls_first=True), F("id").desc()),
    "expiration": (F("date_expiration").asc(), F("id").asc()),
    "-expiration": (F("date_expiration").desc(), F("id").desc()),
    "nom": (F("nom").asc(), F("prenom").asc(), F("id").asc()),
}


@dataclass(frozen=True)
class Criteres:
    """Critères validés de la liste (``DemandeFilter.criteres()``), noms déjà normalisés."""

    etat: str = ""
    nature: str = ""
    guichet_id: int | None = None
    guichet_departement: str = ""
    depot_du: date | None = None
    depot_au: date | None = None
    expiration_du: date | None = None
    expiration_au: date | None = None
    nom: str = ""
    prenom: str = ""
    numero_unique: str = ""
    reference: str = ""
    brouillons_organisme_id: int | None = None
    label_id: int | None = None
    contingent_id: int | None = None
    # File de travail de l'accueil (``a_traiter``) : « doublons » (suspicion à traiter), « pieces »
    # (demande active de l'organisme sans pièce d'identité du demandeur) ; l'organisme de l'agent pour « pieces ».
    a_traiter: str = ""
    organisme_id: int | None = None
    # Recherche d'une personne : début du numéro unique (chiffres), date de naissance, téléphone
    # (chiffres, 9 derniers), courriel (minuscules).
    numero_partiel: str = ""
    date_naissance: date | None = None
    telephone: str = ""
    email: str = ""
    # Tri choisi par l'agent (colonnes triables de la liste) : « depot » (plus ancien d'abord), « -depot »,
    # « expiration », « -expiration » ; vide : l'ordre de la variante. Voir ``tris_possibles``.
    tri: str = ""

    @property
    def par_echeance(self) -> bool:
        """Liste de relances : échéance bornée, demandes actives, triées par échéance."""
        return bool(self.expiration_du or self.expiration_au) and self.etat in ("", "active")

    @property
    def par_identifiant(self) -> bool:
        """Numéro unique, référence, brouillons de l'organisme, label : relativement peu de demandes."""
        return bool(
            self.numero_unique
            or self.reference
            or self.brouillons_organisme_id
            or self.label_id
            or self.contingent_id
            or self.a_traiter
            or self.numero_partiel
            or self.date_naissance
            or self.telephone
            or self.email
        )

    @property
    def par_nom(self) -> bool:
        """Recherche par nom : ordre alphabétique (nom, prénom), lu sur l'index des clés d'identité."""
        return bool(self.nom or self.prenom) and not self.par_identifiant

    @property
    def tris_possibles(self) -> frozenset[str]:
        """Tris que la liste sait servir par un index pour ces critères (docs/decisions.md, session 10).

        Par nom : l'ordre alphabétique seul (lu dans l'ordre de l'index des clés d'identité). Par
        identifiant : tout (peu de demandes, triées ensemble). Sinon : la date de dépôt dans les deux
        sens (index des flux lu à l'endroit ou à l'envers) ; la date de renouvellement pour les seules
        demandes actives (index partiel des échéances)."""
        if self.par_nom:
            return frozenset()
        depot = frozenset({"depot", "-depot"})
        if self.par_identifiant or self.par_echeance or self.etat == "active":
            return depot | {"expiration", "-expiration"}
        return depot

    @property
    def tri_effectif(self) -> str:
        """Le tri appliqué : celui demandé s'il est possible, sinon celui de la variante."""
        if self.tri in self.tris_possibles:
            return self.tri
        if self.par_nom:
            return "nom"
        return "expiration" if self.par_echeance else "-depot"

    @property
    def ordre_orm(self) -> tuple:
        """``order_by`` de l'ORM du tri effectif : un export suit l'ordre de la liste que l'agent regarde."""
        return ORDRES_ORM[self.tri_effectif]
