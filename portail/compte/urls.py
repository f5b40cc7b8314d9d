from django.urls import path

from portail.compte import views

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("inscription/", views.inscription, name="inscription"),
    path("inscription/envoyee/", views.inscription_envoyee, name="inscription_envoyee"),
    path("inscription/confirmer/<uidb64>/<token>/", views.verification, name="verification"),
    path("inscription/nouveau-lien/", views.nouveau_lien, name="nouveau_lien"),
]
