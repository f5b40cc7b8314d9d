"""Clés d'identité : nom de naissance (s'il diffère du nom) et sexe, comparés par le score des doublons.

Les clés existantes sont complétées depuis les personnes (même demande, même rôle) : le sexe (ou la
civilité) en une requête, le nom de naissance normalisé en Python pour les seules personnes qui en ont un.
L'index couvrant ``cle_naissance`` est reconstruit après, avec les deux colonnes.
"""

from django.db import migrations, models

from demandes.dossier.normalisation import nom_naissance_cle

SQL_SEXE = """
UPDATE demandes_cleidentite c
   SET sexe = CASE WHEN p.sexe IN ('M', 'F') THEN p.sexe WHEN p.civilite = 'MME' THEN 'F'
                   WHEN p.civilite = 'M' THEN 'M' ELSE '' END
  FROM demandes_personne p
 WHERE p.demande_id = c.demande_id AND p.role = c.role AND (p.sexe IN ('M', 'F') OR p.civilite IN ('M', 'MME'))
"""

SQL_NAISSANCE = """
UPDATE demandes_cleidentite c SET nom_naissance = t.n
  FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(d, r, n)
 WHERE c.demande_id = t.d AND c.role = t.r
"""


def completer_cles(apps, schema_editor):
    with schema_editor.connection.cursor() as curseur:
        curseur.execute(SQL_SEXE)
        curseur.execute(
            "SELECT demande_id, role, nom, nom_naissance FROM demandes_personne "
            "WHERE nom_naissance <> '' AND role IN ('demandeur', 'codemandeur')"
        )
        lignes = [(d, r, nom_naissance_cle(nom, nn)) for d, r, nom, nn in curseur.fetchall()]
        lignes = [ligne for ligne in lignes if ligne[2]]
        for debut in range(0, len(lignes), 50_000):
            morceau = lignes[debut : debut + 50_000]
            curseur.execute(SQL_NAISSANCE, [[x[0] for x in morceau], [x[1] for x in morceau], [x[2] for x in morceau]])
        # Les contrôles différés des clés étrangères des lignes mises à jour, tout de suite : PostgreSQL refuse
        # de créer un index sur une table qui a des événements de trigger en attente (l'index suit).
        curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0022_modeles_demo_vers_demo"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="cleidentite",
            name="cle_naissance",
        ),
        migrations.AddField(
            model_name="cleidentite",
            name="nom_naissance",
            field=models.CharField(blank=True, db_default="", default="", max_length=150),
        ),
        migrations.AddField(
            model_name="cleidentite",
            name="sexe",
            field=models.CharField(blank=True, db_default="", default="", max_length=1),
        ),
        migrations.RunPython(completer_cles, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="cleidentite",
            index=models.Index(
                fields=["date_naissance"],
                include=("demande", "role", "nom", "prenom", "nom_naissance", "sexe"),
                name="cle_naissance",
            ),
        ),
    ]
