from django.urls import include, path

from demandes import views

app_name = "demandes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("export.<str:format>", views.exporter, name="export"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("<int:pk>/annuler/", views.annuler, name="annuler"),
    path("<int:pk>/reactiver/", views.reactiver, name="reactiver"),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("doublons/", include("demandes.urls_doublons")),
]
