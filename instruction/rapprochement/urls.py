"""Rapprochement : d'une vacance à ses candidats (recherche, motifs d'exclusion)."""

from django.urls import path

from instruction.rapprochement import views

urlpatterns = [
    path("disponibilites/<int:pk>/candidats/", views.candidats, name="candidats"),
]
