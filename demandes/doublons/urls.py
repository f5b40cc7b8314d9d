from django.urls import path

from demandes import views_doublons

app_name = "doublons"

urlpatterns = [
    path("", views_doublons.liste, name="liste"),
    path("<int:pk>/", views_doublons.comparaison, name="comparaison"),
    path("<int:pk>/fusionner/", views_doublons.fusion, name="fusion"),
    path("<int:pk>/distinctes/", views_doublons.distinctes, name="distinctes"),
]
