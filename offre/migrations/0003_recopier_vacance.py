"""Recopie l'état des vacances ouvertes sur les logements (champ ajouté en 0002)."""

from django.db import migrations

RECOPIER = """
UPDATE offre_logement l SET vacance = d.etat
  FROM offre_disponibilite d
 WHERE d.logement_id = l.id AND d.etat IN ('a_pourvoir', 'en_cours')
"""


class Migration(migrations.Migration):
    dependencies = [("offre", "0002_vacance_et_index_de_filtre")]

    operations = [migrations.RunSQL(RECOPIER, migrations.RunSQL.noop)]
