from django.urls import path, re_path

from fdls.socle import views

app_name = "socle"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("healthz", views.healthz, name="healthz"),
    path("administration/", views.administration, name="administration"),
    # Rubriques du menu encore sans écran métier (fdls.socle.views.RUBRIQUES).
    re_path(r"^(?P<nom>offre|instruction|statistiques|editions)/$", views.section, name="section"),
]
