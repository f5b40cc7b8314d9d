"""Modèles du générateur repris de ``demandes`` (0022) : état seulement, tables inchangées."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("demandes", "0022_modeles_demo_vers_demo"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DoublonSeme",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("faute_frappe", "Faute de frappe"),
                                    ("inversion", "Nom et prénom inversés"),
                                    ("accents", "Accents manquants"),
                                    ("codemandeur_seul", "Co-demandeur déposant seul"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "doublon",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="demandes.demande"
                            ),
                        ),
                        (
                            "originale",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="demandes.demande"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "doublon semé (démonstration)",
                        "db_table": "demandes_doublonseme",
                        "constraints": [
                            models.UniqueConstraint(fields=("originale", "doublon"), name="doublon_seme_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="IndexSuspendu",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nom", models.CharField(max_length=63, unique=True)),
                        ("table", models.CharField(max_length=63)),
                        ("definition", models.TextField()),
                    ],
                    options={
                        "verbose_name": "index suspendu (chargement en masse)",
                        "db_table": "demandes_indexsuspendu",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
