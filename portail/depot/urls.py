from django.urls import path

from . import views

urlpatterns = [
    path("espace/depot/", views.depot, name="depot"),
    path("espace/depot/<int:pk>/", views.depot, name="depot_brouillon"),
    path("communes/", views.communes_suggerees, name="communes_suggerees"),
]
