from django.urls import path

from fdls.comptes import views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("connexion/second-facteur/", views.second_facteur, name="second_facteur"),
    path("connexion/activer-second-facteur/", views.activer_second_facteur, name="activer_second_facteur"),
    path("deconnexion/", views.DeconnexionView.as_view(), name="deconnexion"),
    path("connexion/mot-de-passe-oublie/", views.MotDePasseOublieView.as_view(), name="mot_de_passe_oublie"),
    path("connexion/mot-de-passe-envoye/", views.MotDePasseEnvoyeView.as_view(), name="mot_de_passe_envoye"),
    path(
        "connexion/reinitialiser/<uidb64>/<token>/",
        views.ReinitialisationView.as_view(),
        name="reinitialisation",
    ),
    path(
        "connexion/reinitialisation-terminee/",
        views.ReinitialisationTermineeView.as_view(),
        name="reinitialisation_terminee",
    ),
    path("compte/", views.profil, name="profil"),
    path("compte/mot-de-passe/", views.ChangementMotDePasseView.as_view(), name="changement_mot_de_passe"),
]
