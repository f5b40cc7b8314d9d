from django.urls import path

from . import views

urlpatterns = [path("chiffres/", views.chiffres, name="chiffres")]
