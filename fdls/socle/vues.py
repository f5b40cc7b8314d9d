"""Aides partagées par les vues des agents : accès réservé, listes filtrées, objet ou 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django_htmx.http import reselect, reswap, retarget

PAR_PAGE = 50


class Paginateur(Paginator):
    """Paginator qui relaie ``depasse_plafond`` d'une liste au comptage plafonné."""

    @property
    def depasse_plafond(self) -> bool:
        return bool(getattr(self.object_list, "depasse_plafond", False))


def agent_requis(vue):
    """Écrans des agents des organismes partenaires (un demandeur n'y a pas accès)."""

    @login_required
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not request.user.is_agent:
            raise PermissionDenied("Cet écran est réservé aux agents des organismes partenaires.")
        return vue(request, *args, **kwargs)

    return enveloppe


def liste_filtree(
    request, filtre, template: str, contexte: dict | None = None, *, resultats=None, montrer=None, par_page=PAR_PAGE
):
    """Liste paginée (50 lignes) d'un FilterSet ; des critères invalides n'affichent aucun résultat.

    ``resultats`` : fabrique appelée si les critères sont valides, qui rend
    l'objet à paginer quand ce n'est pas ``filtre.qs`` (ex. la recherche des
    demandes sur sa table étroite, au comptage plafonné).
    ``montrer`` : appelée avec les lignes de la page affichée (liste nominative :
    une ligne du journal des consultations par demande montrée).
    ``par_page`` : lignes par page (50 par défaut ; la liste des demandes laisse l'agent choisir).

    Avec htmx, le formulaire ne remplace que ``#resultats`` ; s'il est invalide,
    toute la zone ``#zone-liste`` est remplacée pour montrer les erreurs sur les champs.
    """
    valide = filtre.is_valid()
    if not valide:
        objets = filtre.queryset.none()
    elif resultats:
        objets = resultats()
    else:
        objets = filtre.qs
    page = Paginateur(objets, par_page).get_page(request.GET.get("page"))
    if montrer is not None:
        montrer(list(page.object_list))
    pages = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    contexte = {"filtre": filtre, "page": page, "pages": pages, "criteres_valides": valide, **(contexte or {})}
    reponse = render(request, template, contexte)
    if request.htmx and not valide:
        reponse = reswap(reselect(retarget(reponse, "#zone-liste"), "#zone-liste"), "outerHTML")
    return reponse


def objet_ou_404(queryset: QuerySet, pk=None, **filtres):
    """L'objet ``pk`` du QuerySet (déjà restreint par la politique d'accès), ou une 404.

    Un objet hors du périmètre de l'agent et un objet inexistant donnent la
    même réponse : une 404 ne révèle pas qu'un dossier existe ailleurs.
    """
    if pk is not None:
        filtres["pk"] = pk
    try:
        return queryset.get(**filtres)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"{queryset.model._meta.verbose_name.capitalize()} introuvable.") from exc
