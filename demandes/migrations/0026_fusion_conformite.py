# Fusion des branches de la session 8 : conformité (courrier, avertissement, purge) et le reste.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0023_conformite_courrier_avertissement_purge"),
        ("demandes", "0025_fusion_cles_identite_et_plafonds"),
    ]

    operations = []
