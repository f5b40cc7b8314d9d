"""Lectures du dossier partagées par l'API, les écrans et les éditions."""

from django.db.models import Prefetch, QuerySet

from demandes.dossier.models import LocalisationSouhaitee, Personne

#: Localisations souhaitées dans l'ordre des choix, avec commune et quartier.
LOCALISATIONS = LocalisationSouhaitee.objects.select_related("commune", "quartier").order_by("rang")


def avec_dossier(queryset: QuerySet) -> QuerySet:
    """Demandes avec leur guichet, leur ménage (personnes et ressources) et leurs localisations, préchargés."""
    return queryset.select_related("guichet").prefetch_related(
        Prefetch("personnes", queryset=Personne.objects.order_by("rang", "id").prefetch_related("ressources")),
        Prefetch("localisations", queryset=LOCALISATIONS),
    )
