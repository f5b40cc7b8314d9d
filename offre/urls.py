from django.urls import include, path

from offre import views
from offre.importation import urls as urls_importation

app_name = "offre"

urlpatterns = [
    path("logements/", views.logements, name="logements"),
    path("logements/nouveau/", views.creer_logement, name="creer_logement"),
    path("logements/<int:pk>/", views.logement, name="logement"),
    path("logements/<int:pk>/modifier/", views.modifier_logement, name="modifier_logement"),
    path("logements/<int:pk>/vacance/", views.declarer_disponibilite, name="declarer_disponibilite"),
    path("programmes/nouveau/", views.creer_programme, name="creer_programme"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/modifier/", views.modifier_programme, name="modifier_programme"),
    path("vacances/", views.disponibilites, name="disponibilites"),
    path("vacances/<int:pk>/etat/", views.changer_etat_disponibilite, name="changer_etat_disponibilite"),
    path("statistiques/", views.statistiques, name="statistiques"),
    path("", include(urls_importation)),
]
