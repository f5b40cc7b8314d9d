"""Dépôt en ligne par le demandeur : le Cerfa par rubriques, brouillon gardé sur le serveur, pièce d'identité,
dépôt dans la file du guichet accompagnateur de la première commune, validation par le guichet."""

from types import SimpleNamespace

from django.urls import reverse

from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Evenement
from demandes.pieces import services as pieces
from tests.demandes.cycle.test_saisie import formulaire as formulaire_guichet
from tests.monde.factories import DemandeurFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes


def formulaire(action="deposer", **champs):
    """Les champs postés, remplis comme la saisie des guichets (``tests.demandes.cycle.test_saisie``), sans guichet
    (celui de la première commune) ni pièce par défaut ; une seule commune souhaitée : Rezé."""
    valeurs = {
        "guichet": None,
        "piece_identite": None,
        "email": "elodie@exemple.fr",
        "localisations-TOTAL_FORMS": "1",
        "localisations-0-commune": "Rezé (44143)",
        "localisations-1-commune": None,
        "localisations-1-ORDER": None,
        **champs,
    }
    return formulaire_guichet(SimpleNamespace(guichet=SimpleNamespace(pk=0)), action=action, **valeurs)


def test_brouillon_puis_depot_puis_validation_par_le_guichet(client, stockage):
    m = territoire_nantes()
    moi = DemandeurFactory()
    client.force_login(moi)
    page = client.get(reverse("portail:depot"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Localisations souhaitées" in html
    assert "Pièce d&#x27;identité" in html

    brouillon = client.post(reverse("portail:depot"), formulaire("brouillon"))
    demande = Demande.objects.get(compte_demandeur=moi)
    assert brouillon.url == reverse("portail:depot_brouillon", args=[demande.pk])
    assert demande.etat == Demande.Etat.BROUILLON
    assert demande.canal == "en_ligne"
    assert demande.guichet == m.guichet_ehs  # l'ADIL reçoit les demandes en ligne de Rezé
    # Le brouillon se reprend : la saisie est là.
    repris = client.get(reverse("portail:depot_brouillon", args=[demande.pk])).content.decode()
    assert 'value="Lefèvre"' in repris

    sans_piece = client.post(reverse("portail:depot_brouillon", args=[demande.pk]), formulaire())
    assert sans_piece.status_code == 422
    assert "Joignez votre pièce d&#x27;identité" in sans_piece.content.decode()

    depot = client.post(
        reverse("portail:depot_brouillon", args=[demande.pk]), formulaire(piece_identite=piece_identite())
    )
    assert depot.url == reverse("portail:demande", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.etat == Demande.Etat.A_VALIDER
    assert pieces.a_piece_identite(demande)
    assert Evenement.objects.filter(demande=demande, type="depot_en_ligne", auteur_id=moi.pk).exists()
    assert (
        "attend la validation du guichet" in client.get(reverse("portail:demande", args=[demande.pk])).content.decode()
    )

    # La file du guichet (déjà construite) l'enregistre : numéro unique, et le demandeur la suit.
    assert demande in en_ligne.file_a_valider(m.agent_ehs)
    en_ligne.valider_demande_en_ligne(demande, user=m.agent_ehs, identite_verifiee=True)
    demande.refresh_from_db()
    assert demande.etat == Demande.Etat.ACTIVE
    assert demande.numero_unique
    assert demande.compte_demandeur == moi


def test_un_brouillon_sans_commune_explique_pourquoi(client):
    territoire_nantes()
    client.force_login(DemandeurFactory())
    reponse = client.post(
        reverse("portail:depot"),
        formulaire("brouillon", **{"localisations-0-commune": "", "localisations-TOTAL_FORMS": "1"}),
    )
    assert reponse.status_code == 422
    assert "Indiquez d&#x27;abord votre première commune souhaitée" in reponse.content.decode()
    assert not Demande.objects.exists()


def test_les_communes_sont_suggerees_sans_connexion(client):
    m = territoire_nantes()
    reponse = client.get(reverse("portail:communes_suggerees"), {"q": "Rez", "departements": m.dep.pk})
    assert reponse.status_code == 200
    assert "Rezé" in reponse.content.decode()
