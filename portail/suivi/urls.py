from django.urls import path

from . import views

urlpatterns = [
    path("espace/demandes/<int:pk>/cotation/", views.cotation, name="cotation"),
    path("espace/demandes/<int:pk>/decisions/", views.decisions, name="decisions"),
    path("espace/demandes/<int:pk>/priorites/", views.priorites, name="priorites"),
]
