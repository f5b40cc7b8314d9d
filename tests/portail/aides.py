"""Aides des tests du portail : exécuter les tâches planifiées (outbox), un demandeur et sa demande réelle."""

import re

from django.utils.module_loading import import_string

from fdls.socle.models import TacheSortante
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DemandeurFactory


def executer_taches(prefixe: str = "portail.tasks.") -> int:
    """Exécute (comme le worker) puis retire les tâches du portail planifiées ; rend leur nombre."""
    taches = list(TacheSortante.objects.filter(nom__startswith=prefixe).order_by("pk"))
    TacheSortante.objects.filter(pk__in=[t.pk for t in taches]).delete()
    for tache in taches:
        import_string(tache.nom)(*tache.args, **tache.kwargs)
    return len(taches)


def lien(message, motif=r"https?://\S+") -> str:
    return re.search(motif, message.body).group(0)


def demandeur_et_demande(m, **champs):
    """Un demandeur connecté au portail et sa demande enregistrée au guichet (rattachée à son compte)."""
    demandeur = DemandeurFactory()
    demande = enregistrer(m, **champs)
    demande.compte_demandeur = demandeur
    demande.save(update_fields=["compte_demandeur"])
    return demandeur, demande
