from django.urls import path

from fdls.socle import views

app_name = "socle"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("healthz", views.healthz, name="healthz"),
]
