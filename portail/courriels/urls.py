from django.urls import path

from . import views

urlpatterns = [path("espace/courriels/", views.preferences, name="preferences")]
