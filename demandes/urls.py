from django.urls import include, path

from demandes import views, views_editions, views_en_ligne, views_labels, views_pieces

app_name = "demandes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("export.<str:format>", views.exporter, name="export"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("<int:pk>/annuler/", views.annuler, name="annuler"),
    path("<int:pk>/reactiver/", views.reactiver, name="reactiver"),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("<int:pk>/synthese.pdf", views_editions.synthese_pdf, name="synthese_pdf"),
    path("<int:pk>/attestation.pdf", views_editions.attestation_pdf, name="attestation_pdf"),
    path("<int:pk>/pieces/", views_pieces.liste, name="pieces"),
    path("<int:pk>/pieces/<int:piece_pk>/fichier/", views_pieces.telecharger, name="piece_fichier"),
    path("<int:pk>/pieces/<int:piece_pk>/obsolete/", views_pieces.obsolete, name="piece_obsolete"),
    path("<int:pk>/pieces/<int:piece_pk>/supprimer/", views_pieces.supprimer, name="piece_supprimer"),
    path("doublons/", include("demandes.urls_doublons")),
    path("<int:pk>/labels/ajouter/", views_labels.ajouter, name="label_ajouter"),
    path("<int:pk>/labels/<int:label_pk>/retirer/", views_labels.retirer, name="label_retirer"),
    path("en-ligne/", views_en_ligne.file, name="en_ligne"),
    path("en-ligne/<int:pk>/", views_en_ligne.examen, name="en_ligne_examen"),
    path("en-ligne/<int:pk>/valider/", views_en_ligne.valider, name="en_ligne_valider"),
    path("en-ligne/<int:pk>/rejeter/", views_en_ligne.rejeter, name="en_ligne_rejeter"),
]
