"""Écrans d'accueil des agents : page d'accueil, rubriques du menu sans écran métier, administration.

Ils réunissent ce que voient les agents (compteurs des partenaires, du
référentiel, des comptes, et ceux que les applications métier enregistrent
dans ``fdls.socle.compteurs``) : ils sont au-dessus du reste de ``fdls``.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from fdls import acces
from fdls.accueil import selectors
from fdls.socle import menu

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
                "aide": "Par nom d'usage ou de naissance, numéro unique (même partiel), téléphone ou courriel, "
                "parmi les demandes de votre territoire d'habilitation.",
                "url": reverse("demandes:liste"),
            }
        )
    if acces.voit_statistiques(user):
        raccourcis.append(
            {
                "titre": "Statistiques",
                "aide": "Observatoire : tableaux, indicateurs légaux, tableaux croisés et bilans, sans donnée "
                "nominative.",
                "url": reverse("observatoire:accueil"),
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
        "accueil/accueil.html",
        {
            "compteurs": selectors.compteurs_accueil(request.user),
            "file": selectors.file_de_travail(request.user),
            "favoris": selectors.favoris(request.user),
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
        "accueil/section.html",
        {
            "section": nom,
            "rubrique": rubrique,
            "compteurs": selectors.compteurs_section(nom, request.user),
            "voit_nominatif": acces.voit_nominatif(request.user),
            # Lien « Importer un fichier de parc » : condition enregistrée par l'offre (offre/apps.py).
            "peut_importer": menu.permise("import_parc", request.user),
        },
    )


@login_required
def administration(request):
    if not acces.administre(request.user):
        raise PermissionDenied("Réservé aux administrateurs du gestionnaire du fichier.")
    return render(
        request,
        "accueil/administration.html",
        {"section": "administration", "compteurs": selectors.compteurs_administration()},
    )
