from django.urls import path

from observatoire.bilans import views as bilans
from observatoire.compteurs import views as compteurs
from observatoire.opendata import views as opendata
from observatoire.pivot import views as pivot
from observatoire.tableaux import views as tableaux

app_name = "observatoire"

urlpatterns = [
    path("", tableaux.accueil, name="accueil"),
    path("tableaux/indicateurs-legaux/", tableaux.indicateurs_legaux, name="indicateurs"),
    path("tableaux/<slug:code>/", tableaux.tableau, name="tableau"),
    path("compteurs/", compteurs.compteurs, name="compteurs"),
    path("tableau-croise/", pivot.pivot, name="pivot"),
    path("tableau-croise/extraction/", pivot.extraction, name="extraction"),
    path("exports/<int:pk>/", pivot.export, name="export"),
    path("exports/<int:pk>/fichier/", pivot.export_fichier, name="export_fichier"),
    path("bilans/", bilans.bilans, name="bilans"),
    path("bilans/<int:pk>/<str:format_>/", bilans.bilan_fichier, name="bilan_fichier"),
    path("donnees-ouvertes/", opendata.opendata, name="opendata"),
    path("donnees-ouvertes/<str:mois>/<str:nom>", opendata.fichier, name="opendata_fichier"),
]
