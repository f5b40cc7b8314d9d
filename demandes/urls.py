from django.urls import path

from demandes import views

app_name = "demandes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.detail, name="detail"),
]
