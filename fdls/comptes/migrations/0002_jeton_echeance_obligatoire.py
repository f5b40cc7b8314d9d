"""Jetons d'API : une échéance obligatoire. Les jetons sans échéance reçoivent la durée maximale par défaut
(365 jours après leur création ; ceux déjà plus vieux sont donc expirés)."""

from django.db import migrations, models

SQL = "UPDATE comptes_jetonapi SET expire_le = created_at + interval '365 days' WHERE expire_le IS NULL"


class Migration(migrations.Migration):
    dependencies = [("comptes", "0001_initial")]

    operations = [
        migrations.RunSQL(SQL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="jetonapi",
            name="expire_le",
            field=models.DateTimeField(verbose_name="expire le"),
        ),
    ]
