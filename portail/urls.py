"""Routes du portail (espace de noms « portail ») : pages publiques, compte, espace personnel, suivi."""

from django.urls import include, path

from portail.chiffres import urls as urls_chiffres
from portail.compte import urls as urls_compte
from portail.courriels import urls as urls_courriels
from portail.depot import urls as urls_depot
from portail.espace import urls as urls_espace
from portail.public import urls as urls_public
from portail.rattachement import urls as urls_rattachement
from portail.suivi import urls as urls_suivi

app_name = "portail"

urlpatterns = [
    path("", include(urls_public)),
    path("", include(urls_chiffres)),
    path("", include(urls_compte)),
    path("", include(urls_espace)),
    path("", include(urls_rattachement)),
    path("", include(urls_suivi)),
    path("", include(urls_courriels)),
    path("", include(urls_depot)),
]
