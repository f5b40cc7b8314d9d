"""Les modèles du générateur (``DoublonSeme``, ``IndexSuspendu``) passent dans l'application ``demo``.

État seulement : les tables ``demandes_doublonseme`` et ``demandes_indexsuspendu``
restent en place, ``demo`` 0001 les reprend sous leur nom (``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0021_journal_des_transitions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DoublonSeme"),
                migrations.DeleteModel(name="IndexSuspendu"),
            ],
            database_operations=[],
        ),
    ]
