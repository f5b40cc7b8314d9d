"""Paramètres réglementaires initiaux (domain.md §8) ; modifiables en administration, datés."""

from datetime import date

from django.db import migrations

PARAMETRES = [
    ("validite_demande", 12, "mois", "Durée de validité d'une demande", "CCH R441-2-7 (décret 2017-834)"),
    ("preavis_renouvellement", 1, "mois", "Préavis de renouvellement avant l'expiration", "CCH R441-2-7"),
    (
        "delai_reactivation",
        30,
        "jours",
        "Délai pendant lequel une demande annulée pour non-renouvellement ou par erreur peut être réactivée",
        "Pratique des fichiers partagés (à vérifier : CCH R441-2-8)",
    ),
    ("delai_attestation", 30, "jours", "Délai d'envoi de l'attestation d'enregistrement", "CCH R441-2-4 (à vérifier)"),
]


def creer(apps, schema_editor):
    Parametre = apps.get_model("demandes", "ParametreReglementaire")
    for code, valeur, unite, libelle, source in PARAMETRES:
        Parametre.objects.get_or_create(
            code=code,
            date_effet=date(2017, 5, 5),
            defaults={"valeur": valeur, "unite": unite, "libelle": libelle, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("demandes", "0004_historique_immuable")]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
