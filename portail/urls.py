from django.urls import path

from portail import views

app_name = "portail"

urlpatterns = [
    path("", views.espace, name="espace"),
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
]
