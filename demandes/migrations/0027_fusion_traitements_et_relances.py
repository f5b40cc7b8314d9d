# Fusion des branches de la session 8 : traitements interrompus, clés d idempotence des relances.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0024_relance_cle_idempotence_notee_avant_envoi"),
        ("demandes", "0026_fusion_conformite"),
    ]

    operations = []
