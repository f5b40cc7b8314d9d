"""Lectures des pages publiques : grilles de cotation en vigueur (livrets), annuaire des guichets."""

from cotation.calcul.models import Grille
from fdls.organismes.models import Guichet
from fdls.territoires.models import Commune


def grilles_en_vigueur():
    return Grille.objects.filter(etat=Grille.Etat.EN_VIGUEUR).select_related("epci").order_by("epci__nom")


def guichets_publics(commune: str | None = None):
    """Guichets actifs visibles dans l'annuaire, par commune (accompagnateurs : enregistrent ; relais :
    informent et aident à remplir)."""
    guichets = Guichet.objects.filter(actif=True, visible_annuaire=True, organisme__actif=True).select_related(
        "commune", "organisme"
    )
    if commune:
        guichets = guichets.filter(commune_id=commune)
    return guichets.order_by("commune__nom", "type", "nom")


def communes_des_guichets():
    ids = Guichet.objects.filter(actif=True, visible_annuaire=True).values("commune_id")
    return Commune.objects.filter(pk__in=ids).order_by("nom")
