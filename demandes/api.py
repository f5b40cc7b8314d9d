"""API des demandes : la ressource ``/demandes/`` et les routes de chaque fonctionnalité.

``DemandeViewSet`` assemble la base d'accès (``demandes/dossier/api.py``) et
les actions des fonctionnalités : liste (``demandes/liste/api.py``), lecture
(``demandes/fiche/api.py``), cycle de vie (``demandes/cycle/api.py``). Les
autres routes sont celles des pièces, des éditions, des labels et des
demandes en ligne, chacune dans le ``api.py`` de sa fonctionnalité.

Ce module fournit les routes, incluses par ``fdls/socle/api/urls.py`` sous
``/api/v1/``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import routers

from demandes.cycle.api import CycleDemandeApi
from demandes.dossier.api import DemandeApiBase
from demandes.editions import api as editions
from demandes.en_ligne import api as en_ligne
from demandes.fiche.api import FicheDemandeApi
from demandes.labels import api as labels
from demandes.liste.api import ListeDemandesApi
from demandes.pieces.api import PieceViewSet


# Les demandes visibles de l'agent : liste, lecture, enregistrement et cycle de vie (pas de docstring :
# drf-spectacular la reprendrait comme description des opérations, qui ont chacune la leur).
@extend_schema(tags=["demandes"])
class DemandeViewSet(ListeDemandesApi, FicheDemandeApi, CycleDemandeApi, DemandeApiBase):
    pass


routeur = routers.SimpleRouter()
routeur.register("demandes", DemandeViewSet, basename="demande")
routeur.register(r"demandes/(?P<demande_pk>[0-9]+)/pieces", PieceViewSet, basename="piece")
urlpatterns = routeur.urls + editions.urlpatterns + labels.urlpatterns + en_ligne.urlpatterns
