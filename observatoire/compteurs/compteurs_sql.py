"""SQL des compteurs d'activité d'un jour : flux lus dans l'historique des demandes, stock des actives.

Test d'accord (même résultat que le comptage ORM des événements et des demandes) :
``tests/observatoire/test_compteurs.py::test_les_compteurs_sql_et_le_comptage_orm_sont_d_accord``.
"""

from django.db import connection

# Un flux = un type d'événement de l'historique (et, pour les décisions de CAL, la décision) ; compté par
# organisme de l'intervenant (null : traitement automatisé, demandeur).
INDICATEUR = """CASE e.type
    WHEN 'enregistrement' THEN 'enregistrees'
    WHEN 'validation' THEN 'enregistrees'
    WHEN 'renouvellement' THEN 'renouvelees'
    WHEN 'modification' THEN 'modifiees'
    WHEN 'annulation' THEN 'annulees'
    WHEN 'annulation_automatique' THEN 'annulees'
    WHEN 'radiation_sans_reponse' THEN 'annulees'
    WHEN 'positionnement' THEN 'positionnees'
    WHEN 'proposition' THEN 'propositions'
    WHEN 'acceptation_proposition' THEN 'propositions_acceptees'
    WHEN 'refus_proposition' THEN 'refus_demandeurs'
    WHEN 'refus_attribution' THEN 'refus_demandeurs'
    WHEN 'refus_positionnement' THEN 'refus_demandeurs'
    WHEN 'satisfaction' THEN 'attribuees'
    WHEN 'decision_cal' THEN CASE
        WHEN e.details->>'decision' IN ('attribution', 'attribution_rang', 'attribution_condition') THEN 'accords_cal'
        WHEN e.details->>'decision' IN ('non_attribution', 'irrecevabilite') THEN 'refus_cal' END
END"""

MOTIF = """CASE e.type
    WHEN 'annulation' THEN COALESCE(e.details->>'motif', '')
    WHEN 'annulation_automatique' THEN 'non_renouvellement'
    WHEN 'radiation_sans_reponse' THEN 'non_reponse'
    ELSE '' END"""

SQL_FLUX = f"""
INSERT INTO observatoire_compteuractivite (jour, organisme_id, indicateur, motif, valeur)
SELECT %(jour)s, f.organisme_id, f.indicateur, f.motif, count(*)
  FROM (SELECT e.organisme_id, {INDICATEUR} AS indicateur, {MOTIF} AS motif
          FROM demandes_evenement e
         WHERE e.date >= %(debut)s AND e.date < %(fin)s) f
 WHERE f.indicateur IS NOT NULL
 GROUP BY f.organisme_id, f.indicateur, f.motif
"""

# Stock de fin de journée : demandes enregistrées au plus tard ce jour-là et pas finies ce jour-là, par
# organisme du guichet d'enregistrement (reconstitué des dates : exact pour le jour qui vient de finir).
SQL_ACTIVES = """
INSERT INTO observatoire_compteuractivite (jour, organisme_id, indicateur, motif, valeur)
SELECT %(jour)s, g.organisme_id, 'actives', '', count(*)
  FROM demandes_demande d
  JOIN organismes_guichet g ON g.id = d.guichet_id
 WHERE d.etat IN ('active', 'satisfaite', 'annulee')
   AND d.date_depot <= %(jour)s AND (d.date_fin IS NULL OR d.date_fin > %(jour)s)
 GROUP BY g.organisme_id
"""


def compter_jour(parametres: dict) -> int:
    """Réécrit les compteurs du jour ``parametres["jour"]`` (``debut``, ``fin`` : ses bornes) ; rend le nombre de
    lignes. Dans la transaction de l'appelant : recompter un jour donne les mêmes lignes."""
    with connection.cursor() as curseur:
        curseur.execute("DELETE FROM observatoire_compteuractivite WHERE jour = %(jour)s", parametres)
        curseur.execute(SQL_FLUX, parametres)
        lignes = curseur.rowcount
        curseur.execute(SQL_ACTIVES, parametres)
        return lignes + curseur.rowcount
