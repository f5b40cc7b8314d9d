"""Journal des consultations : recherche et export, pour le gestionnaire du fichier.

Lecture seule : aucun écran ne modifie ni ne supprime une ligne (la base le refuse
d'ailleurs, migration 0003).
"""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone

from fdls import acces
from fdls.audit.filters import ConsultationFilter
from fdls.audit.models import Consultation
from fdls.organismes.views import contexte_gestion
from fdls.socle.tableurs import ligne_csv
from fdls.socle.typographie import formater_nu_dans_texte
from fdls.socle.vues import liste_filtree

ENTETES_CSV = [
    "date",
    "utilisateur",
    "organisme",
    "action",
    "type d'objet",
    "identifiant de l'objet",
    "objet",
    "adresse IP",
    "adresse consultée",
]


def _verifier(request):
    if not acces.consulte_audit(request.user):
        raise PermissionDenied("Le journal des consultations est réservé au gestionnaire du fichier.")


def _filtre(request) -> ConsultationFilter:
    return ConsultationFilter(request.GET, queryset=Consultation.objects.select_related("organisme"))


@login_required
def journal(request):
    _verifier(request)
    return liste_filtree(request, _filtre(request), "audit/journal.html", contexte_gestion(request, "journal"))


class _Tampon:
    """Fichier factice : ``csv.writer`` écrit une ligne, la réponse la diffuse aussitôt."""

    def write(self, valeur):
        return valeur


def _lignes(consultations):
    ecrivain = csv.writer(_Tampon(), delimiter=";")
    yield "\ufeff" + ecrivain.writerow(ENTETES_CSV)
    for c in consultations.iterator(chunk_size=2000):
        # Cellules inertes (fdls.socle.tableurs) : un libellé « =… » n'est pas une formule.
        yield ecrivain.writerow(
            ligne_csv(
                (
                    timezone.localtime(c.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                    c.utilisateur_libelle,
                    c.organisme.nom if c.organisme else "",
                    c.get_action_display(),
                    c.type_lisible,
                    c.objet_id,
                    formater_nu_dans_texte(c.objet_libelle),
                    c.ip or "",
                    c.chemin,
                )
            )
        )


@login_required
def export_csv(request):
    """Export CSV (séparateur point-virgule, UTF-8) du résultat filtré, diffusé par morceaux."""
    _verifier(request)
    filtre = _filtre(request)
    if not filtre.is_valid():
        return liste_filtree(request, filtre, "audit/journal.html", contexte_gestion(request, "journal"))
    nom = f"journal-consultations-{timezone.localtime():%Y%m%d-%H%M}.csv"
    reponse = StreamingHttpResponse(_lignes(filtre.qs), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
