from django.urls import path

from fdls.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("export.csv", views.export_csv, name="export"),
]
