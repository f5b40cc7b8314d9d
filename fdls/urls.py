from django.contrib import admin
from django.urls import include, path

from fdls.socle import views as socle_views

admin.site.site_header = "FDLS — administration des listes de référence"
admin.site.site_title = "FDLS"
admin.site.index_title = "Listes de référence"

urlpatterns = [
    # Navigateurs et outils qui demandent /favicon.ico sans lire le <link rel="icon"> des gabarits.
    path("favicon.ico", socle_views.favicon, name="favicon"),
    path("", include("fdls.accueil.urls")),
    path("", include("fdls.comptes.urls")),
    path("compte/jetons/", include("fdls.comptes.jetons.urls")),
    path("gestion/", include("fdls.organismes.urls")),
    path("gestion/journal/", include("fdls.audit.urls")),
    path("demandes/", include("demandes.urls")),
    path("offre/", include("offre.urls")),
    path("cotation/", include("cotation.urls")),
    path("instruction/", include("instruction.urls")),
    path("observatoire/", include("observatoire.urls")),
    path("portail/", include("portail.urls")),
    path("api/v1/", include(("fdls.api.urls", "v1"), namespace="v1")),
    path("django-admin/", admin.site.urls),
]

handler400 = socle_views.erreur_400
handler403 = socle_views.erreur_403
handler404 = socle_views.erreur_404
handler500 = socle_views.erreur_500
