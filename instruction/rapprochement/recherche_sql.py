"""SQL de la recherche de candidats : un parcours de l'index ``candidat_commune_classement``.

Les conditions viennent de ``criteres.Recherche.where()`` (chacune a sa twin
Python, la raison d'exclusion) ; la visibilité de l'agent (CCH R441-2-6) est
la semi-jointure sur la table de recherche des demandes, par les clés de
``fdls.acces.cles_acces`` — la même règle que ``Demande.objects.visibles_par``.
Classement : points de la cotation du territoire (décroissants, sans points
en dernier), puis date de dépôt (la plus ancienne d'abord), puis numéro
interne.

Test d'accord : tests/instruction/rapprochement/test_accord.py (sur un jeu
généré, chaque demande visible est soit dans ce résultat, soit exclue par au
moins une raison de ``explication``, jamais les deux ; le rang rendu par
``rangs`` est sa position dans ``candidats``) ; la tenue de la table par les
triggers est comparée au calcul Python des demandes dans
tests/instruction/rapprochement/test_tenue.py.
"""

from __future__ import annotations

from django.db import connection

from instruction.rapprochement.models import LONGUEUR_PREFIXE_NOM, LigneCandidat

TABLE = LigneCandidat._meta.db_table
ORDRE = "l.points DESC NULLS LAST, l.date_depot, l.demande_id"
# Au-delà, le compte s'arrête (« plus de 200 candidats ») : le parcours reste borné (chaque ligne comptée
# passe la semi-jointure d'accès) ; l'agent affine ses critères ou lit les premières pages.
PLAFOND_COMPTE = 200
# Les colonnes de la demande qu'affiche une page de candidats, lues dans la même requête (``dem_<colonne>`` sur
# chaque ligne) avec les types de ses labels (``types_labels``, JSON) : la page n'a pas d'autre aller-retour.
COLONNES_DEMANDE = ("numero_unique", "reference", "nom", "prenom", "etat", "date_depot", "nb_personnes", "nature")
PREFIXE_DEMANDE = "dem_"
# Rang d'une demande expliquée : au-delà, « après le 500e candidat » (le décompte reste borné).
PLAFOND_RANG = 500


ACCES = """EXISTS (SELECT 1 FROM demandes_lignerecherche r
                      WHERE r.demande_id = l.demande_id AND r.cle = ANY(%s::varchar[]))"""
_N = LONGUEUR_PREFIXE_NOM


def _base(recherche, cles: list[str], borne: int | None = None) -> tuple[str, list]:
    """``FROM … WHERE …`` des candidats de la recherche ; l'appelant classe (``ORDRE``) et limite.

    Début de nom de trois lettres et ``borne`` connue (les ``borne`` premiers candidats suffisent à
    l'appelant) : deux parts disjointes — demandeur ; co-demandeur dont le demandeur ne commence pas ainsi —,
    chacune classée et limitée à ``borne`` par son index (commune, début du nom, points, dépôt, demande),
    réunies : les ``borne`` premiers de la réunion sont parmi elles. Sans la condition de nom (que le début
    indexé assure, et qui fait croire au planificateur à 30 lignes au lieu de 10 000)."""
    if recherche.prefixe_nom and borne is not None:
        where, params = recherche.where(sauf="nom")
        p = recherche.prefixe_nom

        def part(condition: str, valeurs: list) -> tuple[str, list]:
            return (
                f"""(SELECT l.* FROM {TABLE} l
                      WHERE l.commune_id = %s AND {condition} AND {where} AND {ACCES}
                      ORDER BY {ORDRE} LIMIT %s)""",
                [recherche.commune_id, *valeurs, *params, list(cles), borne],
            )

        demandeur, params_demandeur = part(f"left(l.nom_demandeur, {_N}) = %s", [p])
        codemandeur, params_codemandeur = part(
            f"l.nom_codemandeur <> '' AND left(l.nom_codemandeur, {_N}) = %s AND left(l.nom_demandeur, {_N}) <> %s",
            [p, p],
        )
        return f"FROM ({demandeur} UNION ALL {codemandeur}) l WHERE TRUE", [*params_demandeur, *params_codemandeur]
    where, params = recherche.where()
    sql = f"""
        FROM {TABLE} l
       WHERE l.commune_id = %s
         AND {where}
         AND {ACCES}
    """
    return sql, [recherche.commune_id, *params, list(cles)]


def candidats(recherche, cles: list[str], *, limite: int, decalage: int = 0) -> list[LigneCandidat]:
    """Une page de candidats classés (lignes de rapprochement), ``limite`` au plus à partir de ``decalage``."""
    if not cles:
        return []
    base, params = _base(recherche, cles, borne=limite + decalage)
    return list(
        LigneCandidat.objects.raw(f"SELECT l.* {base} ORDER BY {ORDRE} LIMIT %s OFFSET %s", [*params, limite, decalage])
    )


def candidats_et_compte(
    recherche, cles: list[str], *, limite: int, decalage: int = 0, plafond: int = PLAFOND_COMPTE
) -> tuple[list[LigneCandidat], int | None]:
    """Une page de candidats et leur nombre arrêté à ``plafond + 1``, en un seul parcours de l'index du classement.

    Chaque ligne porte aussi les colonnes ``COLONNES_DEMANDE`` de sa demande et les types de ses labels.

    Les ``max(decalage + limite, plafond + 1)`` premiers candidats sont lus dans l'ordre du classement ; leur
    nombre (fenêtre sur ce sous-ensemble) est exact jusqu'à ``plafond`` et dit « plus de » au-delà. Une page
    vide (au-delà de la fin) rend ``None`` : le nombre n'est pas connu. Test d'accord :
    ``tests/instruction/rapprochement/test_accord.py`` (même page et même nombre que ``candidats`` et ``compter``).
    """
    if not cles:
        return [], 0
    borne = max(decalage + limite, plafond + 1)
    base, params = _base(recherche, cles, borne=borne)
    colonnes_demande = ", ".join(f"d.{c} AS {PREFIXE_DEMANDE}{c}" for c in COLONNES_DEMANDE)
    lignes = list(
        LigneCandidat.objects.raw(
            f"""SELECT p.*, {colonnes_demande},
                       (SELECT json_agg(json_build_object('id', tl.id, 'code', tl.code, 'libelle', tl.libelle,
                                                          'famille', tl.famille) ORDER BY tl.libelle)
                          FROM demandes_typelabel tl WHERE tl.id = ANY(p.labels)) AS types_labels
                  FROM (SELECT t.*, count(*) OVER () AS compte_plafonne
                          FROM (SELECT l.* {base} ORDER BY {ORDRE} LIMIT %s) t
                         ORDER BY t.points DESC NULLS LAST, t.date_depot, t.demande_id
                         LIMIT %s OFFSET %s) p
                  JOIN demandes_demande d ON d.id = p.demande_id
                 ORDER BY p.points DESC NULLS LAST, p.date_depot, p.demande_id""",
            [*params, borne, limite, decalage],
        )
    )
    return lignes, (lignes[0].compte_plafonne if lignes else None)


def compter(recherche, cles: list[str], plafond: int = PLAFOND_COMPTE) -> int:
    """Nombre de candidats, arrêté à ``plafond + 1`` (au-delà : « plus de … »)."""
    if not cles:
        return 0
    base, params = _base(recherche, cles, borne=plafond + 1)
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) t", [*params, plafond + 1])
        return curseur.fetchone()[0]


def rangs(recherche, cles: list[str], demandes: list[int], plafond: int = PLAFOND_RANG) -> dict[int, int]:
    """Position dans le classement de chacune des ``demandes`` qui y figurent, en deux requêtes bornées.

    Les ``plafond`` premiers candidats se lisent dans l'ordre de l'index du classement (comme une page) ;
    une demande qui n'y est pas mais figure parmi les candidats reçoit ``plafond + 1`` (« au-delà du rang
    ``plafond`` »). Compter les candidats classés devant une demande obligerait à parcourir toute la commune
    pour la première (la comparaison de lignes ne suit pas l'index) : 3,7 s à 1 M pour le rang 1.
    """
    if not cles or not demandes:
        return {}
    tete_sql, tete_params = _base(recherche, cles, borne=plafond)
    base, params = _base(recherche, cles)
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT l.demande_id {tete_sql} ORDER BY {ORDRE} LIMIT %s", [*tete_params, plafond])
        tete = [ligne[0] for ligne in curseur.fetchall()]
        positions = {pk: rang for rang, pk in enumerate(tete, start=1) if pk in set(demandes)}
        reste = [pk for pk in demandes if pk not in positions]
        if reste:
            curseur.execute(f"SELECT l.demande_id {base} AND l.demande_id = ANY(%s::bigint[])", [*params, reste])
            positions.update({ligne[0]: plafond + 1 for ligne in curseur.fetchall()})
    return positions
