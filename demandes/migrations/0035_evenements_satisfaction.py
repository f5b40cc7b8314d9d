"""Index partiel des baux signés (événements « satisfaction ») par date, pour la photo de l'observatoire.

La photo mensuelle lit les baux de N-1 et N : par le seul index de ``date``, PostgreSQL relisait tous les
événements de la période (des millions) pour en garder quelques centaines de milliers. Avec ``id`` dans
l'index, la recopie des baux du mois précédent est un parcours d'index seul (``observatoire/photos/photo_sql.py``).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0034_numero_partiel_trigrammes"),
        ("organismes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="evenement",
            index=models.Index(
                condition=models.Q(("type", "satisfaction")), fields=["date", "id"], name="evenement_satisfaction"
            ),
        ),
    ]
