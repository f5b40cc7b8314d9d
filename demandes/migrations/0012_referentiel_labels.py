"""Référentiel des labels (priorités, éligibilités, contingents) du fichier de Loire-Atlantique.

Libellés des seeds (domain.md §3, seed 000 et seed 001 §2) : les labels « CP »
(contingent préfectoral) sont posés et retirés par la DDETS seulement ;
« Eligibilité ALS » par Action Logement ; le 1er quartile est calculé
(``demandes.labels``). Les contingents communaux (« Mairie de Rezé »)
appartiennent chacun à sa ville : ils se créent avec l'organisme
(``demandes.labels.creer_contingents_communaux``), pas ici.
"""

from django.db import migrations

REGLE_PREMIER_QUARTILE = (
    "Ressources mensuelles déclarées du ménage × 12 / unités de consommation (échelle OCDE : 1 ; 0,5 par "
    "personne de 14 ans ou plus ; 0,3 par enfant) inférieures au seuil du 1er quartile de l'EPCI du premier "
    "choix de commune (arrêté annuel, CCH L441-1). Recalculé à chaque enregistrement, modification et chaque nuit."
)

# (code, libellé, famille, type d'organisme qui le pose, automatique, règle, ordre)
TYPES = [
    ("cp-dalo", "CP - Dalo", "priorite", "etat", False, "", 10),
    ("cp-violences-conjugales", "CP - Violences conjugales", "priorite", "etat", False, "", 20),
    ("cp-sortant-hebergement", "CP - Sortant d'hébergement", "priorite", "etat", False, "", 30),
    ("cp-refugies", "CP - Réfugiés", "priorite", "etat", False, "", 40),
    (
        "cp-premier-quartile",
        "CP - Labélisation automatique (1er quartile)",
        "priorite",
        "etat",
        True,
        REGLE_PREMIER_QUARTILE,
        50,
    ),
    ("eligibilite-als", "Eligibilité ALS", "eligibilite", "action_logement", False, "", 10),
    ("cp-fonctionnaires", "CP - Fonctionnaires", "contingent", "etat", False, "", 10),
    ("cil-nm-ctg-prefectoral", "CIL NM - Ctg préfectoral", "contingent", "etat", False, "", 20),
]


def creer(apps, schema_editor):
    TypeLabel = apps.get_model("demandes", "TypeLabel")
    for code, libelle, famille, autorise, automatique, regle, ordre in TYPES:
        TypeLabel.objects.update_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "famille": famille,
                "type_organisme_autorise": autorise,
                "automatique": automatique,
                "regle": regle,
                "ordre": ordre,
                "actif": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0011_labels"),
    ]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
