"""Refus d'un logement attribué en CAL (événement) et labels des priorités que cote la grille de Nantes Métropole.

Priorités de l'État que la DDETS pose (seed 001 annexe 1 : situation de
handicap ; sans logement, logement précaire ou 25-30 ans en difficulté
économique ; autres priorités définies par l'État) et priorités locales que
l'EPCI pose (mutation prioritaire, renouvellement urbain, logement d'abord).
"""

from django.conf import settings
from django.db import migrations, models

# (code, libellé, famille, type d'organisme qui le pose, ordre)
TYPES = [
    ("cp-handicap", "CP - Situation de handicap", "priorite", "etat", 45),
    (
        "cp-sans-logement",
        "CP - Sans logement, logement précaire ou 25-30 ans en difficulté économique",
        "priorite",
        "etat",
        47,
    ),
    ("cp-autres-priorites", "CP - Autres priorités définies par l'État", "priorite", "etat", 55),
    ("nm-mutation-prioritaire", "NM - Mutation prioritaire", "priorite", "epci", 60),
    ("nm-renouvellement-urbain", "NM - Relogement renouvellement urbain", "priorite", "epci", 61),
    ("nm-logement-d-abord", "NM - Logement d'abord", "priorite", "epci", 62),
]


def creer(apps, schema_editor):
    TypeLabel = apps.get_model("demandes", "TypeLabel")
    for code, libelle, famille, autorise, ordre in TYPES:
        TypeLabel.objects.update_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "famille": famille,
                "type_organisme_autorise": autorise,
                "automatique": False,
                "regle": "",
                "ordre": ordre,
                "actif": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0015_recherche_epci_etat"),
        ("organismes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="evenement",
            name="type",
            field=models.CharField(
                choices=[
                    ("enregistrement", "Enregistrement de la demande"),
                    ("modification", "Modification de la demande"),
                    ("renouvellement", "Renouvellement de la demande"),
                    ("annulation", "Annulation de la demande"),
                    ("annulation_automatique", "Annulation automatique de la demande suite au non renouvellement"),
                    ("reactivation", "Réactivation de la demande"),
                    ("satisfaction", "Demande satisfaite (bail signé)"),
                    ("fusion", "Fusion de demandes en doublon"),
                    ("doublon_ecarte", "Suspicion de doublon écartée"),
                    ("validation", "Validation de la demande en ligne"),
                    ("piece_ajoutee", "Pièce ajoutée"),
                    ("piece_obsolete", "Pièce rendue obsolète"),
                    ("piece_supprimee", "Pièce supprimée"),
                    ("label", "Priorité, éligibilité ou contingent"),
                    ("proposition", "Proposition de logement"),
                    ("refus_proposition", "Refus du demandeur d'une proposition de logement"),
                    ("refus_attribution", "Refus du demandeur d'un logement attribué en CAL"),
                    ("passage_cal", "Passage en Commission d'attribution logement"),
                    ("decision_cal", "Attribution de la Commission d'attribution logement"),
                    ("non_attribution", "Non-attribution : bail signé par le candidat classé devant"),
                    ("label_retrait", "Retrait d'une priorité, éligibilité ou contingent"),
                    ("depot_en_ligne", "Dépôt de la demande en ligne"),
                    ("rejet_en_ligne", "Rejet de la demande en ligne"),
                ],
                max_length=30,
                verbose_name="événement",
            ),
        ),
        migrations.AddIndex(
            model_name="evenement",
            index=models.Index(
                condition=models.Q(("type__in", ["refus_proposition", "refus_attribution", "passage_cal"])),
                fields=["demande"],
                name="evenement_cotation",
            ),
        ),
        migrations.RunPython(creer, migrations.RunPython.noop),
    ]
