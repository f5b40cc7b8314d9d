"""Plafonds confirmés et PLAI 2025 des autres régions (issue 17, point 5 ; docs/decisions.md, session 8).

* Les PLUS « autres régions » 2025 (catégories 3 et 4) et 2026 (catégorie 3)
  chargés par 0007 comme estimations « (à vérifier) » sont confirmés, montants
  inchangés, par domain.md §8 (paramètres OpenFisca qui citent les annexes
  Légifrance LEGIARTI000050865366 et LEGIARTI000053307202) : on remplace leur
  source, et celle des PLS qui en sont tirés (PLUS × 1,3).
* PLAI 2025 « autres régions », catégories 2 à 4 (domain.md §8). Les
  catégories 5, 6, la personne supplémentaire et toute l'année 2026 ne sont
  pas connues : elles ne sont pas chargées, et l'administration les montre
  comme manquantes (``reglementaire.plafonds_manquants``).
"""

from django.db import migrations

SOURCE_2025 = (
    "Arrêté du 23/12/2024, annexe (LEGIARTI000050865366) ; openfisca-france "
    "logement_social/plu/…/autres_regions.yaml ; confirmé par domain.md §8"
)
SOURCE_2026 = (
    "Arrêté du 19/12/2025, JORF 24/12/2025, NOR VLOL2534266A, annexe (LEGIARTI000053307202) ; "
    "openfisca-france ; confirmé par domain.md §8"
)
CONFIRMES = [(2025, 3, 37259, SOURCE_2025), (2025, 4, 44982, SOURCE_2025), (2026, 3, 37584, SOURCE_2026)]
SOURCE_PLAI_2025 = "Arrêté du 23/12/2024, annexe II ; sources secondaires citées par domain.md §8"
PLAI_2025_AUTRES = {2: 18591, 3: 22356, 4: 24875}


def charger(apps, schema_editor):
    Plafond = apps.get_model("demandes", "PlafondRessources")
    for annee, categorie, montant, source in CONFIRMES:
        commun = {"zone": "autres", "annee": annee, "categorie": categorie}
        Plafond.objects.filter(financement="PLUS", montant=montant, **commun).update(source=source)
        Plafond.objects.filter(financement="PLS", **commun).update(source=f"PLUS × 1,3 — {source}"[:250])
    for categorie, montant in PLAI_2025_AUTRES.items():
        Plafond.objects.update_or_create(
            financement="PLAI",
            zone="autres",
            annee=2025,
            categorie=categorie,
            defaults={"montant": montant, "source": SOURCE_PLAI_2025},
        )


def retirer(apps, schema_editor):
    Plafond = apps.get_model("demandes", "PlafondRessources")
    Plafond.objects.filter(financement="PLAI", zone="autres", annee=2025, categorie__in=PLAI_2025_AUTRES).delete()


class Migration(migrations.Migration):
    dependencies = [("demandes", "0022_modeles_demo_vers_demo")]

    operations = [migrations.RunPython(charger, retirer)]
