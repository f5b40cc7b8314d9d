"""Conservation limitée : les données personnelles d'une demande radiée depuis plus que la durée configurée
(un an par défaut) sont effacées par un job planifié, idempotent et journalisé ; l'historique reste, sans
les noms ; les statistiques ne changent pas."""

from datetime import date

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from demandes.conservation import services as conservation
from demandes.cycle import services
from demandes.models import (
    CleIdentite,
    Demande,
    Evenement,
    LocalisationSouhaitee,
    ParametreReglementaire,
    Personne,
    Piece,
)
from demandes.pieces import services as pieces
from demandes.relances import traitements
from fdls.socle.workflow import Auteur
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import ville_de_reze

RADIEE = date(2025, 3, 1)
UN_AN_APRES = date(2026, 3, 2)


@pytest.fixture
def territoire():
    return ville_de_reze()


def radiee(territoire, **champs):
    """Demande de Camille BERNARD (Rezé), modifiée puis radiée sur sa renonciation écrite le 1er mars 2025."""
    valeurs = {
        "guichet": territoire.guichet,
        "nom": "Bernard",
        "prenom": "Camille",
        "date_naissance": date(1984, 6, 15),
        "date_depot": date(2024, 9, 2),
        "email": "camille.bernard@exemple.fr",
        "telephone": "06 11 22 33 44",
        "adresse_voie": "rue des Lilas",
        "code_postal": "44400",
        "ville": "Rezé",
        "communes": [territoire.reze],
        "avec_co_demandeur": True,
        "co_demandeur__nom": "Bernard",
        "co_demandeur__prenom": "Dominique",
        "piece_identite": True,
    }
    valeurs.update(champs)
    d = DemandeFactory(**valeurs)
    auteur = Auteur.agent(territoire.agent)
    pieces.deposer_piece(demande=d, type="avis_imposition", fichier=piece_identite("avis.pdf"), auteur=auteur)
    saisie = services.charger_dossier(Demande.objects.get(pk=d.pk))
    saisie.personnes[0].personne.prenom = "Camilla"
    services.modifier_demande(saisie, auteur=auteur)
    services.annuler_demande(d, motif="renonciation", commentaire="lettre de Camille Bernard", auteur=auteur)
    Demande.objects.filter(pk=d.pk).update(date_fin=RADIEE)
    return Demande.objects.get(pk=d.pk)


def test_purge_apres_un_an_fichiers_identites_historique_sans_noms(territoire, django_capture_on_commit_callbacks):
    d = radiee(territoire)
    chemins = [pieces.racine() / p.chemin for p in Piece.objects.filter(demande=d)]
    assert len(chemins) == 2
    assert all(c.exists() for c in chemins)
    statistiques_avant = (d.etat, d.date_depot, d.date_fin, d.motif_annulation, d.nb_personnes, d.guichet_id)
    evenements_avant = d.evenements.count()

    with django_capture_on_commit_callbacks(execute=True):
        resultat = traitements.purger_demandes_radiees(UN_AN_APRES)

    assert resultat.compteurs["purgees"] == 1
    d.refresh_from_db()
    # Fichiers et lignes des pièces effacés.
    assert not any(c.exists() for c in chemins)
    assert not Piece.objects.filter(demande=d).exists()
    # Identités anonymisées.
    assert (d.nom, d.prenom, d.email, d.telephone, d.adresse_voie) == ("ANONYME", "***", "", "", "")
    assert d.date_naissance == date(1984, 1, 1)
    assert set(Personne.objects.filter(demande=d).values_list("nom", flat=True)) == {"ANONYME"}
    assert not CleIdentite.objects.filter(demande=d).exists()
    assert d.purgee_le is not None
    # Historique gardé (plus l'événement de la purge), sans les noms.
    assert d.evenements.count() == evenements_avant + 1
    for e in d.evenements.all():
        tout = f"{e.precisions} {e.details}".lower()
        for nom in ("bernard", "camille", "camilla", "dominique"):
            assert nom not in tout, (e.type, tout)
    modification = d.evenements.get(type=Evenement.Type.MODIFICATION)
    assert modification.details["changements"]
    assert all("ancien" not in c and "nouveau" not in c for c in modification.details["changements"])
    purge = d.evenements.get(type=Evenement.Type.PURGE)
    assert "2 pièces effacées" in purge.precisions
    # Statistiques inchangées.
    assert (d.etat, d.date_depot, d.date_fin, d.motif_annulation, d.nb_personnes, d.guichet_id) == statistiques_avant
    assert Personne.objects.filter(demande=d).count() == 2
    assert list(LocalisationSouhaitee.objects.filter(demande=d).values_list("commune", flat=True)) == [
        territoire.reze.pk
    ]


def test_pas_avant_la_duree_de_conservation_et_idempotent(territoire):
    d = radiee(territoire)

    assert traitements.purger_demandes_radiees(date(2026, 3, 1)).compteurs["purgees"] == 0
    d.refresh_from_db()
    assert d.nom == "Bernard"

    traitements.purger_demandes_radiees(UN_AN_APRES)
    refait = traitements.purger_demandes_radiees(UN_AN_APRES, forcer=True)
    lendemain = traitements.purger_demandes_radiees(date(2026, 3, 3))

    assert refait.compteurs["purgees"] == lendemain.compteurs["purgees"] == 0
    assert d.evenements.filter(type=Evenement.Type.PURGE).count() == 1


def test_la_duree_est_un_parametre_reglementaire(territoire):
    ParametreReglementaire.objects.create(
        code="conservation_apres_radiation",
        valeur=24,
        unite="mois",
        date_effet=date(2020, 1, 1),
        libelle="Conservation des demandes radiées",
    )
    d = radiee(territoire)

    traitements.purger_demandes_radiees(UN_AN_APRES)
    d.refresh_from_db()
    assert d.purgee_le is None

    traitements.purger_demandes_radiees(date(2027, 3, 2))
    d.refresh_from_db()
    assert d.purgee_le is not None


def test_une_demande_active_n_est_jamais_purgee(territoire):
    active = DemandeFactory(guichet=territoire.guichet, date_depot=date(2020, 1, 1))
    traitements.purger_demandes_radiees(UN_AN_APRES)
    active.refresh_from_db()
    assert active.purgee_le is None
    assert not conservation.purger_demande(active, le=UN_AN_APRES)


def test_historique_garde_sans_les_noms(territoire):
    """Accord de ``anonymisation_sql`` : la réécriture permise par SET LOCAL se relit par l'ORM."""
    d = radiee(territoire)
    assert conservation.purger_demande(d, le=UN_AN_APRES)
    annulation = Evenement.objects.get(demande=d, type=Evenement.Type.ANNULATION)
    assert "***" in annulation.precisions
    assert "Bernard" not in annulation.precisions


def test_historique_reste_immuable_hors_purge(territoire):
    d = radiee(territoire)
    evenement = d.evenements.first()
    with pytest.raises(DatabaseError, match="immuable") as refus, transaction.atomic():
        Evenement.objects.filter(pk=evenement.pk).update(precisions="réécrit")
    assert isinstance(refus.value.__cause__, psycopg.errors.InsufficientPrivilege)
    with connection.cursor() as curseur:
        curseur.execute("SELECT current_setting('fdls.anonymisation_historique', true)")
        assert curseur.fetchone()[0] in (None, "")
