import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0001_initial"),
        ("territoires", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="demande",
            name="departement",
            field=models.ForeignKey(
                default="44",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territoires.departement",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(fields=["departement", "-date_depot", "-id"], name="demande_dep_depot"),
        ),
    ]
