"""SQL des compteurs d'activité d'un jour : flux lus dans l'historique des demandes ; stocks de fin de journée
(demandes actives et satisfaites, décisions de CAL en attente de suite, propositions en attente de réponse).

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
    WHEN 'annulation_automatique' THEN 'non_renouvelees'
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

# Stocks de fin de journée, reconstitués de l'état présent et des dates métier : exacts pour le jour qui vient de
# finir (le job compte la veille). Pour un jour plus ancien (rattrapage, recompte forcé), ils disent ce que les dates
# saisies racontent de ce jour, pas ce que le fichier savait ce soir-là : une réponse saisie après coup avec une date
# passée compte à sa date ; une demande réactivée a perdu sa date de fin ; un refus après acceptation efface la date
# de l'acceptation (réponse du candidat écrasée) ; une proposition envoyée puis répondue n'existe que par ses dates.

# Demandes actives : enregistrées au plus tard ce jour-là et pas finies ce jour-là ; satisfaites : bail signé
# (date_fin) dans les douze mois glissants qui finissent ce jour-là (docs/decisions.md). Par organisme du guichet
# d'enregistrement ; une seule lecture des demandes pour les deux.
SQL_DEMANDES = """
INSERT INTO observatoire_compteuractivite (jour, organisme_id, indicateur, motif, valeur)
SELECT %(jour)s, a.organisme_id, v.indicateur, '', v.valeur
  FROM (SELECT g.organisme_id,
               count(*) FILTER (WHERE d.date_depot <= %(jour)s
                                  AND (d.date_fin IS NULL OR d.date_fin > %(jour)s)) AS actives,
               count(*) FILTER (WHERE d.etat = 'satisfaite'
                                  AND d.date_fin <= %(jour)s AND d.date_fin > %(il_y_a_un_an)s) AS satisfaites
          FROM demandes_demande d
          JOIN organismes_guichet g ON g.id = d.guichet_id
         WHERE d.etat IN ('active', 'satisfaite', 'annulee')
         GROUP BY g.organisme_id) a
 CROSS JOIN LATERAL (VALUES ('actives', a.actives), ('satisfaites', a.satisfaites)) v (indicateur, valeur)
 WHERE v.valeur > 0
"""

# Candidatures d'une décision favorable de CAL (séance au plus tard ce jour-là), par bailleur de la commission, en
# demandes distinctes. « Validées » : pas encore de suite ce jour-là ; la suite est datée par la réponse du candidat
# (acceptation, refus ; acceptation puis retrait), le bail (signé sans réponse saisie), le lendemain du délai de la
# condition suspensive (caducité), le bail du candidat classé devant (écartée), la satisfaction de la demande
# ailleurs (retirée sans réponse).
# « Attribuées en instance » : acceptées par le candidat ce jour-là au plus tard, bail pas encore signé (ni demande
# satisfaite ailleurs).
SQL_CANDIDATURES = """
INSERT INTO observatoire_compteuractivite (jour, organisme_id, indicateur, motif, valeur)
SELECT %(jour)s, s.organisme_id, v.indicateur, '', count(DISTINCT s.demande_id)
  FROM (SELECT co.bailleur_id AS organisme_id, c.demande_id,
               CASE c.etat
                   WHEN 'acceptee' THEN c.reponse_le
                   WHEN 'refusee' THEN c.reponse_le
                   WHEN 'bail_signe' THEN COALESCE(c.reponse_le, b.signe_le)
                   WHEN 'caduque' THEN c.date_limite + 1
                   WHEN 'ecartee' THEN devant.signe_le
                   WHEN 'retiree' THEN COALESCE(c.reponse_le, d.date_fin)
               END AS fin_accord,
               CASE WHEN c.etat IN ('acceptee', 'bail_signe', 'retiree') THEN c.reponse_le END AS accord_demandeur,
               CASE c.etat WHEN 'bail_signe' THEN b.signe_le WHEN 'retiree' THEN d.date_fin END AS fin_instance
          FROM instruction_candidature c
          JOIN instruction_examen e ON e.id = c.examen_id
          JOIN instruction_seance se ON se.id = e.seance_id
          JOIN instruction_commission co ON co.id = se.commission_id
          JOIN demandes_demande d ON d.id = c.demande_id
          LEFT JOIN instruction_bail b ON b.candidature_id = c.id
          LEFT JOIN instruction_bail devant ON devant.disponibilite_id = e.disponibilite_id
         WHERE c.decision IN ('attribution', 'attribution_rang', 'attribution_condition')
           AND se.date <= %(jour)s) s
 CROSS JOIN LATERAL (VALUES
           ('validees_cal', s.fin_accord IS NULL OR s.fin_accord > %(jour)s),
           ('attribuees_en_instance',
            s.accord_demandeur <= %(jour)s AND (s.fin_instance IS NULL OR s.fin_instance > %(jour)s))
       ) v (indicateur, compte)
 WHERE v.compte
 GROUP BY s.organisme_id, v.indicateur
"""

# Propositions envoyées au plus tard ce jour-là et sans réponse ce jour-là, par organisme qui les a faites ; une
# proposition restée sans réponse l'est jusqu'à sa date limite (constatée la nuit suivante).
SQL_PROPOSITIONS = """
INSERT INTO observatoire_compteuractivite (jour, organisme_id, indicateur, motif, valeur)
SELECT %(jour)s, p.organisme_id, 'propositions_en_cours', '', count(*)
  FROM instruction_proposition p
 WHERE p.date_envoi <= %(jour)s
   AND CASE p.etat
           WHEN 'envoyee' THEN true
           WHEN 'sans_reponse' THEN p.date_limite >= %(jour)s
           ELSE p.date_reponse > %(jour)s
       END
 GROUP BY p.organisme_id
"""


def compter_jour(parametres: dict) -> int:
    """Réécrit les compteurs du jour ``parametres["jour"]`` (``debut``, ``fin`` : ses bornes ; ``il_y_a_un_an`` : le
    même jour douze mois avant) ; rend le nombre de lignes. Dans la transaction de l'appelant : recompter un jour
    donne les mêmes lignes."""
    lignes = 0
    with connection.cursor() as curseur:
        curseur.execute("DELETE FROM observatoire_compteuractivite WHERE jour = %(jour)s", parametres)
        for sql in (SQL_FLUX, SQL_DEMANDES, SQL_CANDIDATURES, SQL_PROPOSITIONS):
            curseur.execute(sql, parametres)
            lignes += curseur.rowcount
    return lignes
