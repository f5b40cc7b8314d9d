"""Journal des disponibilités sur le modèle commun des workflows (``fdls.socle.workflow.JournalTransition``).

``created_at`` devient ``date``, ``motif`` devient ``commentaire`` (renommages
de colonnes, sans réécriture de la table), l'intervenant lisible
(``auteur_libelle``) est ajouté et rempli depuis l'organisme ou l'agent, et la
politique de suppression devient celle de tous les journaux : ``PROTECT``.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def remplir_intervenant(apps, schema_editor):
    Evenement = apps.get_model("offre", "DisponibiliteEvenement")
    Organisme = apps.get_model("organismes", "Organisme")
    noms = dict(Organisme.objects.values_list("pk", "nom"))
    for evenement in Evenement.objects.filter(auteur_libelle="").order_by("pk").iterator():
        libelle = noms.get(evenement.organisme_id) or "Traitement automatisé"
        Evenement.objects.filter(pk=evenement.pk).update(auteur_libelle=libelle[:150])


class Migration(migrations.Migration):
    dependencies = [
        ("offre", "0003_recopier_vacance"),
        ("organismes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("disponibiliteevenement", "created_at", "date"),
        migrations.RenameField("disponibiliteevenement", "motif", "commentaire"),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="date",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="date"),
        ),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="commentaire",
            field=models.TextField(blank=True, verbose_name="commentaire"),
        ),
        migrations.AddField(
            model_name="disponibiliteevenement",
            name="auteur_libelle",
            field=models.CharField(default="", max_length=150, verbose_name="intervenant"),
            preserve_default=False,
        ),
        migrations.RunPython(remplir_intervenant, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="auteur",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="organisme",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organismes.organisme",
            ),
        ),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="disponibilite",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="evenements", to="offre.disponibilite"
            ),
        ),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="etat_apres",
            field=models.CharField(
                choices=[
                    ("a_pourvoir", "À pourvoir"),
                    ("en_cours", "En cours d'attribution"),
                    ("attribuee", "Attribuée"),
                    ("retiree", "Retirée"),
                ],
                max_length=20,
                verbose_name="état après",
            ),
        ),
        migrations.AlterField(
            model_name="disponibiliteevenement",
            name="etat_avant",
            field=models.CharField(
                blank=True,
                choices=[
                    ("a_pourvoir", "À pourvoir"),
                    ("en_cours", "En cours d'attribution"),
                    ("attribuee", "Attribuée"),
                    ("retiree", "Retirée"),
                ],
                max_length=20,
                verbose_name="état avant",
            ),
        ),
        migrations.AlterModelOptions(
            name="disponibiliteevenement",
            options={
                "ordering": ["date", "id"],
                "verbose_name": "événement de disponibilité",
                "verbose_name_plural": "événements de disponibilité",
            },
        ),
    ]
