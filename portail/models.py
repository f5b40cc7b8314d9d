"""Modèles du portail, réunis pour Django (chaque fonctionnalité garde les siens)."""

from portail.chiffres.models import ChiffresTerritoire
from portail.courriels.models import CourrielEnvoye, PreferencesCourriel
from portail.rattachement.models import CodeRattachement

__all__ = ["ChiffresTerritoire", "CodeRattachement", "CourrielEnvoye", "PreferencesCourriel"]
