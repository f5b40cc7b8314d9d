"""SQL de la détection des doublons : blocage à la saisie, paires candidates de nuit, insertion des suspicions.

* ``lignes_de_blocage`` : les clés d'identité qui partagent une date de
  naissance (ou, seuil abaissé, les clés phonétiques) avec le dossier saisi,
  toutes, lues dans l'index couvrant ``cle_naissance`` ; ``services.candidats``
  les note ensuite en Python.
* ``paires_du_lot`` : pour un lot de demandes actives, les paires de clés qui
  partagent la date de naissance (ou l'ont aux jour et mois inversés) et au
  moins un nom ou prénom (en clair, en phonétique, ou le nom de naissance de
  l'une égal au nom de l'autre), par jointure indexée ; ``inserer_suspicions_nuit``
  écrit celles qui atteignent le seuil, sans jamais réécrire une paire connue.

Test d'accord : ``tests/demandes/doublons/test_detection_sql.py`` (le
blocage SQL contre une lecture ORM des mêmes clés ; les paires de chaque lot
contre celles calculées en Python depuis les clés relues par l'ORM ;
l'insertion et le lot suivant contre l'ORM) ; de bout en bout :
``test_doublons.py`` (doublons semés trouvés à la saisie et de nuit).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

# ---------------------------------------------------------------- blocage à la saisie


def lignes_de_blocage(
    *, dates: set[date], phonetiques: list[tuple[str, str]], exclure_demande: int | None
) -> list[tuple]:
    """Clés ``(demande_id, role, nom, prenom, date_naissance, nom_naissance, sexe)`` nées l'une des
    ``dates``, ou dont les clés phonétiques du nom et du prénom sont l'un des couples ``phonetiques`` (dans
    un sens ou dans l'autre). Toutes : aucune limite, une date très partagée ne cache aucun doublon.

    Pas de jointure sur la demande : l'état n'est vérifié que pour les quelques
    paires au-dessus du seuil (une lecture de ligne large par clé bloquée
    coûterait l'essentiel du temps à 1 million de demandes). Colonnes lues dans
    l'index couvrant ``cle_naissance`` (pas de lecture de ligne).
    """
    conditions, parametres = ["date_naissance = ANY(%s)"], [sorted(dates)]
    for phon_nom, phon_prenom in phonetiques:
        conditions.append("(nom_phonetique = %s AND prenom_phonetique = %s)")
        conditions.append("(nom_phonetique = %s AND prenom_phonetique = %s)")
        parametres += [phon_nom, phon_prenom, phon_prenom, phon_nom]
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT demande_id, role, nom, prenom, date_naissance, nom_naissance, sexe FROM demandes_cleidentite "
            f"WHERE ({' OR '.join(conditions)}) AND demande_id IS DISTINCT FROM %s",
            [*parametres, exclure_demande],
        )
        return curseur.fetchall()


# ---------------------------------------------------------------- détection de nuit

# Paires candidates d'un lot : les clés des demandes actives du lot (côté a)
# jointes à toutes les clés de demandes actives d'identifiant supérieur (côté
# b), ce qui examine chaque paire une fois et jamais deux personnes d'un même
# ménage. Jointure d'égalité indexée sur la date de naissance (ou sur la date
# aux jour et mois inversés, ``dn_inv``), avec au moins un nom ou prénom égal,
# en clair ou en phonétique, dans un sens ou dans l'autre (une faute ne touche
# qu'un des deux champs), ou le nom de naissance de l'une égal au nom de l'autre.
SQL_TABLE_LOT = """
CREATE TEMPORARY TABLE IF NOT EXISTS doublons_lot (
    demande_id bigint, role varchar(20), nom varchar(150), prenom varchar(150),
    np varchar(40), pp varchar(40), dn date, nn varchar(150), sx varchar(1), dn_inv date
) ON COMMIT DELETE ROWS
"""
SQL_LOT = """
INSERT INTO doublons_lot
SELECT c.demande_id, c.role, c.nom, c.prenom, c.nom_phonetique, c.prenom_phonetique, c.date_naissance,
       c.nom_naissance, c.sexe,
       CASE WHEN extract(day FROM c.date_naissance) <= 12
             AND extract(day FROM c.date_naissance) <> extract(month FROM c.date_naissance)
            THEN make_date(extract(year FROM c.date_naissance)::int, extract(day FROM c.date_naissance)::int,
                           extract(month FROM c.date_naissance)::int) END
  FROM demandes_cleidentite c
  JOIN demandes_demande d ON d.id = c.demande_id
 WHERE d.etat = 'active' AND c.demande_id > %(debut)s AND c.demande_id <= %(fin)s
"""

_COLONNES = """a.demande_id, b.demande_id, a.role, a.nom, a.prenom, a.dn, a.nn, a.sx,
       b.role, b.nom, b.prenom, b.date_naissance, b.nom_naissance, b.sexe"""
_UN_NOM_COMMUN = """(b.nom = a.nom OR b.prenom = a.prenom OR b.nom = a.prenom OR b.prenom = a.nom
    OR b.nom_phonetique = a.np OR b.prenom_phonetique = a.pp
    OR b.nom_phonetique = a.pp OR b.prenom_phonetique = a.np
    OR b.nom = a.nn OR b.nom_naissance = a.nom OR (a.nn <> '' AND b.nom_naissance = a.nn))"""

SQL_MEME_DATE = f"""
SELECT {_COLONNES}
  FROM doublons_lot a
  JOIN demandes_cleidentite b ON b.date_naissance = a.dn AND b.demande_id > a.demande_id
  JOIN demandes_demande d ON d.id = b.demande_id AND d.etat = 'active'
 WHERE {_UN_NOM_COMMUN}
"""

# Jour et mois inversés (même règle que ``services.date_inversee``) : toujours lue, la pénalité est légère.
SQL_DATE_INVERSEE = f"""
SELECT {_COLONNES}
  FROM doublons_lot a
  JOIN demandes_cleidentite b ON b.date_naissance = a.dn_inv AND b.demande_id > a.demande_id
  JOIN demandes_demande d ON d.id = b.demande_id AND d.etat = 'active'
 WHERE a.dn_inv IS NOT NULL AND {_UN_NOM_COMMUN}
"""

# Seulement si le seuil est à la portée d'une date mal saisie (``--seuil`` bas) :
# mêmes clés phonétiques, dans un sens ou dans l'autre, un chiffre de la date
# différent ou jour et mois inversés (même règle que ``services.dates_proches``).
SQL_DATE_PROCHE = f"""
SELECT {_COLONNES}
  FROM doublons_lot a
  JOIN demandes_cleidentite b
    ON ((b.nom_phonetique = a.np AND b.prenom_phonetique = a.pp)
        OR (b.nom_phonetique = a.pp AND b.prenom_phonetique = a.np))
   AND b.demande_id > a.demande_id AND b.date_naissance <> a.dn
  JOIN demandes_demande d ON d.id = b.demande_id AND d.etat = 'active'
 WHERE a.np <> '' AND a.pp <> ''
   AND ((SELECT count(*) FROM generate_series(1, 8) i
          WHERE substr(to_char(a.dn, 'DDMMYYYY'), i, 1) <> substr(to_char(b.date_naissance, 'DDMMYYYY'), i, 1)) = 1
        OR to_char(a.dn, 'DDMMYYYY') = to_char(b.date_naissance, 'MMDDYYYY'))
"""

SQL_INSERTION = """
INSERT INTO demandes_suspiciondoublon (demande_a_id, demande_b_id, score, motif, source, statut, detectee_le)
SELECT a, b, s, m, 'nuit', 'a_traiter', now()
  FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::text[]) AS t(a, b, s, m)
ON CONFLICT (demande_a_id, demande_b_id) DO NOTHING
"""


def fin_du_lot(apres: int, taille: int) -> int | None:
    """Identifiant de la dernière des ``taille`` demandes actives qui suivent ``apres`` (None : plus rien)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(id) FROM (SELECT id FROM demandes_demande WHERE etat = 'active' AND id > %s "
            "ORDER BY id LIMIT %s) lot",
            [apres, taille],
        )
        return cursor.fetchone()[0]


def paires_du_lot(debut: int, fin: int, *, dates_proches: bool) -> list[tuple]:
    """Paires candidates du lot ]debut, fin] : ``(a, b, role_a, nom_a, prenom_a, naissance_a, nom_naissance_a,
    sexe_a, role_b, nom_b, prenom_b, naissance_b, nom_naissance_b, sexe_b)``, ``a < b``, chacune une fois ;
    avec ``dates_proches``, aussi les dates à un chiffre près."""
    with connection.cursor() as cursor:
        cursor.execute(SQL_TABLE_LOT)
        cursor.execute("TRUNCATE doublons_lot")  # dans une transaction englobante (tests), ON COMMIT ne vide pas
        cursor.execute(SQL_LOT, {"debut": debut, "fin": fin})
        cursor.execute("ANALYZE doublons_lot")
        cursor.execute(SQL_MEME_DATE)
        lignes = cursor.fetchall()
        cursor.execute(SQL_DATE_INVERSEE)
        lignes += cursor.fetchall()
        if dates_proches:
            cursor.execute(SQL_DATE_PROCHE)
            lignes += cursor.fetchall()
    return list(dict.fromkeys(lignes))  # une date inversée est aussi « proche » : chaque ligne une fois


def inserer_suspicions_nuit(a: list[int], b: list[int], scores: list[int], motifs: list[str]) -> int:
    """Écrit les suspicions de nuit (paires ``a < b``) à traiter ; une paire déjà connue n'est pas réécrite.
    Rend le nombre de suspicions créées."""
    with connection.cursor() as cursor:
        cursor.execute(SQL_INSERTION, [a, b, scores, motifs])
        return cursor.rowcount
