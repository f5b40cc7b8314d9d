"""Recherche des demandes pour la liste des agents, sur la table de recherche étroite.

La liste d'un agent est l'union de flux triés : pour chacune de ses clés
d'accès (``fdls.acces.cles_acces`` : département entier, EPCI entiers,
communes isolées, guichets propres) et chaque état, les lignes de
``demandes_lignerecherche``, lues dans l'ordre de l'index
``(cle, etat, date_depot DESC, demande DESC)`` et bornées à la page
demandée ; les flux sont fusionnés, dédoublonnés (une demande a une ligne par
commune souhaitée) et découpés. Le coût dépend de la
page et du nombre de clés, plus de la taille du fichier.

Trois variantes, choisies d'après les critères :

* **par échéance** (« à renouveler du … au … ») : flux lus sur l'index partiel
  ``(cle, date_expiration, demande) WHERE etat = 'active'`` et triés par
  échéance croissante, l'ordre d'une liste de relances ;
* **par nom** (début du nom, du prénom) : ordre alphabétique, lu sur l'index
  ``cle_nom_tri`` des clés d'identité (demandeur et co-demandeur), chaque
  demande filtrée et son accès vérifié ligne à ligne : « MAR » (6 % du
  fichier) coûte autant que « MARTINEAU » ;
* **par identifiant** (numéro unique, référence, brouillons de l'organisme,
  label ou contingent) : relativement peu de demandes, lues par leur index,
  accès vérifié ligne à ligne, triées par date de dépôt.

Le comptage s'arrête à ``PLAFOND_COMPTAGE`` + 1 (« plus de 2 000 » ; 500 pour
une recherche par nom ou un guichet que l'agent ne voit pas en entier) : au-delà,
l'agent affine ses critères. ``DemandeFilter.qs`` (export, API) applique les
mêmes critères par l'ORM ; un test vérifie que les deux chemins rendent les
mêmes demandes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.functional import cached_property

from demandes.labels import demandes_avec_label
from demandes.models import Demande
from fdls import acces

PLAFOND_COMPTAGE = 2_000
# Recherche par nom : au-delà de 10 pages, l'agent précise le nom (chaque ligne
# lue est vérifiée une à une, le comptage complet coûterait la page).
PLAFOND_COMPTAGE_NOM = 500
# Guichet hors des clés de l'agent : même plafond, pour la même raison (chaque ligne du flux du
# guichet est vérifiée une à une ; pour une commune, ≈ 1 ligne sur 15 du guichet lui est visible).
PLAFOND_COMPTAGE_GUICHET_FILTRE = 500
ETATS = list(Demande.Etat.values)


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

    @property
    def par_echeance(self) -> bool:
        """Liste de relances : échéance bornée, demandes actives, triées par échéance."""
        return bool(self.expiration_du or self.expiration_au) and self.etat in ("", "active")

    @property
    def par_identifiant(self) -> bool:
        """Numéro unique, référence, brouillons de l'organisme, label : relativement peu de demandes."""
        return bool(
            self.numero_unique or self.reference or self.brouillons_organisme_id or self.label_id or self.contingent_id
        )

    @property
    def par_nom(self) -> bool:
        """Recherche par nom : ordre alphabétique (nom, prénom), lu sur l'index des clés d'identité."""
        return bool(self.nom or self.prenom) and not self.par_identifiant


class _Sql:
    """Conditions SQL et paramètres nommés (liaison côté client : les littéraux
    restent visibles du planificateur, qui peut choisir les index partiels)."""

    def __init__(self):
        self.conditions: list[str] = []
        self.parametres: dict = {}

    def ajouter(self, condition: str, **parametres) -> None:
        self.conditions.append(condition)
        self.parametres.update(parametres)

    @property
    def where(self) -> str:
        return "".join(f" AND {c}" for c in self.conditions)


def _filtres_colonnes(criteres: Criteres, alias: str, sql: _Sql, *, guichet: bool = True) -> None:
    """Critères portant sur des colonnes présentes dans la demande et dans la table de recherche.

    ``guichet=False`` : la requête ne lit que le flux du guichet demandé, où la colonne vaut déjà ce
    guichet (la filtrer obligerait à lire chaque ligne de la table au lieu de l'index seul)."""
    if criteres.par_echeance:
        sql.ajouter(f"{alias}.etat = 'active'")
    elif criteres.etat:
        sql.ajouter(f"{alias}.etat = %(etat)s", etat=criteres.etat)
    if criteres.nature:
        sql.ajouter(f"{alias}.nature = %(nature)s", nature=criteres.nature)
    if criteres.guichet_id and guichet:
        sql.ajouter(f"{alias}.guichet_id = %(guichet)s", guichet=criteres.guichet_id)
    if criteres.depot_du:
        sql.ajouter(f"{alias}.date_depot >= %(depot_du)s", depot_du=criteres.depot_du)
    if criteres.depot_au:
        sql.ajouter(f"{alias}.date_depot <= %(depot_au)s", depot_au=criteres.depot_au)
    if criteres.expiration_du:
        sql.ajouter(f"{alias}.date_expiration >= %(exp_du)s", exp_du=criteres.expiration_du)
    if criteres.expiration_au:
        sql.ajouter(f"{alias}.date_expiration <= %(exp_au)s", exp_au=criteres.expiration_au)


def _tri(criteres: Criteres, alias: str, cle: str) -> tuple[str, str]:
    """(colonne de tri, ORDER BY) de la variante."""
    if criteres.par_echeance:
        return f"{alias}.date_expiration", f"tri ASC, {cle} ASC"
    return f"{alias}.date_depot", f"tri DESC NULLS FIRST, {cle} DESC"


_ACCES = "EXISTS (SELECT 1 FROM demandes_lignerecherche a WHERE a.demande_id = {id} AND a.cle = ANY(%(cles)s))"


def _guichet_filtre_par_cles(criteres: Criteres, cles: list[str]) -> bool:
    """Un guichet est demandé que l'agent ne voit pas en entier : son flux est filtré par les clés de l'agent."""
    return bool(
        criteres.guichet_id
        and not criteres.par_identifiant
        and f"G{criteres.guichet_id}" not in cles
        and f"D{criteres.guichet_departement}" not in cles
    )


def _requete_flux(criteres: Criteres, cles: list[str], borne: int) -> tuple[str, dict]:
    """Union des flux (un par clé et par état), chacun borné à ``borne`` lignes, dédoublonnée."""
    sql = _Sql()
    sql.parametres["borne"] = borne
    flux = cles
    acces = ""
    if criteres.guichet_id:
        # Guichet demandé : le seul flux du guichet. L'agent en voit tout (son
        # guichet, ou un guichet d'un département qu'il couvre) ; sinon chaque
        # ligne du flux est filtrée par ses clés. Filtrer ses propres flux sur le
        # guichet parcourrait, pour une clé d'un autre guichet, toutes ses lignes
        # sans en trouver une (2,5 s mesurées à 1 M de demandes).
        flux = [f"G{criteres.guichet_id}"]
        if _guichet_filtre_par_cles(criteres, cles):
            acces = " AND " + _ACCES.format(id="r.demande_id")
            sql.parametres["cles"] = cles
    sql.parametres["flux"] = flux
    # Un flux par clé et par état (index (cle, etat, date_depot…)) : lire les
    # satisfaites ne parcourt pas les actives, plus récentes.
    sql.parametres["etats"] = [criteres.etat or "active"] if criteres.par_echeance or criteres.etat else ETATS
    _filtres_colonnes(criteres, "r", sql, guichet=False)  # guichet demandé : son seul flux
    colonne, ordre = _tri(criteres, "r", "r.demande_id")
    ordre_interne = ordre.replace("tri", colonne)
    requete = f"""
        SELECT DISTINCT s.demande_id, s.tri
          FROM unnest(%(flux)s::varchar[]) AS k(cle)
         CROSS JOIN unnest(%(etats)s::varchar[]) AS e(etat)
         CROSS JOIN LATERAL (
               SELECT r.demande_id, {colonne} AS tri
                 FROM demandes_lignerecherche r
                WHERE r.cle = k.cle AND r.etat = e.etat{sql.where}{acces}
                ORDER BY {ordre_interne}
                LIMIT %(borne)s
         ) AS s
    """
    return requete, sql.parametres


def _identite(criteres: Criteres, sql: _Sql, *, semi_jointure: bool) -> None:
    conditions = []
    if criteres.nom:
        conditions.append("c.nom LIKE %(nom)s")
        sql.parametres["nom"] = f"{criteres.nom}%"
    if criteres.prenom:
        conditions.append("c.prenom LIKE %(prenom)s")
        sql.parametres["prenom"] = f"{criteres.prenom}%"
    if not conditions:
        return
    if semi_jointure:
        sql.ajouter(f"d.id IN (SELECT c.demande_id FROM demandes_cleidentite c WHERE {' AND '.join(conditions)})")
    else:
        for condition in conditions:
            sql.ajouter(condition)


def _requete_nom(criteres: Criteres, cles: list[str], departements: list[str], borne: int) -> tuple[str, dict]:
    """Clés d'identité dans l'ordre alphabétique (index ``cle_nom_tri``), demande filtrée ligne à ligne.

    Une demande peut sortir deux fois (demandeur et co-demandeur du même
    nom) : ``ResultatRecherche._par_nom`` dédoublonne en gardant la première.
    """
    sql = _Sql()
    _identite(criteres, sql, semi_jointure=False)
    colonnes = _Sql()
    _filtres_colonnes(criteres, "d", colonnes)
    if departements or colonnes.conditions:
        sql.ajouter(_acces_demande(departements), cles=cles, departements=departements)
        sql.conditions += colonnes.conditions
        sql.parametres.update(colonnes.parametres)
        source = "demandes_cleidentite c JOIN demandes_demande d ON d.id = c.demande_id"
    else:
        # Nom seul, agent sans département entier : l'accès se lit dans la table de recherche, sans
        # lire la ligne (large) de chaque demande rencontrée (≈ 8 000 pour « mar » vu d'une commune).
        sql.ajouter(_ACCES.format(id="c.demande_id"), cles=cles)
        source = "demandes_cleidentite c"
    sql.parametres["borne"] = borne
    requete = f"""
        SELECT c.demande_id
          FROM {source}
         WHERE TRUE{sql.where}
         ORDER BY c.nom USING ~<~, c.prenom USING ~<~, c.demande_id
         LIMIT %(borne)s
    """
    return requete, sql.parametres


def _acces_demande(departements: list[str]) -> str:
    """Accès d'une demande lue ligne à ligne : département couvert (colonne de la
    demande, sans lecture de plus), sinon l'une de ses clés de recherche."""
    acces_cles = _ACCES.format(id="d.id")
    if departements:
        return f"(d.departement_id = ANY(%(departements)s) OR {acces_cles})"
    return acces_cles


def _requete_identifiant(criteres: Criteres, cles: list[str], departements: list[str]) -> tuple[str, dict]:
    """Demandes désignées par un identifiant, accès vérifié par la table de recherche."""
    sql = _Sql()
    sql.ajouter(_acces_demande(departements), cles=cles, departements=departements)
    if criteres.numero_unique:
        sql.ajouter("d.numero_unique = %(nu)s", nu=criteres.numero_unique)
    if criteres.reference:
        sql.ajouter("d.reference = %(reference)s", reference=criteres.reference)
    if criteres.brouillons_organisme_id:
        sql.ajouter(
            "d.etat = 'brouillon' AND d.organisme_saisie_id = %(organisme)s", organisme=criteres.brouillons_organisme_id
        )
    if criteres.label_id or criteres.contingent_id:
        sql.ajouter(
            "d.id = ANY(%(labellisees)s)",
            labellisees=demandes_avec_label(type_label=criteres.label_id, organisme=criteres.contingent_id),
        )
    _identite(criteres, sql, semi_jointure=True)
    _filtres_colonnes(criteres, "d", sql)
    colonne, _ordre = _tri(criteres, "d", "d.id")
    requete = f"""
        SELECT d.id AS demande_id, {colonne} AS tri
          FROM demandes_demande d
         WHERE TRUE{sql.where}
    """
    return requete, sql.parametres


class ResultatRecherche:
    """Résultat paresseux pour ``django.core.paginator.Paginator`` : ``count()``
    plafonné, ``[a:b]`` rend les demandes de la tranche dans l'ordre de la liste.

    ``preparer(ids)`` charge les demandes d'une page (avec leurs relations) ;
    elle repasse par la politique d'accès.
    """

    ordered = True

    def __init__(self, user, criteres: Criteres, preparer, *, plafond: int = PLAFOND_COMPTAGE):
        self.user = user
        self.criteres = criteres
        self.preparer = preparer
        self.cles = acces.cles_acces(user) or []
        self.departements = [cle[1:] for cle in self.cles if cle.startswith("D")]
        if criteres.par_nom:
            plafond = min(plafond, PLAFOND_COMPTAGE_NOM)
        elif _guichet_filtre_par_cles(criteres, self.cles):
            plafond = min(plafond, PLAFOND_COMPTAGE_GUICHET_FILTRE)
        self.plafond = plafond

    def _requete(self, borne: int) -> tuple[str, dict]:
        if self.criteres.par_identifiant:
            return _requete_identifiant(self.criteres, self.cles, self.departements)
        return _requete_flux(self.criteres, self.cles, borne)

    def _par_nom(self, fin: int) -> list[int]:
        """Les ``fin`` premières demandes distinctes dans l'ordre alphabétique.

        Une demande sort deux fois quand demandeur et co-demandeur répondent au nom (un couple qui
        porte le même) : 1,5 × ``fin`` lignes suffisent d'ordinaire ; sinon la lecture reprend avec
        deux fois plus (chaque ligne lue coûte une vérification d'accès).
        """
        borne = fin + fin // 2 + 1
        while True:
            requete, parametres = _requete_nom(self.criteres, self.cles, self.departements, borne)
            with connection.cursor() as curseur:
                curseur.execute(requete, parametres)
                lignes = curseur.fetchall()
            distinctes = list(dict.fromkeys(ligne[0] for ligne in lignes))
            if len(distinctes) >= fin or len(lignes) < borne:
                return distinctes[:fin]
            borne *= 2

    def identifiants(self, debut: int, fin: int) -> list[int]:
        if not self.cles or fin <= debut:
            return []
        if self.criteres.par_nom:
            return self._par_nom(fin)[debut:]
        requete, parametres = self._requete(fin)
        _colonne, ordre = _tri(self.criteres, "s", "demande_id")
        parametres = {**parametres, "debut": debut, "nombre": fin - debut}
        with connection.cursor() as curseur:
            curseur.execute(
                f"SELECT demande_id FROM ({requete}) AS t ORDER BY {ordre} OFFSET %(debut)s LIMIT %(nombre)s",
                parametres,
            )
            return [ligne[0] for ligne in curseur.fetchall()]

    @cached_property
    def _compte_borne(self) -> int:
        if not self.cles:
            return 0
        if self.criteres.par_nom:
            return len(self._par_nom(self.plafond + 1))
        requete, parametres = self._requete(self.plafond + 1)
        with connection.cursor() as curseur:
            curseur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM ({requete}) AS t LIMIT %(plafond)s) AS n",
                {**parametres, "plafond": self.plafond + 1},
            )
            return curseur.fetchone()[0]

    def count(self) -> int:
        return min(self._compte_borne, self.plafond)

    @property
    def depasse_plafond(self) -> bool:
        return self._compte_borne > self.plafond

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, tranche):
        if not isinstance(tranche, slice):
            raise TypeError("ResultatRecherche ne se lit que par tranches.")
        ids = self.identifiants(tranche.start or 0, tranche.stop if tranche.stop is not None else self.plafond)
        if not ids:
            return []
        par_id = {demande.pk: demande for demande in self.preparer(ids)}
        return [par_id[pk] for pk in ids if pk in par_id]
