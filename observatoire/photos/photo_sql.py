"""SQL de la photo mensuelle : des ``INSERT … SELECT`` ensemblistes, dans la transaction de la photo.

Mêmes règles que le calcul Python (``demandes.dossier.calculs`` : UC OCDE, ressources par UC, 1er quartile,
mois entiers d'ancienneté ; labels actifs au jour dit) ; tests d'accord :
``tests/observatoire/test_photos.py::test_la_photo_sql_et_le_calcul_python_sont_d_accord`` (petit fichier
construit à la main, chaque colonne comparée ligne à ligne) et, pour les cubes des demandes et des attributions,
``tests/observatoire/test_photos.py::test_le_cube_et_les_lignes_de_la_photo_donnent_les_memes_tableaux`` ;
pour le cube des délais, ``test_le_cube_des_delais_donne_les_delais_des_baux``.

Demande « en cours » au 1er du mois ``d`` (0 h) : enregistrée (active, satisfaite ou annulée), déposée
avant ``d`` et pas encore finie à ``d`` (``date_fin`` nulle ou ≥ ``d``). Prise le 1er, c'est exactement
l'état du fichier ; prise plus tard (photo reconstituée), c'est l'état relu des dates.

Les lignes d'une photo sont écrites dans l'ordre de leur index (photo, EPCI, commune ; photo, année, EPCI) :
chaque entrée va en bout d'index (insertion rapide de PostgreSQL sur la feuille la plus à droite) au lieu de
toucher une page au hasard pour chacun des millions de lignes.
"""

import time
from collections.abc import Callable

from django.db import connection

# Mois entiers révolus de {debut} à {fin} (``fdls.socle.dates.mois_entre``) : pas ``age()``, qui emprunte des
# jours en fin de mois (compilation_sql de la cotation, même arithmétique).
MOIS_ENTRE = (
    "(CASE WHEN {fin} < {debut} THEN 0 ELSE ({n}) - CASE WHEN ({debut} + make_interval(months => ({n})))::date "
    "> {fin} THEN 1 ELSE 0 END END)"
)


def mois_entre(debut: str, fin: str) -> str:
    n = (
        f"((date_part('year', {fin})::int * 12 + date_part('month', {fin})::int) "
        f"- (date_part('year', {debut})::int * 12 + date_part('month', {debut})::int))"
    )
    return MOIS_ENTRE.format(debut=debut, fin=fin, n=n)


# Le ménage d'un attributaire au jour {le} du bail, lu par les index (personnes d'une demande, ressources d'une
# personne) : UC OCDE (1 le demandeur ; 0,5 à 14 ans ou plus ou sans date ; 0,3 avant 14 ans et par enfant à
# naître) et ressources mensuelles, comme ``calculs.unites_consommation`` et ``calculs.ressources_mensuelles``
# (et le recalcul des labels, demandes/labels/recalcul_sql.py).
MENAGE = """
    SELECT ROUND(SUM(CASE WHEN p.role = 'demandeur' THEN 1
                          WHEN p.date_naissance IS NULL OR date_part('year', age({le}, p.date_naissance)) >= 14
                          THEN 0.5 ELSE 0.3 END) + 0.3 * {enfants}, 2) AS uc,
           ROUND(SUM((SELECT SUM(r.montant) FROM demandes_ressource r WHERE r.personne_id = p.id)), 2)
               AS mensuelles,
           bool_or(p.role = 'demandeur') AS a_demandeur
      FROM demandes_personne p
     WHERE p.demande_id = {demande}"""

# Un label de la famille « priorité » posé à la main (le label automatique du 1er quartile n'en est pas un :
# le 1er quartile a son propre indicateur), actif au jour {le}.
PRIORITAIRE = """EXISTS (
    SELECT 1 FROM demandes_label lb JOIN demandes_typelabel tl ON tl.id = lb.type_id
     WHERE lb.demande_id = {demande} AND tl.famille = 'priorite' AND NOT tl.automatique
       AND lb.date_pose <= {le} AND (lb.date_retrait IS NULL OR lb.date_retrait > {le}))"""

RENOUVELLEMENT_URBAIN = """EXISTS (
    SELECT 1 FROM demandes_label lb JOIN demandes_typelabel tl ON tl.id = lb.type_id
     WHERE lb.demande_id = {demande} AND tl.code = 'nm-renouvellement-urbain'
       AND lb.date_pose <= {le} AND (lb.date_retrait IS NULL OR lb.date_retrait > {le}))"""


# Demandes en cours : uniquement des valeurs déjà tenues à jour sur la demande et ses tables (catégorie de
# ménage, mutation, typologies : services des demandes ; 1er quartile : label automatique recalculé chaque
# nuit par ``demandes.labels`` avec le seuil de l'EPCI du 1er choix) : aucune relecture des ménages et des
# ressources, la photo d'un million de demandes reste un parcours et quelques jointures par hachage.
# Calculées dans une table temporaire (``CREATE TABLE … AS`` : PostgreSQL y emploie ses processus parallèles, jamais
# pour un ``INSERT … SELECT`` ; rien n'est journalisé) puis recopiées dans la photo et comptées dans le cube : à 3 M,
# 21 + 8 s au lieu de 36 s pour le seul ``INSERT … SELECT``, et le cube ne relit pas la photo.
SQL_LIGNES_DEMANDES = (
    """
CREATE TEMP TABLE photo_lignes_demandes (
    photo_id, demande_id, departement, commune, epci, quartier_id, qpv, typologie, categorie_recherchee,
    categorie_menage, nb_personnes, nature, statut_occupation, mutation, prioritaire, premier_quartile,
    date_depot, anciennete_mois, tranche_anciennete, organisme_id) ON COMMIT DROP AS
WITH prioritaires AS (
    SELECT DISTINCT lb.demande_id
      FROM demandes_label lb JOIN demandes_typelabel tl ON tl.id = lb.type_id
     WHERE tl.famille = 'priorite' AND NOT tl.automatique
       AND lb.date_pose <= %(d)s AND (lb.date_retrait IS NULL OR lb.date_retrait > %(d)s)
), quartile AS (
    SELECT DISTINCT lb.demande_id
      FROM demandes_label lb JOIN demandes_typelabel tl ON tl.id = lb.type_id
     WHERE tl.code = 'cp-premier-quartile'
       AND lb.date_pose <= %(d)s AND (lb.date_retrait IS NULL OR lb.date_retrait > %(d)s)
), lignes AS (
    SELECT d.id, d.departement_id, l.commune_id, l.quartier_id, co.epci_id, COALESCE(q.qpv, false) AS qpv,
           d.typologies, d.categorie_recherchee, d.categorie_menage, d.nb_personnes, d.nature,
           d.statut_occupation, d.mutation, d.date_depot, g.organisme_id,
           """
    + mois_entre("d.date_depot", "%(d)s::date")
    + """ AS anciennete
      FROM demandes_demande d
      JOIN organismes_guichet g ON g.id = d.guichet_id
      JOIN demandes_localisationsouhaitee l ON l.demande_id = d.id AND l.rang = 1
      JOIN territoires_commune co ON co.code_insee = l.commune_id
      LEFT JOIN territoires_quartier q ON q.id = l.quartier_id
     WHERE d.etat IN ('active', 'satisfaite', 'annulee')
       AND d.date_depot < %(d)s AND (d.date_fin IS NULL OR d.date_fin >= %(d)s)
)
SELECT %(photo)s, x.id, x.departement_id, x.commune_id, COALESCE(x.epci_id, ''), x.quartier_id, x.qpv,
       COALESCE(x.typologies[1], ''), x.categorie_recherchee, x.categorie_menage, x.nb_personnes, x.nature,
       x.statut_occupation, x.mutation, p.demande_id IS NOT NULL, qu.demande_id IS NOT NULL,
       x.date_depot, x.anciennete,
       CASE WHEN x.anciennete < 6 THEN 1 WHEN x.anciennete < 12 THEN 2 WHEN x.anciennete < 24 THEN 3 ELSE 4 END,
       x.organisme_id
  FROM lignes x
  LEFT JOIN prioritaires p ON p.demande_id = x.id
  LEFT JOIN quartile qu ON qu.demande_id = x.id
 ORDER BY COALESCE(x.epci_id, ''), x.commune_id
"""
)

# Les baux de la période pas encore photographiés le mois d'avant (tous, pour une première photo) : leurs
# événements, lus dans l'index partiel ``evenement_satisfaction`` (date, id) sans relire l'historique. Dans une
# table temporaire analysée : le planificateur sait qu'il y en a quelques dizaines de milliers (il en
# supposait des centaines de milliers et relisait alors toutes les demandes et tous les premiers choix par
# hachage : 15,8 s à 3 M pour 40 883 baux).
SQL_BAUX_NOUVEAUX = """
CREATE TEMP TABLE photo_baux_nouveaux ON COMMIT DROP AS
SELECT e.id
  FROM demandes_evenement e
 WHERE e.type = 'satisfaction' AND e.date >= %(debut_attributions)s AND e.date < %(fin_attributions)s
   AND NOT EXISTS (SELECT 1 FROM observatoire_photoattribution a
                    WHERE a.photo_id = %(precedente)s AND a.evenement_id = e.id)
"""

# Les lignes calculées (dans l'ordre de l'index) écrites dans la photo, puis comptées dans le cube sans relire la
# photo.
SQL_DEMANDES = """
INSERT INTO observatoire_photodemande (
    photo_id, demande_id, departement, commune, epci, quartier_id, qpv, typologie, categorie_recherchee,
    categorie_menage, nb_personnes, nature, statut_occupation, mutation, prioritaire, premier_quartile,
    date_depot, anciennete_mois, tranche_anciennete, organisme_id)
SELECT photo_id, demande_id, departement, commune, epci, quartier_id, qpv, typologie, categorie_recherchee,
       categorie_menage, nb_personnes, nature, statut_occupation, mutation, prioritaire, premier_quartile,
       date_depot, anciennete_mois, tranche_anciennete, organisme_id
  FROM photo_lignes_demandes
"""

# Attributions : l'événement « satisfaction » (bail signé) de l'attributaire. Les détails du contrat de
# l'instruction (session 11 : commune, typologie, financement, qpv, réservataire, contingent, bail_signe_le)
# priment ; sans eux (événements plus anciens), repli sur le premier choix de la demande et la date de
# l'événement (``repli``).
SQL_ATTRIBUTIONS = (
    """
INSERT INTO observatoire_photoattribution (
    photo_id, evenement_id, demande_id, date_bail, annee, commune, epci, qpv, typologie, financement, bailleur,
    reservataire_id, contingent, categorie_menage, nb_personnes, mutation, prioritaire, renouvellement_urbain,
    ruc_annuel, seuil_quartile, premier_quartile, delai_mois, organisme_id, repli)
WITH cible AS (
    SELECT DISTINCT ON (e.demande_id) d.id, e.id AS evenement_id, e.details, d.enfants_a_naitre, d.typologies,
           d.categorie_menage, d.nb_personnes, d.mutation, d.date_depot, g.organisme_id,
           COALESCE((e.details->>'bail_signe_le')::date, (e.date AT TIME ZONE %(fuseau)s)::date) AS date_bail
      FROM photo_baux_nouveaux n
      JOIN demandes_evenement e ON e.id = n.id
      JOIN demandes_demande d ON d.id = e.demande_id
      JOIN organismes_guichet g ON g.id = d.guichet_id
     ORDER BY e.demande_id, e.date DESC, e.id DESC
), lignes AS (
    SELECT c.*, (c.details->>'commune') IS NULL AS repli,
           COALESCE(c.details->>'commune', pc.commune_id) AS commune,
           COALESCE((c.details->>'qpv')::boolean,
                    CASE WHEN c.details->>'commune' IS NULL THEN COALESCE(q.qpv, false) END, false) AS qpv,
           COALESCE(c.details->>'typologie', c.typologies[1], '') AS typologie,
           CASE WHEN m.a_demandeur THEN ROUND(COALESCE(m.mensuelles, 0) * 12 / NULLIF(m.uc, 0), 0) END AS ruc,
           """
    + mois_entre("c.date_depot", "c.date_bail")
    + """ AS delai
      FROM cible c
      LEFT JOIN demandes_localisationsouhaitee pc ON pc.demande_id = c.id AND pc.rang = 1
      LEFT JOIN territoires_quartier q ON q.id = pc.quartier_id
      LEFT JOIN LATERAL ("""
    + MENAGE.format(demande="c.id", le="c.date_bail", enfants="c.enfants_a_naitre")
    + """) m ON true
)
SELECT %(photo)s, l.evenement_id, l.id, l.date_bail, date_part('year', l.date_bail)::int, l.commune,
       COALESCE(co.epci_id, ''), l.qpv, l.typologie, COALESCE(l.details->>'financement', ''),
       COALESCE(l.details->>'bailleur', ''), (l.details->>'reservataire')::bigint,
       COALESCE(l.details->>'contingent', ''), l.categorie_menage, l.nb_personnes, l.mutation,
       """
    + PRIORITAIRE.format(demande="l.id", le="l.date_bail")
    + """,
       """
    + RENOUVELLEMENT_URBAIN.format(demande="l.id", le="l.date_bail")
    + """,
       l.ruc, s.montant, CASE WHEN l.ruc IS NULL OR s.montant IS NULL THEN NULL ELSE l.ruc < s.montant END,
       l.delai, l.organisme_id, l.repli
  FROM lignes l
  LEFT JOIN territoires_commune co ON co.code_insee = l.commune
  LEFT JOIN LATERAL (
        SELECT x.montant FROM demandes_seuilpremierquartile x
         WHERE x.epci_id = co.epci_id AND x.annee <= date_part('year', l.date_bail)
         ORDER BY x.annee DESC LIMIT 1) s ON true
 WHERE l.commune IS NOT NULL
 ORDER BY 5, 7
"""
)

# Les baux déjà photographiés le mois d'avant ne changent plus (demande close, ménage au jour du bail) : ils
# sont recopiés de la photo précédente, seuls les nouveaux sont calculés (``SQL_ATTRIBUTIONS`` les écarte).
# Test : tests/observatoire/test_photos.py::test_les_baux_deja_photographies_sont_recopies_a_l_identique.
SQL_ATTRIBUTIONS_RECOPIEES = """
INSERT INTO observatoire_photoattribution (
    photo_id, evenement_id, demande_id, date_bail, annee, commune, epci, qpv, typologie, financement, bailleur,
    reservataire_id, contingent, categorie_menage, nb_personnes, mutation, prioritaire, renouvellement_urbain,
    ruc_annuel, seuil_quartile, premier_quartile, delai_mois, organisme_id, repli)
SELECT %(photo)s, a.evenement_id, a.demande_id, a.date_bail, a.annee, a.commune, a.epci, a.qpv, a.typologie,
       a.financement, a.bailleur, a.reservataire_id, a.contingent, a.categorie_menage, a.nb_personnes, a.mutation,
       a.prioritaire, a.renouvellement_urbain, a.ruc_annuel, a.seuil_quartile, a.premier_quartile, a.delai_mois,
       a.organisme_id, a.repli
  FROM observatoire_photoattribution a
  JOIN demandes_evenement e ON e.id = a.evenement_id AND e.type = 'satisfaction'
 WHERE a.photo_id = %(precedente)s AND e.date >= %(debut_attributions)s AND e.date < %(fin_attributions)s
 ORDER BY a.annee, a.epci
"""


def sql_cube(lignes: str, cube: str, colonnes: str, mesures: str, calculs: str) -> str:
    """``INSERT … SELECT`` d'un cube : les lignes de la photo comptées par combinaison de ``colonnes``.

    Sans ``ORDER BY`` : le planificateur, qui suppose autant de combinaisons que de lignes, préférerait alors
    grouper par un tri de toutes les lignes (sur disque : 10 s à 3 M) au hachage (quelques secondes)."""
    return f"""
INSERT INTO {cube} (photo_id, {colonnes}, {mesures})
SELECT photo_id, {colonnes}, {calculs}
  FROM {lignes}
 WHERE photo_id = %(photo)s
 GROUP BY photo_id, {colonnes}
"""


# Les cubes : demandes et baux de la photo comptés par combinaison des dimensions des tableaux standard.
SQL_CUBE = sql_cube(
    "photo_lignes_demandes",
    "observatoire_photodemandecube",
    "epci, commune, quartier_id, qpv, typologie, categorie_recherchee, categorie_menage, mutation, prioritaire, "
    "premier_quartile, tranche_anciennete",
    "nb, somme_anciennete",
    "count(*), sum(anciennete_mois)",
)
SQL_CUBE_ATTRIBUTIONS = sql_cube(
    "observatoire_photoattribution",
    "observatoire_photoattributioncube",
    "annee, epci, commune, qpv, typologie, financement, bailleur, contingent, categorie_menage, mutation, "
    "prioritaire, renouvellement_urbain, premier_quartile",
    "nb, somme_delai",
    "count(*), sum(delai_mois)",
)
# Les délais d'attribution (mois entiers) comptés par année, territoire, typologie et statut : la page des
# délais y lit moyenne et médiane exactes (histogramme).
SQL_CUBE_DELAIS = sql_cube(
    "observatoire_photoattribution",
    "observatoire_photodelaicube",
    "annee, epci, commune, typologie, mutation, delai_mois",
    "nb",
    "count(*)",
)

# Le parc à la date de la photo (état courant du répertoire : le parc n'a pas d'historique daté).
SQL_LOGEMENTS = """
INSERT INTO observatoire_photologement (
    photo_id, commune, epci, qpv, typologie, categorie, financement, bailleur, nb_logements, nb_vacants)
SELECT %(photo)s, l.commune_id, COALESCE(co.epci_id, ''), l.qpv, l.typologie, l.categorie, l.financement, o.nom,
       count(*), count(*) FILTER (WHERE l.vacance <> '')
  FROM offre_logement l
  JOIN organismes_organisme o ON o.id = l.bailleur_id
  JOIN territoires_commune co ON co.code_insee = l.commune_id
 GROUP BY l.commune_id, co.epci_id, l.qpv, l.typologie, l.categorie, l.financement, o.nom
"""


def verrouiller_photo(mois) -> None:
    """Verrou consultatif de la transaction : deux prises de la même photo ne se chevauchent pas."""
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_advisory_xact_lock(hashtext('observatoire.photo'), %s)", [mois.toordinal()])


def autoriser_compteurs(oui: bool) -> None:
    """Le trigger de la migration 0001 ne laisse écrire les compteurs d'une photo que pendant sa prise."""
    with connection.cursor() as curseur:
        curseur.execute("SELECT set_config('observatoire.photo_en_ecriture', %s, true)", ["oui" if oui else ""])


def inserer_photo(parametres: dict, mesure: Callable[[str, float], None] | None = None) -> tuple[int, int, int]:
    """Les tables de la photo ``parametres["photo"]`` ; rend (demandes, attributions, logements).

    ``parametres`` : ``photo``, ``precedente`` (la photo du mois le plus proche avant, ou 0), ``d`` (1er du
    mois), ``annee``, ``debut_attributions`` et ``fin_attributions`` (instants), ``fuseau``. À appeler dans la
    transaction de la photo. ``mesure(instruction, secondes)`` : la durée de chaque instruction (banc)."""
    rendus = {}
    with connection.cursor() as curseur:
        curseur.execute("SET LOCAL work_mem = '256MB'")
        # Deux photos dans une même transaction (tests : chaque test en est une) : la table du premier appel.
        curseur.execute("DROP TABLE IF EXISTS photo_baux_nouveaux, photo_lignes_demandes")
        for nom, sql in (
            ("demandes : calcul", SQL_LIGNES_DEMANDES),
            # Sans statistiques, le planificateur croit la table petite et groupe le cube par un tri sur disque.
            ("demandes : statistiques", "ANALYZE photo_lignes_demandes"),
            ("demandes", SQL_DEMANDES),
            ("cube des demandes", SQL_CUBE),
            ("baux recopiés", SQL_ATTRIBUTIONS_RECOPIEES),
            ("baux nouveaux : événements", SQL_BAUX_NOUVEAUX),
            ("baux nouveaux : statistiques", "ANALYZE photo_baux_nouveaux"),
            ("baux nouveaux", SQL_ATTRIBUTIONS),
            ("cube des baux", SQL_CUBE_ATTRIBUTIONS),
            ("cube des délais", SQL_CUBE_DELAIS),
            ("parc", SQL_LOGEMENTS),
        ):
            debut = time.perf_counter()
            curseur.execute(sql, parametres)
            rendus[nom] = curseur.rowcount
            if mesure is not None:
                mesure(f"{nom} ({curseur.rowcount} lignes)", time.perf_counter() - debut)
        curseur.execute(
            "SELECT COALESCE(sum(nb_logements), 0) FROM observatoire_photologement WHERE photo_id = %s",
            [parametres["photo"]],
        )
        parc = curseur.fetchone()[0]
    return rendus["demandes"], rendus["baux recopiés"] + rendus["baux nouveaux"], parc


def analyser() -> None:
    """Statistiques du planificateur à jour après une photo (les pages lisent aussitôt les nouvelles lignes)."""
    with connection.cursor() as curseur:
        for table in (
            "observatoire_photodemande",
            "observatoire_photodemandecube",
            "observatoire_photoattributioncube",
            "observatoire_photodelaicube",
            "observatoire_photoattribution",
            "observatoire_photologement",
        ):
            curseur.execute(f"ANALYZE {table}")
