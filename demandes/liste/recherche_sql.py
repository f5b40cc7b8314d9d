"""SQL de la liste des demandes, sur la table de recherche étroite (``demandes_lignerecherche``).

Les requêtes des trois variantes de ``recherche.ResultatRecherche`` (flux par
clé et par état, ordre alphabétique des clés d'identité, identifiants) et
leur exécution. Leurs jumeaux ORM sont les mêmes critères appliqués par
``DemandeFilter.qs`` (export, API). Tests d'accord
(``tests/demandes/liste/test_recherche.py``) :
``test_la_liste_rend_les_memes_demandes_que_l_orm`` (mêmes demandes, même
ordre, par les deux chemins, pour chaque variante et chaque profil d'agent),
``test_filtre_par_label_et_contingent``,
``test_brouillons_et_depots_en_ligne_memes_demandes_que_l_orm`` (restriction par état de
``fdls.acces.etats_reserves``), ``test_criteres_de_la_session_10_memes_demandes_que_l_orm`` (file de
l'accueil : doublons, pièces manquantes — jumeau ``pieces.services.sans_piece_identite`` —, numéro unique
partiel, tris par colonne), ``tests/demandes/liste/test_recherche_personne.py`` (nom de naissance,
prénom et date de naissance, téléphone, courriel, par les deux chemins), et la table elle-même contre celle
qu'on recalculerait depuis les demandes (``test_la_table_suit_chaque_ecriture_des_services``).
"""

from __future__ import annotations

from django.db import connection

from demandes.dossier.models import Demande
from demandes.liste.criteres import Criteres

TOUS_LES_ETATS = list(Demande.Etat.values)
BROUILLON = Demande.Etat.BROUILLON.value


class Sql:
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


def filtres_colonnes(criteres: Criteres, alias: str, sql: Sql, *, guichet: bool = True) -> None:
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


def tri(criteres: Criteres, alias: str, cle: str) -> tuple[str, str]:
    """(colonne de tri, ORDER BY) du tri effectif (``Criteres.tri_effectif``) : chaque ordre est celui d'un
    index des flux, lu à l'endroit ou à l'envers (``recherche_cle_etat_depot``, ``recherche_cle_echeance``)."""
    ordre = criteres.tri_effectif
    if ordre == "expiration":
        return f"{alias}.date_expiration", f"tri ASC, {cle} ASC"
    if ordre == "-expiration":
        return f"{alias}.date_expiration", f"tri DESC, {cle} DESC"
    if ordre == "depot":
        return f"{alias}.date_depot", f"tri ASC NULLS LAST, {cle} ASC"
    return f"{alias}.date_depot", f"tri DESC NULLS FIRST, {cle} DESC"


ACCES = "EXISTS (SELECT 1 FROM demandes_lignerecherche a WHERE a.demande_id = {id} AND a.cle = ANY(%(cles)s))"
# États hors du fichier partagé (``fdls.acces.etats_reserves``) : ``etats_caches`` jamais visibles de l'agent,
# un brouillon seulement d'un guichet de son organisme. La table de recherche et la demande portent toutes deux
# ``etat`` et ``guichet_id``.
ETATS = (
    "{a}.etat <> ALL(%(etats_caches)s) AND ({a}.etat <> 'brouillon' OR {a}.guichet_id = ANY(%(guichets_brouillons)s))"
)


def parametres_etats(reserves) -> dict:
    """Paramètres de ``ETATS`` pour les réserves de l'agent (``fdls.acces.EtatsReserves``)."""
    return {"etats_caches": list(reserves.caches), "guichets_brouillons": list(reserves.guichets_brouillons)}


def acces_etats(alias: str, reserves, sql: Sql) -> None:
    """Ajoute la restriction par état sur les colonnes de ``alias`` (demande ou ligne de recherche)."""
    sql.ajouter(ETATS.format(a=alias), **parametres_etats(reserves))


def guichet_filtre_par_cles(criteres: Criteres, cles: list[str]) -> bool:
    """Un guichet est demandé que l'agent ne voit pas en entier : son flux est filtré par les clés de l'agent."""
    return bool(
        criteres.guichet_id
        and not criteres.par_identifiant
        and f"G{criteres.guichet_id}" not in cles
        and f"D{criteres.guichet_departement}" not in cles
    )


def requete_flux(criteres: Criteres, cles: list[str], borne: int, reserves) -> tuple[str, dict]:
    """Union des flux (un par clé et par état), chacun borné à ``borne`` lignes, dédoublonnée ; les états que
    l'agent ne voit pas ne sont pas lus, les brouillons seulement ceux de ses guichets (``reserves``)."""
    sql = Sql()
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
        if guichet_filtre_par_cles(criteres, cles):
            acces = " AND " + ACCES.format(id="r.demande_id")
            sql.parametres["cles"] = cles
    # Un flux par clé et par état (index (cle, etat, date_depot…)) : lire les
    # satisfaites ne parcourt pas les actives, plus récentes. Les états cachés de
    # l'agent ne sont pas lus ; les brouillons, seulement par les clés ``G`` des
    # guichets de son organisme (``reserves``) : une condition sur ``guichet_id``
    # empêcherait le parcours de l'index seul.
    etats = [criteres.etat or "active"] if criteres.par_echeance or criteres.etat else TOUS_LES_ETATS
    paires = [(cle, etat) for cle in flux for etat in etats if etat not in reserves.caches and etat != BROUILLON]
    if BROUILLON in etats:
        propres = [f"G{pk}" for pk in reserves.guichets_brouillons]
        paires += [(cle, BROUILLON) for cle in propres if not criteres.guichet_id or cle in flux]
    sql.parametres["flux"] = [cle for cle, _ in paires]
    sql.parametres["etats"] = [etat for _, etat in paires]
    filtres_colonnes(criteres, "r", sql, guichet=False)  # guichet demandé : son seul flux
    colonne, ordre = tri(criteres, "r", "r.demande_id")
    ordre_interne = ordre.replace("tri", colonne)
    requete = f"""
        SELECT DISTINCT s.demande_id, s.tri
          FROM unnest(%(flux)s::varchar[], %(etats)s::varchar[]) AS k(cle, etat)
         CROSS JOIN LATERAL (
               SELECT r.demande_id, {colonne} AS tri
                 FROM demandes_lignerecherche r
                WHERE r.cle = k.cle AND r.etat = k.etat{sql.where}{acces}
                ORDER BY {ordre_interne}
                LIMIT %(borne)s
         ) AS s
    """
    return requete, sql.parametres


def identite(criteres: Criteres, sql: Sql, *, semi_jointure: bool, colonne_nom: str = "") -> None:
    """Conditions sur les clés d'identité ``c`` : début du nom (d'usage ou de naissance, ou seulement
    ``colonne_nom`` pour une lecture dans l'ordre d'un des deux), du prénom, date de naissance."""
    conditions = []
    if criteres.nom:
        if colonne_nom:
            conditions.append(f"c.{colonne_nom} LIKE %(nom)s")
        else:
            conditions.append("(c.nom LIKE %(nom)s OR c.nom_naissance LIKE %(nom)s)")
        sql.parametres["nom"] = f"{criteres.nom}%"
    if criteres.prenom:
        conditions.append("c.prenom LIKE %(prenom)s")
        sql.parametres["prenom"] = f"{criteres.prenom}%"
    if criteres.date_naissance:
        conditions.append("c.date_naissance = %(naissance)s")
        sql.parametres["naissance"] = criteres.date_naissance
    if not conditions:
        return
    if semi_jointure:
        sql.ajouter(f"d.id IN (SELECT c.demande_id FROM demandes_cleidentite c WHERE {' AND '.join(conditions)})")
    else:
        for condition in conditions:
            sql.ajouter(condition)


def requete_nom(
    criteres: Criteres,
    cles: list[str],
    departements: list[str],
    borne: int,
    reserves,
    *,
    colonne: str = "nom",
    jusqua: str | None = None,
) -> tuple[str, dict]:
    """Clés d'identité dans l'ordre alphabétique de ``colonne``, demande filtrée ligne à ligne.

    Lignes (``demande_id``, ``tri_nom``, ``tri_prenom``), ``borne`` au plus. Le nom cherché est le nom
    d'usage ou le nom de naissance (« marital ou jeune fille ») : une lecture par colonne, l'une sur
    ``cle_nom_tri``, l'autre sur ``cle_nom_naissance_tri`` (index partiel des seules clés qui ont un nom de
    naissance), fusionnées par ``ResultatRecherche._par_nom`` dans l'ordre du nom qui répond. ``jusqua`` :
    la lecture s'arrête à ce nom (compris) — la première lecture a déjà ``borne`` lignes jusque-là, les
    suivantes ne peuvent pas la devancer. Une demande peut sortir deux fois (demandeur et co-demandeur du
    même nom) : ``_par_nom`` dédoublonne en gardant la première.
    """
    sql = Sql()
    identite(criteres, sql, semi_jointure=False, colonne_nom=colonne)
    colonnes = Sql()
    filtres_colonnes(criteres, "d", colonnes)
    if departements or colonnes.conditions:
        sql.ajouter(acces_demande(departements), cles=cles, departements=departements)
        sql.conditions += colonnes.conditions
        sql.parametres.update(colonnes.parametres)
        acces_etats("d", reserves, sql)
        source = "demandes_cleidentite c JOIN demandes_demande d ON d.id = c.demande_id"
    else:
        # Nom seul, agent sans département entier : l'accès se lit dans la table de recherche, sans
        # lire la ligne (large) de chaque demande rencontrée (≈ 8 000 pour « mar » vu d'une commune) ;
        # l'état et le guichet aussi (mêmes valeurs sur chaque ligne d'une demande).
        sql.ajouter(
            ACCES.format(id="c.demande_id")[:-1] + " AND " + ETATS.format(a="a") + ")",
            cles=cles,
            **parametres_etats(reserves),
        )
        source = "demandes_cleidentite c"
    if colonne == "nom_naissance":
        sql.ajouter("c.nom_naissance <> ''")
    if jusqua is not None:
        sql.ajouter(f"c.{colonne} ~<=~ %(jusqua)s", jusqua=jusqua)
    sql.parametres["borne"] = borne
    requete = f"""
        SELECT c.demande_id, c.{colonne} AS tri_nom, c.prenom AS tri_prenom
          FROM {source}
         WHERE TRUE{sql.where}
         ORDER BY c.{colonne} USING ~<~, c.prenom USING ~<~, c.demande_id
         LIMIT %(borne)s
    """
    return requete, sql.parametres


def acces_demande(departements: list[str]) -> str:
    """Accès d'une demande lue ligne à ligne : département couvert (colonne de la
    demande, sans lecture de plus), sinon l'une de ses clés de recherche."""
    acces_cles = ACCES.format(id="d.id")
    if departements:
        return f"(d.departement_id = ANY(%(departements)s) OR {acces_cles})"
    return acces_cles


# Une partie du numéro d'au moins ``FENETRE`` chiffres se cherche par l'index de ses fenêtres (migration 0036),
# une plus courte par l'index de trigrammes (0034).
FENETRE = 6


def numero_partiel(chiffres: str, sql: Sql) -> None:
    """Les numéros uniques qui contiennent ``chiffres`` (jumeau ORM : ``numero_unique__contains``)."""
    if len(chiffres) < FENETRE:
        sql.ajouter("d.numero_unique LIKE %(nu_partiel)s", nu_partiel=f"%{chiffres}%")
        return
    fenetres = sorted({chiffres[i : i + FENETRE] for i in range(len(chiffres) - FENETRE + 1)})
    # ``strpos`` et non ``LIKE`` : les fenêtres peuvent être dans le numéro sans se suivre ; ``LIKE`` ferait
    # préférer au planificateur l'index de trigrammes, bien moins sélectif sur des chiffres.
    sql.ajouter(
        "demandes_nu_fenetres(d.numero_unique) @> %(nu_fenetres)s::text[] "
        "AND strpos(d.numero_unique, %(nu_partiel)s) > 0",
        nu_fenetres=fenetres,
        nu_partiel=chiffres,
    )


def requete_identifiant(
    criteres: Criteres, cles: list[str], departements: list[str], reserves, designees: list[int] | None = None
) -> tuple[str, dict]:
    """Demandes désignées par un identifiant, accès vérifié par la table de recherche.

    ``designees`` : les demandes qui portent le label ou le contingent demandé, une suspicion de doublon à
    traiter, le téléphone ou le courriel cherché (``ResultatRecherche._designees``), lues par l'appelant ;
    ``None`` : aucun de ces critères."""
    sql = Sql()
    sql.ajouter(acces_demande(departements), cles=cles, departements=departements)
    acces_etats("d", reserves, sql)
    if criteres.numero_unique:
        sql.ajouter("d.numero_unique = %(nu)s", nu=criteres.numero_unique)
    if criteres.reference:
        sql.ajouter("d.reference = %(reference)s", reference=criteres.reference)
    if criteres.brouillons_organisme_id:
        sql.ajouter(
            "d.etat = 'brouillon' AND d.organisme_saisie_id = %(organisme)s", organisme=criteres.brouillons_organisme_id
        )
    if criteres.numero_partiel:
        numero_partiel(criteres.numero_partiel, sql)
    if criteres.a_traiter == "pieces":
        # Demandes actives de l'organisme sans pièce d'identité valide du demandeur
        # (jumeau ORM : ``pieces.services.sans_piece_identite``).
        sql.ajouter(
            "d.etat = 'active' AND d.organisme_saisie_id = %(organisme)s AND NOT EXISTS ("
            "SELECT 1 FROM demandes_piece p JOIN demandes_personne pe ON pe.id = p.personne_id "
            "WHERE p.demande_id = d.id AND p.type = 'identite' AND p.etat = 'valide' AND pe.role = 'demandeur')",
            organisme=criteres.organisme_id,
        )
    if designees is not None:
        sql.ajouter("d.id = ANY(%(designees)s)", designees=designees)
    identite(criteres, sql, semi_jointure=True)
    filtres_colonnes(criteres, "d", sql)
    colonne, _ordre = tri(criteres, "d", "d.id")
    requete = f"""
        SELECT d.id AS demande_id, {colonne} AS tri
          FROM demandes_demande d
         WHERE TRUE{sql.where}
    """
    return requete, sql.parametres


# ---------------------------------------------------------------- exécution


def lignes(requete: str, parametres: dict) -> list[tuple]:
    """Les lignes de ``requete``."""
    with connection.cursor() as curseur:
        curseur.execute(requete, parametres)
        return curseur.fetchall()


def premiere_colonne(requete: str, parametres: dict) -> list:
    """Première colonne des lignes de ``requete``."""
    return [ligne[0] for ligne in lignes(requete, parametres)]


def tranche(requete: str, parametres: dict, ordre: str, *, debut: int, nombre: int) -> list[int]:
    """Identifiants ``debut`` … ``debut + nombre`` des demandes de ``requete`` (colonnes ``demande_id``, ``tri``)."""
    return premiere_colonne(
        f"SELECT demande_id FROM ({requete}) AS t ORDER BY {ordre} OFFSET %(debut)s LIMIT %(nombre)s",
        {**parametres, "debut": debut, "nombre": nombre},
    )


def compter(requete: str, parametres: dict, *, jusqua: int) -> int:
    """Nombre de lignes de ``requete``, compté au plus jusqu'à ``jusqu'a``."""
    return premiere_colonne(
        f"SELECT count(*) FROM (SELECT 1 FROM ({requete}) AS t LIMIT %(plafond)s) AS n",
        {**parametres, "plafond": jusqua},
    )[0]
