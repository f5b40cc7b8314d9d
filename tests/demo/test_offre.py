"""Démonstration : parc de Nantes Métropole par chargement en masse, idempotent."""

import argparse
import io

from demo import offre as demo
from fdls.territoires.models import Commune, Epci, Quartier
from offre.models import Disponibilite, DisponibiliteEvenement, Logement
from tests.monde.factories import CommuneFactory, OrganismeFactory


def test_le_parc_de_demonstration_est_charge_une_seule_fois():
    metropole = Epci.objects.create(siren=demo.NANTES_METROPOLE, nom="Nantes Métropole", type="METRO")
    nantes = CommuneFactory(code_insee="44109", nom="Nantes", epci=metropole, population=320_000)
    CommuneFactory(code_insee="44143", nom="Rezé", epci=metropole, population=43_000)
    Quartier.objects.create(commune=nantes, nom="Malakoff", qpv=True)
    for nom in demo.POIDS_BAILLEURS:
        OrganismeFactory(nom=nom, type="bailleur")
    OrganismeFactory(nom="DDETS de Loire-Atlantique", type="etat")
    OrganismeFactory(nom="Ville de Rezé", type="commune")

    compte = demo.charger_parc(nombre=2_000)

    assert (compte["crees"], Logement.objects.count()) == (2_000, 2_000)
    assert Logement.objects.filter(commune__in=Commune.objects.filter(epci=metropole)).count() == 2_000
    assert Logement.objects.filter(qpv=True, quartier__nom="Malakoff").exists()
    assert Logement.objects.filter(categorie="maison", etage=0).exists()
    assert not Logement.objects.filter(categorie="maison").exclude(etage=0).exists()
    assert 0 < Disponibilite.objects.count() < 100
    assert DisponibiliteEvenement.objects.count() >= Disponibilite.objects.count()
    # La vacance recopiée en SQL (demo.offre_sql) est celle des disponibilités ouvertes relues par l'ORM.
    ouvertes = dict(Disponibilite.objects.ouvertes().values_list("logement_id", "etat"))
    assert dict(Logement.objects.exclude(vacance="").values_list("pk", "vacance")) == ouvertes
    # Les logements générés respectent les règles des écrans et de l'import.
    for logement in Logement.objects.select_related("programme")[:200]:
        logement.full_clean(validate_constraints=False)

    assert demo.charger_parc(nombre=2_000)["deja"] is True
    assert Logement.objects.count() == 2_000


def test_l_extension_de_la_commande_demo_accepte_la_taille_du_parc():
    parser = argparse.ArgumentParser()
    demo.ajouter_arguments(parser)
    assert parser.parse_args([]).logements == demo.LOGEMENTS_PAR_DEFAUT
    options = vars(parser.parse_args(["--logements", "0"]))
    sortie = io.StringIO()
    demo.construire(options, sortie)
    assert "aucun logement demandé" in sortie.getvalue()
    assert not Logement.objects.exists()
