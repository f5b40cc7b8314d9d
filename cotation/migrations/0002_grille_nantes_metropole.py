"""Installe la grille de Nantes Métropole (annexe 1 du PPGD) si l'EPCI 244400404 est au référentiel.

Sur une base neuve, le référentiel est chargé après les migrations : la
démonstration (``manage.py demo``) installe alors la grille.
"""

from django.db import migrations


def installer(apps, schema_editor):
    from cotation.grilles.services import installer_grille_nantes

    installer_grille_nantes(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cotation", "0001_grilles"),
        ("demandes", "0016_labels_cotation"),
        ("territoires", "0001_initial"),
    ]

    operations = [migrations.RunPython(installer, migrations.RunPython.noop)]
