"""Lectures de l'accueil : compteurs de l'accueil, des rubriques et de l'administration (sans nom).

Les compteurs des applications métier (demandes…) ne sont pas lus ici :
chacune enregistre les siens dans ``fdls.socle.compteurs`` au démarrage
(``AppConfig.ready``), si bien que ``fdls`` n'importe aucune d'elles.
"""

from django.db.models import Count

from fdls import acces
from fdls.comptes.models import Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.socle import compteurs
from fdls.territoires.models import Commune, Departement, Epci, Quartier


def compteurs_accueil(user) -> dict:
    """Compteurs de la page d'accueil, limités à ce que l'utilisateur peut voir.

    Les applications métier ajoutent les leurs (``fdls.socle.compteurs``, rubrique
    « accueil ») : les demandes ne sont comptées que pour les rôles nominatifs
    et à travers la politique d'accès ; les partenaires (organismes, guichets)
    ne sont pas des données nominatives et sont comptés pour tout agent.
    """
    resultat = compteurs.lire("accueil", user)
    if user.organisme_id:
        resultat["communes_habilitees"] = user.organisme.perimetre.count()
        resultat["guichets_organisme"] = user.organisme.guichets.filter(actif=True).count()
    if montre_partenaires(user):
        resultat["organismes_partenaires"] = Organisme.objects.filter(actif=True).count()
        resultat["guichets_partenaires"] = Guichet.objects.filter(actif=True).count()
    return resultat


def montre_partenaires(user) -> bool:
    """Les chiffres des partenaires (organismes, guichets du fichier) : pas pour un agent de guichet, dont
    l'accueil est sa file de travail ; pour les administrateurs, les observateurs et les autres rôles."""
    return acces.administre(user) or not user.a_role(Role.AGENT_GUICHET)


def file_de_travail(user) -> list[dict]:
    """La file de travail de l'agent (``fdls.socle.compteurs``, rubrique « file ») : les entrées que les
    applications métier enregistrent (demandes, offre), dans leur ordre ; chacune {libelle, aide, nombre,
    url}. Vide pour un rôle sans données nominatives."""
    return sorted(compteurs.lire("file", user).values(), key=lambda entree: entree["ordre"])


def favoris(user) -> dict:
    """Les recherches enregistrées de l'agent (rubrique « favoris ») : ``favoris`` et ``gerer_favoris``."""
    return compteurs.lire("favoris", user)


def compteurs_referentiel() -> dict:
    """Taille du référentiel territorial (données publiques, sans nom)."""
    return {
        "departements": Departement.objects.count(),
        "epci": Epci.objects.count(),
        "communes": Commune.objects.count(),
        "quartiers": Quartier.objects.count(),
        "quartiers_qpv": Quartier.objects.filter(qpv=True).count(),
    }


def partenaires_par_type() -> list[dict]:
    """Organismes partenaires actifs par type, avec leurs guichets actifs (sans nom)."""
    organismes = dict(
        Organisme.objects.filter(actif=True).order_by().values("type").annotate(n=Count("id")).values_list("type", "n")
    )
    guichets = dict(
        Guichet.objects.filter(actif=True, organisme__actif=True)
        .order_by()
        .values("organisme__type")
        .annotate(n=Count("id"))
        .values_list("organisme__type", "n")
    )
    return [
        {"type": code, "libelle": libelle, "organismes": organismes[code], "guichets": guichets.get(code, 0)}
        for code, libelle in Organisme.Type.choices
        if organismes.get(code)
    ]


def compteurs_section(nom: str, user) -> dict:
    """Chiffres déjà disponibles qui se rattachent à une rubrique du menu (sans nom), dont ceux que les
    applications métier enregistrent pour la rubrique (``fdls.socle.compteurs``)."""
    resultat: dict = {}
    if nom in ("offre", "instruction"):
        resultat["bailleurs"] = Organisme.objects.filter(actif=True, type=Organisme.Type.BAILLEUR).count()
    if nom == "offre":
        resultat.update(compteurs_referentiel())
    resultat.update(compteurs.lire(nom, user))
    if nom == "statistiques":
        resultat.update(compteurs_referentiel())
        resultat["partenaires_par_type"] = partenaires_par_type()
    if nom == "editions":
        resultat["guichets_accompagnateurs"] = Guichet.objects.filter(
            actif=True, type=Guichet.Type.ACCOMPAGNATEUR
        ).count()
    return resultat


def compteurs_administration() -> dict:
    """Compteurs de la page d'administration : référentiel, partenaires, comptes."""
    return {
        **compteurs_referentiel(),
        "organismes": Organisme.objects.filter(actif=True).count(),
        "guichets": Guichet.objects.filter(actif=True).count(),
        "agents": Utilisateur.objects.agents().filter(is_active=True).count(),
        "demandeurs": Utilisateur.objects.demandeurs().filter(is_active=True).count(),
    }
