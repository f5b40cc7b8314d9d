"""La saisie du Cerfa par le demandeur : le formulaire des guichets (``SaisieDossier``), sans choix du guichet
(celui de la première commune souhaitée valide la demande) et avec la pièce d'identité ; les suggestions de
communes viennent de la route publique du portail."""

from __future__ import annotations

from django.urls import reverse

from demandes.cycle.forms import SaisieDossier

from . import services


class SaisieEnLigne(SaisieDossier):
    def __init__(self, data=None, files=None, *, demande=None, ajout: str | None = None):
        super().__init__(data, files, demande=demande, guichets=services.guichets_en_ligne(), ajout=ajout)
        self.guichet_form.fields["guichet"].required = False
        for form in self.localisations.forms + [self.localisations.empty_form]:
            form.fields["commune"].widget.attrs["hx-get"] = reverse("portail:communes_suggerees")

    @property
    def guichet(self):
        return None


class VueSaisie:
    """La saisie telle que la lisent les gabarits partagés des guichets, sans le bloc « guichet »."""

    guichet_form = None

    def __init__(self, saisie: SaisieEnLigne):
        self._saisie = saisie

    def __getattr__(self, nom):
        return getattr(self._saisie, nom)
