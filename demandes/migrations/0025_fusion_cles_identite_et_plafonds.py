# Fusion des branches de la session 8 : clés d identité (doublons) et plafonds / catégorie du ménage.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0023_cles_identite_nom_naissance_sexe"),
        ("demandes", "0024_categorie_menage_couples"),
    ]

    operations = []
