from django.urls import path

from . import views

urlpatterns = [
    path("espace/rattacher/", views.rattacher, name="rattacher"),
    path("espace/rattacher/code/", views.confirmer_code, name="confirmer_code"),
]
