"""Exports CSV et XLSX de la liste filtrée des demandes.

Données nominatives : chaque export inscrit au journal des consultations une
ligne par demande exportée (action « export »), avant que la première ligne
ne parte. Le CSV est envoyé au fil de l'eau ; le XLSX est construit en mode
« write only » d'openpyxl (mémoire bornée). Au-delà de ``PLAFOND`` lignes,
l'agent affine ses critères. Toute valeur passe par ``fdls.socle.tableurs`` :
un nom saisi « =HYPERLINK(…) » reste du texte inerte (CSV comme XLSX).
"""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_liste
from fdls.socle.tableurs import ligne_csv, ligne_xlsx

PLAFOND = 50_000
TAILLE_LOT = 2_000

COLONNES = [
    "N° de dossier",
    "N° unique",
    "État",
    "Nature",
    "Date de dépôt",
    "Renouvellement à effectuer avant le",
    "Guichet d'enregistrement",
    "Demandeur – nom",
    "Demandeur – prénom",
    "Demandeur – date de naissance",
    "Situation familiale",
    "Co-demandeur – nom",
    "Co-demandeur – prénom",
    "Co-demandeur – date de naissance",
    "Personnes à loger",
    "Typologies recherchées",
    "1re commune souhaitée",
]


def lignes(queryset):
    """Une liste de valeurs par demande, dans l'ordre de ``COLONNES`` (queryset de la liste)."""
    for d in queryset.iterator(chunk_size=TAILLE_LOT):
        demandeur = next((p for p in d.titulaires if p.role == "demandeur"), None)
        codemandeur = next((p for p in d.titulaires if p.role == "codemandeur"), None)
        yield [
            d.reference or "",
            d.numero_unique_affiche,
            d.get_etat_display(),
            d.get_nature_display(),
            d.date_depot,
            d.date_expiration,
            str(d.guichet),
            d.nom.upper(),
            d.prenom,
            d.date_naissance,
            demandeur.get_situation_familiale_display() if demandeur else "",
            codemandeur.nom.upper() if codemandeur else "",
            codemandeur.prenom if codemandeur else "",
            codemandeur.date_naissance if codemandeur else None,
            d.nb_personnes,
            ", ".join(d.typologies),
            d.premiere_commune or "",
        ]


def journaliser(queryset, *, user, request) -> int:
    """Une ligne du journal par demande exportée (qui, organisme, quand, quelle demande)."""
    objets = (
        queryset.select_related(None)
        .prefetch_related(None)
        .only("pk", "numero_unique", "nom", "prenom")
        .iterator(chunk_size=TAILLE_LOT)
    )
    return journaliser_liste(user=user, objets=objets, action=Consultation.Action.EXPORT, request=request)


def _nom_fichier(extension: str) -> str:
    return f"demandes-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


class _Tampon:
    """Pseudo-fichier : ``csv.writer`` écrit, on rend la ligne produite."""

    def write(self, valeur):
        return valeur


def reponse_csv(queryset) -> StreamingHttpResponse:
    # Point-virgule et BOM UTF-8 : le fichier s'ouvre tel quel dans un tableur réglé en français.
    ecrivain = csv.writer(_Tampon(), delimiter=";")

    def flux():
        yield "\ufeff" + ecrivain.writerow(COLONNES)
        for ligne in lignes(queryset):
            yield ecrivain.writerow(ligne_csv(ligne))

    reponse = StreamingHttpResponse(flux(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{_nom_fichier("csv")}"'
    return reponse


def reponse_xlsx(queryset) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Demandes")
    gras = Font(bold=True)
    entete = []
    for cellule in ligne_xlsx(feuille, COLONNES):
        cellule.font = gras
        entete.append(cellule)
    feuille.append(entete)
    for ligne in lignes(queryset):
        feuille.append(ligne_xlsx(feuille, ligne))
    contenu = io.BytesIO()
    classeur.save(contenu)
    reponse = HttpResponse(
        contenu.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    reponse["Content-Disposition"] = f'attachment; filename="{_nom_fichier("xlsx")}"'
    return reponse
