import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache

from fdls import acces
from fdls.socle import selectors
from fdls.socle.middleware import est_indisponibilite, reponse_503

# Rubriques du menu principal encore sans écran métier : chacune dit
# honnêtement ce qui y viendra et montre ce qui existe déjà.
RUBRIQUES = {
    "offre": {
        "titre": "Offre",
        "capacite": (
            "Le parc de logements sociaux et ses disponibilités : programmes, logements qualifiés "
            "(typologie, étage et ascenseur, accessibilité, loyer et charges, financement, réservataire, "
            "DPE, situation en QPV) et logements vacants, saisis à l'écran ou importés depuis les bailleurs."
        ),
    },
    "instruction": {
        "titre": "Instruction",
        "capacite": (
            "Le rapprochement de l'offre et de la demande : pour un logement vacant, les candidats classés "
            "par cotation avec les contrôles d'éligibilité, puis les propositions, les visites, la préparation "
            "des commissions d'attribution (CAL / CALEOL) et l'enregistrement de leurs décisions."
        ),
    },
    "statistiques": {
        "titre": "Statistiques",
        "capacite": (
            "Les tableaux de la demande et des attributions : photos mensuelles, compteurs d'activité, "
            "tableaux standards et tableaux croisés exportables, bilans et indicateurs légaux "
            "(attributions au premier quartile hors QPV, ménages prioritaires, mutations)."
        ),
    },
    "editions": {
        "titre": "Éditions",
        "capacite": (
            "Les documents à imprimer ou à envoyer : attestation d'enregistrement, fiche de synthèse de la "
            "demande, ordre du jour et fiches candidats des commissions d'attribution."
        ),
    },
}


def _raccourcis(user) -> list[dict]:
    """Accès rapides de l'accueil selon les rôles de l'agent."""
    raccourcis = []
    if acces.voit_nominatif(user):
        raccourcis.append(
            {
                "titre": "Rechercher une demande",
                "aide": "Par nom ou numéro unique, parmi les demandes de votre territoire d'habilitation.",
                "url": reverse("demandes:liste"),
            }
        )
    if acces.voit_statistiques(user):
        raccourcis.append(
            {
                "titre": "Statistiques",
                "aide": "Chiffres du fichier partagé, sans donnée nominative.",
                "url": reverse("socle:section", args=["statistiques"]),
            }
        )
    if acces.consulte_audit(user):
        raccourcis.append(
            {
                "titre": "Journal des consultations",
                "aide": "Qui a consulté quelle demande, quand et depuis quel organisme.",
                "url": reverse("audit:journal"),
            }
        )
    if acces.administre(user):
        raccourcis.append(
            {
                "titre": "Partenaires",
                "aide": "Organismes, guichets d'enregistrement et comptes des agents.",
                "url": reverse("organismes:liste"),
            }
        )
        raccourcis.append(
            {
                "titre": "Administration",
                "aide": "Listes de référence et contenu du référentiel.",
                "url": reverse("socle:administration"),
            }
        )
    raccourcis.append(
        {
            "titre": "Mon compte",
            "aide": "Mot de passe, second facteur, jetons d'API.",
            "url": reverse("comptes:profil"),
        }
    )
    return raccourcis


@login_required
def accueil(request):
    if request.user.is_demandeur:
        return redirect("portail:espace")
    return render(
        request,
        "socle/accueil.html",
        {
            "compteurs": selectors.compteurs_accueil(request.user),
            "raccourcis": _raccourcis(request.user),
            "voit_nominatif": acces.voit_nominatif(request.user),
        },
    )


@login_required
def section(request, nom):
    if request.user.is_demandeur:
        return redirect("portail:espace")
    rubrique = RUBRIQUES.get(nom)
    if rubrique is None:
        raise Http404
    return render(
        request,
        "socle/section.html",
        {
            "section": nom,
            "rubrique": rubrique,
            "compteurs": selectors.compteurs_section(nom, request.user),
            "voit_nominatif": acces.voit_nominatif(request.user),
        },
    )


@login_required
def administration(request):
    if not acces.administre(request.user):
        raise PermissionDenied("Réservé aux administrateurs du gestionnaire du fichier.")
    return render(
        request,
        "socle/administration.html",
        {"section": "administration", "compteurs": selectors.compteurs_administration()},
    )


@never_cache
def healthz(request):
    """État de la base, du broker et du worker ; 503 si la base ou le broker manque.

    Un worker absent ne rend pas le web indisponible (les tâches attendent dans
    l'outbox) : il est signalé dans le JSON pour la supervision.
    """
    etat = {"base": selectors.etat_base(), "broker": selectors.etat_broker()}
    # Broker injoignable : inutile d'y chercher le battement (la sonde reste sous 2 s).
    etat["worker"] = selectors.etat_worker() if etat["broker"]["ok"] else {"ok": False, "erreur": "broker injoignable"}
    ok = etat["base"]["ok"] and etat["broker"]["ok"]
    return JsonResponse({"statut": "ok" if ok else "degrade", **etat}, status=200 if ok else 503)


def erreur_500(request):
    """Gestionnaire 500 : une indisponibilité de la base devient une 503 française."""
    if est_indisponibilite(sys.exc_info()[1]):
        return reponse_503(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Erreur interne du serveur. L'incident a été journalisé."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


def erreur_404(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Ressource introuvable."}, status=404)
    return render(request, "404.html", status=404)


def erreur_403(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Accès refusé."}, status=403)
    return render(request, "403.html", status=403)
