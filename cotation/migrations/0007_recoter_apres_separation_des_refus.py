"""Après la séparation des refus (``demandes.0029_refus_separes_par_contexte``) : les points corrigés.

Les résultats des demandes qui ont un refus à l'historique sont marqués échus
(``prochaine_echeance`` ramenée à aujourd'hui) : le calcul de nuit suivant
(``cotation.calcul.services.recalculer_delta``, flux ``paquets_sql.echues``) les
recote avec le bon type de refus, et l'historique de cotation garde l'ancien
total. Pour les montrer sans attendre la nuit :
``manage.py shell -c "from cotation.calcul.services import recalculer_delta; recalculer_delta()"``
(docs/decisions.md, session 10). Une instruction ensembliste ; à 1 M de demandes, un parcours des événements.
"""

from django.db import migrations

SQL = """
UPDATE cotation_resultatcotation r
SET prochaine_echeance = current_date
WHERE (r.prochaine_echeance IS NULL OR r.prochaine_echeance > current_date)
  AND r.demande_id IN (
      SELECT e.demande_id FROM demandes_evenement e
      WHERE e.type IN ('refus_positionnement', 'refus_attribution', 'refus_proposition')
  )
"""


def marquer(apps, schema_editor):
    """Marque échus les résultats des demandes qui ont un refus ; rend le nombre de résultats marqués."""
    connexion = schema_editor.connection if schema_editor is not None else None
    if connexion is None:
        from django.db import connection as connexion
    with connexion.cursor() as cur:
        cur.execute(SQL)
        return cur.rowcount


class Migration(migrations.Migration):
    dependencies = [
        ("cotation", "0006_historique_une_ligne_par_resultat_remplace"),
        ("demandes", "0029_refus_separes_par_contexte"),
    ]

    operations = [migrations.RunPython(marquer, migrations.RunPython.noop, elidable=False)]
