"""Lectures partagées : stock par commune × typologie × catégorie, pagination plafonnée."""

from offre import selectors
from offre.models import Logement
from tests.monde.factories import BailleurFactory, CommuneFactory, LogementFactory, ProgrammeFactory


def test_stock_par_commune_typologie_categorie():
    sautron, reze = CommuneFactory(nom="Sautron"), CommuneFactory(nom="Rezé")
    bailleur = BailleurFactory(nom="CDC Habitat Social")
    for typologie, categorie, nombre in [("T2", "appartement", 3), ("T4", "maison", 2), ("chambre", "maison", 1)]:
        LogementFactory.create_batch(
            nombre,
            programme=ProgrammeFactory(commune=sautron, bailleur=bailleur),
            typologie=typologie,
            categorie=categorie,
            etage=0,
        )
    LogementFactory(programme=ProgrammeFactory(commune=reze), typologie="T3")

    stock = selectors.stock_logements(communes=[sautron.code_insee])

    appartements, maisons = stock.par_categorie()
    assert appartements.valeurs == [0, 0, 3, 0, 0, 0, 0]
    assert maisons.valeurs == [1, 0, 0, 0, 2, 0, 0]
    assert stock.total == 6
    assert [(ligne.libelle, ligne.total) for ligne in selectors.stock_logements().par_commune()] == [
        ("Rezé", 1),
        ("Sautron", 6),
    ]
    bailleurs, nombre = selectors.bailleurs_principaux(communes=[sautron.code_insee])
    assert (nombre, bailleurs[0].libelle, bailleurs[0].total) == (1, "CDC Habitat Social", 6)


def test_la_pagination_plafonne_le_comptage(monkeypatch):
    monkeypatch.setattr(selectors.PaginateurPlafonne, "plafond", 5)
    LogementFactory.create_batch(7)

    paginateur = selectors.PaginateurPlafonne(Logement.objects.order_by("pk"), 2)
    assert (paginateur.count, paginateur.depasse_plafond, paginateur.num_pages) == (5, True, 3)
    moins = selectors.PaginateurPlafonne(Logement.objects.order_by("pk")[:4], 2)
    assert (moins.count, moins.depasse_plafond) == (4, False)
