from django.apps import AppConfig
from django.conf import settings

# Noms des énumérations de l'API du parc : les champs « etat », « motif » et
# « nature » existent aussi dans les demandes (drf-spectacular les distingue
# par ces noms ; sans eux, il invente des suffixes instables).
ENUMS_API = {
    "EtatDisponibiliteEnum": "offre.models.EtatDisponibilite",
    "MotifDisponibiliteEnum": "offre.models.Disponibilite.Motif",
    "EtatImportEnum": "offre.models.ImportLogements.Etat",
    "NatureLogementEnum": "offre.models.Nature",
    "TypologieEnum": "offre.models.Typologie",
    "CategorieEnum": "offre.models.Categorie",
    # Les homonymes des demandes reçoivent aussi un nom stable (sinon suffixe haché).
    "EtatDemandeEnum": "demandes.models.Demande.Etat",
    "NatureDemandeEnum": "demandes.choix.NatureDemande",
}


class OffreConfig(AppConfig):
    name = "offre"
    verbose_name = "Offre de logements"

    def ready(self):
        # Le socle ne connaît pas les applications métier : chacune déclare ses noms.
        surcharges = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
        for nom, chemin in ENUMS_API.items():
            surcharges.setdefault(nom, chemin)
