"""Plafonds de ressources PLUS, PLS et PLAI 2024–2026 (arrêté du 29 juillet 1987 modifié).

Données réglementaires versionnées (domain.md §8) : le gestionnaire ajoute les
années suivantes dans l'administration. Les sources lues sont notées ligne à
ligne (champ ``source``) et dans docs/decisions.md (2026-11-23) ; les valeurs
marquées « (à vérifier) » sont des estimations à confronter à l'arrêté publié.
Les seuils du 1er quartile ne sont pas chargés : aucune valeur n'a pu être lue
(docs/decisions.md) ; sans seuil, la synthèse affiche « non renseigné ».
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

ARRETE_2024 = "Arrêté du 18/12/2023 (annexe I, legal.tricoteuses.fr/articles/LEGIARTI000048667288)"
ARRETE_2025 = "Arrêté du 23/12/2024 (JO 2024-12-27) ; copies : openfisca-france, plan-immobilier.fr, tradetrans.eu"
ARRETE_2026 = "Arrêté du 19/12/2025 (JO 2025-12-24) ; copies : openfisca-france, RMC/beincrypto, lessentieldeleco.fr"
A_VERIFIER_2025 = (
    "(à vérifier) estimation 2024 × 1,024671 (revalorisation IRL 2025), cohérente avec les copies de presse"
)
A_VERIFIER_2026 = "(à vérifier) estimation 2025 × 1,008715 (revalorisation IRL 2026)"


def _lignes():
    """(financement, zone, année, catégorie, montant, source) pour chaque valeur lue ou estimée."""
    lignes = []
    plus_2024 = {
        "autres": [22642, 30238, 36362, 43899, 51641, 58200, 6492],
        "idf": [26044, 38925, 46789, 56046, 66347, 74662, 8319],
        "paris": [26044, 38925, 51025, 60921, 72482, 81562, 9089],
    }
    for zone, montants in plus_2024.items():
        for categorie, montant in enumerate(montants, start=1):
            lignes.append(("PLUS", zone, 2024, categorie, montant, ARRETE_2024))

    plus_2025 = {
        "autres": {1: 23201, 2: 30984, 3: (37259, A_VERIFIER_2025), 4: (44982, A_VERIFIER_2025), 5: 52915, 6: 59636},
        "idf": {1: 26687, 2: 39885, 3: 47944, 7: 8524},
        "paris": {1: 26687, 2: 39885, 3: 52284, 4: 62424, 5: 74271, 6: 83575, 7: 9313},
    }
    plus_2025["autres"][7] = 6652
    plus_2026 = {
        "autres": {1: 23403, 2: 31254, 3: (37584, A_VERIFIER_2026), 4: 45374, 5: 53376, 6: 60156, 7: 6710},
        "idf": {1: 26920, 2: 40233, 6: 77171, 7: 8598},
        "paris": {1: 26920, 2: 40233, 4: 62968, 6: 84304, 7: 9394},
    }
    for annee, table, source in ((2025, plus_2025, ARRETE_2025), (2026, plus_2026, ARRETE_2026)):
        for zone, montants in table.items():
            for categorie, valeur in montants.items():
                montant, source_ligne = valeur if isinstance(valeur, tuple) else (valeur, source)
                lignes.append(("PLUS", zone, annee, categorie, montant, source_ligne))

    # PLS = PLUS majorés de 30 % (arrêté du 29 juillet 1987, art. 1er), arrondis à l'euro le plus proche
    # (vérifié sur les PLS 2025 Paris publiés : 34 693, 51 851, 67 969, 12 107).
    for _, zone, annee, categorie, montant, source in list(lignes):
        pls = (Decimal(montant) * Decimal("1.3")).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        lignes.append(("PLS", zone, annee, categorie, int(pls), f"PLUS × 1,3 — {source}"[:250]))

    # PLAI : seules les valeurs 2025 lues sont chargées.
    plai_2025_paris = [14683, 23931, 31369, 34338, 40847, 45968, 5121]
    for categorie, montant in enumerate(plai_2025_paris, start=1):
        lignes.append(
            ("PLAI", "paris", 2025, categorie, montant, "Arrêté du 23/12/2024, annexe II ; copie tradetrans.eu")
        )
    lignes.append(("PLAI", "autres", 2025, 1, 12759, "Arrêté du 23/12/2024, annexe II ; copie social.linked.fr"))
    return lignes


def charger(apps, schema_editor):
    Plafond = apps.get_model("demandes", "PlafondRessources")
    for financement, zone, annee, categorie, montant, source in _lignes():
        Plafond.objects.update_or_create(
            financement=financement,
            zone=zone,
            annee=annee,
            categorie=categorie,
            defaults={"montant": montant, "source": source[:250]},
        )


def retirer(apps, schema_editor):
    Plafond = apps.get_model("demandes", "PlafondRessources")
    for financement, zone, annee, categorie, _, _ in _lignes():
        Plafond.objects.filter(financement=financement, zone=zone, annee=annee, categorie=categorie).delete()


class Migration(migrations.Migration):
    dependencies = [("demandes", "0006_doublons_semes")]

    operations = [migrations.RunPython(charger, retirer)]
