"""SQL du recalcul de nuit des labels automatiques (1er quartile) sur tout le fichier, par paquets.

La même règle que ``labels.services.recalculer_labels_automatiques`` (le
chemin Python, qui passe par ``calculs.synthese``), en SQL ensembliste : une
table temporaire des labels attendus par demande du paquet, puis les poses et
les retraits, chacun avec son événement de l'historique, en une instruction.
Tests d'accord (``tests/demandes/labels/test_labels.py``) :
``test_le_recalcul_par_lots_donne_le_meme_resultat_que_la_synthese`` et
``test_le_recalcul_par_lots_retire_un_label_devenu_faux``.
"""

from django.db import connection

# Même règle que ``calculs.synthese`` (1er quartile), en SQL ensembliste pour tout le fichier :
# UC OCDE (1 le demandeur ; 0,5 à 14 ans ou plus ou sans date ; 0,3 avant 14 ans et par enfant à
# naître), RUC = ressources mensuelles × 12 / UC arrondi à l'euro, seuil de l'EPCI du 1er choix
# (dernier arrêté d'une année ≤ l'année du calcul). tests/demandes/labels/test_labels.py vérifie l'accord.
SQL_ATTENDUS_PREMIER_QUARTILE = """
CREATE TEMP TABLE _labels_attendus ON COMMIT DROP AS
WITH cible AS (
    SELECT d.id, d.enfants_a_naitre
      FROM demandes_demande d
     WHERE d.etat = 'active' AND d.id >= %(debut)s AND d.id < %(fin)s
), uc AS (
    SELECT c.id,
           ROUND(SUM(CASE WHEN p.role = 'demandeur' THEN 1
                          WHEN p.date_naissance IS NULL
                            OR date_part('year', age(%(le)s::date, p.date_naissance)) >= 14 THEN 0.5
                          ELSE 0.3 END) + 0.3 * c.enfants_a_naitre, 2) AS uc
      FROM cible c
      JOIN demandes_personne p ON p.demande_id = c.id
     GROUP BY c.id, c.enfants_a_naitre
    HAVING bool_or(p.role = 'demandeur')
), ressources AS (
    SELECT p.demande_id AS id, ROUND(SUM(r.montant), 2) AS mensuelles
      FROM cible c
      JOIN demandes_personne p ON p.demande_id = c.id
      JOIN demandes_ressource r ON r.personne_id = p.id
     GROUP BY p.demande_id
)
SELECT u.id AS demande_id,
       COALESCE(ROUND(COALESCE(res.mensuelles, 0) * 12 / u.uc, 0) < seuil.montant, false) AS attendu
  FROM uc u
  LEFT JOIN ressources res ON res.id = u.id
  LEFT JOIN LATERAL (
        SELECT co.epci_id
          FROM demandes_localisationsouhaitee l
          JOIN territoires_commune co ON co.code_insee = l.commune_id
         WHERE l.demande_id = u.id
         ORDER BY l.rang
         LIMIT 1) premier ON true
  LEFT JOIN LATERAL (
        SELECT s.montant
          FROM demandes_seuilpremierquartile s
         WHERE s.epci_id = premier.epci_id AND s.annee <= %(annee)s
         ORDER BY s.annee DESC
         LIMIT 1) seuil ON true
"""

SQL_POSES = """
WITH nouveaux AS (
    INSERT INTO demandes_label (demande_id, type_id, organisme_id, date_pose, auteur_id, auteur_libelle,
                                commentaire, date_retrait, retire_par_id, retire_par_libelle, motif_retrait,
                                created_at)
    SELECT a.demande_id, %(type)s, NULL, %(le)s, NULL, %(auteur)s, '', NULL, NULL, '', '', now()
      FROM _labels_attendus a
     WHERE a.attendu
       AND NOT EXISTS (SELECT 1 FROM demandes_label x
                        WHERE x.demande_id = a.demande_id AND x.type_id = %(type)s AND x.date_retrait IS NULL)
    ON CONFLICT DO NOTHING
    RETURNING id, demande_id, date_pose
)
INSERT INTO demandes_evenement (demande_id, type, date, precisions, details, etat_avant, etat_apres,
                                auteur_id, organisme_id, auteur_libelle)
SELECT n.demande_id, 'label', now(), %(precisions)s,
       jsonb_build_object('action', 'pose', 'label', %(code)s::text, 'libelle', %(libelle)s::text,
                          'label_id', n.id, 'date_pose', n.date_pose::text),
       '', '', NULL, NULL, %(auteur)s
  FROM nouveaux n
"""

SQL_RETRAITS = """
WITH fermes AS (
    UPDATE demandes_label l
       SET date_retrait = GREATEST(%(le)s::date, l.date_pose), retire_par_libelle = %(auteur)s,
           motif_retrait = %(motif)s
      FROM _labels_attendus a
     WHERE l.demande_id = a.demande_id AND NOT a.attendu
       AND l.type_id = %(type)s AND l.date_retrait IS NULL
    RETURNING l.id, l.demande_id, l.date_retrait
)
INSERT INTO demandes_evenement (demande_id, type, date, precisions, details, etat_avant, etat_apres,
                                auteur_id, organisme_id, auteur_libelle)
SELECT f.demande_id, 'label_retrait', now(), %(precisions)s,
       jsonb_build_object('action', 'retrait', 'label', %(code)s::text, 'libelle', %(libelle)s::text,
                          'label_id', f.id, 'date_retrait', f.date_retrait::text),
       '', '', NULL, NULL, %(auteur)s
  FROM fermes f
"""


def recalculer_paquet(
    parametres: dict, *, precisions_pose: str, motif: str, precisions_retrait: str
) -> tuple[int, int]:
    """Pose et retire le label des demandes actives d'identifiant dans ``[debut, fin[`` ; rend (posés, retirés).

    ``parametres`` : ``le``, ``annee``, ``type``, ``code``, ``libelle``, ``auteur``, ``debut``, ``fin``. À
    appeler dans la transaction du paquet (la table temporaire disparaît au commit)."""
    with connection.cursor() as curseur:
        # Sous une transaction englobante (tests, appel imbriqué), ON COMMIT DROP n'a pas encore joué.
        curseur.execute("DROP TABLE IF EXISTS _labels_attendus")
        curseur.execute(SQL_ATTENDUS_PREMIER_QUARTILE, parametres)
        curseur.execute(SQL_POSES, {**parametres, "precisions": precisions_pose})
        poses = curseur.rowcount
        curseur.execute(SQL_RETRAITS, {**parametres, "motif": motif, "precisions": precisions_retrait})
        return poses, curseur.rowcount
