"""Permissions de l'API : la politique d'accès traduite pour DRF (erreurs : fdls/socle/api/erreurs.py,
routes : fdls/api/urls.py).

Toute vue de l'API exige par défaut ``EstAgentAuthentifie`` (réglage
``REST_FRAMEWORK``) ; les vues d'écriture ajoutent ``EstAdministrateur`` ou
une permission métier, les vues nominatives ``VoitDonneesNominatives`` et
leur QuerySet ``visibles_par(user)``.

Ce module est importé par les réglages de DRF pendant le chargement de
``rest_framework.views`` : il ne doit importer ni les vues ni les routeurs.
"""

from rest_framework import permissions

from fdls import acces
from fdls.comptes.models import JetonApi


def jeton_de(request) -> JetonApi | None:
    """Jeton d'API de la requête, ou None pour une session."""
    return request.auth if isinstance(request.auth, JetonApi) else None


class EstAgentAuthentifie(permissions.BasePermission):
    """Agent actif d'un organisme ; par session, second facteur passé ; écriture
    seulement avec un jeton de portée « écriture »."""

    message = "Authentification requise : jeton d'API d'un agent ou session avec second facteur."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_agent:
            self.message = "Les comptes demandeurs n'ont pas accès à l'API : utilisez votre espace personnel."
            return False
        jeton = jeton_de(request)
        if jeton is None and not user.is_verified():
            self.message = "Session sans second facteur : validez votre code à usage unique ou utilisez un jeton d'API."
            return False
        ecriture = request.method not in permissions.SAFE_METHODS
        if ecriture and jeton is not None and jeton.portee != JetonApi.Portee.ECRITURE:
            self.message = "Ce jeton est en lecture seule : une écriture exige un jeton de portée « écriture »."
            return False
        return True


class EstAdministrateur(permissions.BasePermission):
    """Écritures sur les partenaires et référentiels : administrateurs du gestionnaire du fichier."""

    message = "Action réservée aux administrateurs de l'organisme gestionnaire du fichier."

    def has_permission(self, request, view):
        return acces.administre(request.user)


class LectureOuAdministrateur(EstAdministrateur):
    """Lecture pour tout agent authentifié, écriture pour les administrateurs."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)


class VoitDonneesNominatives(permissions.BasePermission):
    """Données nominatives des demandes : rôles nominatifs seulement (CCH R441-2-6)."""

    message = (
        "Votre rôle ne donne pas accès aux données nominatives des demandes (CCH R441-2-6) : "
        "seules les statistiques sans nom vous sont ouvertes."
    )

    def has_permission(self, request, view):
        return acces.voit_nominatif(request.user)
