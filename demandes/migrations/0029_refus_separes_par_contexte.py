"""Séparation des refus (issue 18, point 3 ; docs/decisions.md, session 10).

Jusqu'ici un seul type, « refus_proposition », servait au refus d'être positionné
en CAL après un contact et au refus de la proposition d'un logement attribué en
CAL ; la cotation le lisait toujours comme le premier (décote « refus d'être
positionné »). Les événements existants sont retypés d'après le contexte qu'ils
ont enregistré :

- ``details.etape = 'avant_cal'`` (générateur), ou ``precisions`` = « Refus d'être
  positionné en CAL après un contact » (démonstration de la cotation)
  → « refus_positionnement » ;
- ``details.etape = 'apres_attribution'`` (générateur : refus de la proposition
  du logement que la CAL venait d'attribuer) → « refus_attribution » ;
- tout autre « refus_proposition » (aucun contexte) reste tel quel : refus d'une
  proposition, sans décote (annexe 1 : deux décotes seulement).

Une instruction ``UPDATE`` ensembliste par l'index partiel ``evenement_cotation``
(qui couvre encore « refus_proposition » à ce moment) : quelques secondes à 1 M
de demandes. L'historique est immuable (trigger ``demandes_evenement_immuable``) :
le trigger est suspendu le temps de cette instruction, dans la transaction de la
migration (``ALTER TABLE … DISABLE TRIGGER`` est transactionnel) ; rien d'autre
que le type ne change. L'index partiel est ensuite reconstruit sur les types que
lit la cotation. Les résultats de cotation des demandes concernées sont marqués
à recoter par la migration ``cotation.0007_recoter_apres_separation_des_refus``.
Test : tests/cotation/calcul/test_refus_annexe1.py.
"""

from django.db import migrations, models

CONTACT = "Refus d'être positionné en CAL après un contact"

SQL_RETYPER = """
UPDATE demandes_evenement
SET type = CASE
    WHEN details->>'etape' = 'apres_attribution' THEN 'refus_attribution'
    ELSE 'refus_positionnement'
END
WHERE type = 'refus_proposition'
  AND (details->>'etape' IN ('avant_cal', 'apres_attribution') OR precisions = %s)
"""


def retyper(apps, schema_editor):
    """Retype les « refus_proposition » d'après leur contexte ; rend le nombre de lignes retypées."""
    connexion = schema_editor.connection if schema_editor is not None else None
    if connexion is None:
        from django.db import connection as connexion
    with connexion.cursor() as cur:
        # ALTER TABLE refuse une table aux vérifications différées en attente (clés étrangères de Django) :
        # elles sont faites maintenant, puis redeviennent différées.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE demandes_evenement DISABLE TRIGGER demandes_evenement_immuable")
        cur.execute(SQL_RETYPER, [CONTACT])
        retypes = cur.rowcount
        cur.execute("ALTER TABLE demandes_evenement ENABLE TRIGGER demandes_evenement_immuable")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    return retypes


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0028_types_evenements_instruction"),
    ]

    operations = [
        # Irréversible à dessein : le contexte qui a servi au retypage reste dans ``details``/``precisions``.
        migrations.RunPython(retyper, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="evenement", name="evenement_cotation"),
        migrations.AddIndex(
            model_name="evenement",
            index=models.Index(
                condition=models.Q(type__in=["refus_positionnement", "refus_attribution", "passage_cal"]),
                fields=["demande"],
                name="evenement_cotation",
            ),
        ),
    ]
