"""Accord de ``acces.portee_sql`` avec l'ORM : la portée d'un organisme (départements entiers, communes isolées,
EPCI entiers parmi elles, guichets hors des départements entiers, tous ses guichets) recalculée depuis
``Organisme.perimetre``."""

from fdls.acces import portee_sql
from fdls.organismes.models import Organisme
from fdls.territoires.models import Commune
from tests.monde.factories import CommuneFactory, DepartementFactory, EpciFactory, GuichetFactory, OrganismeFactory


def _portee_orm(organisme: Organisme) -> tuple:
    perimetre = list(organisme.perimetre.all())
    departements = sorted(
        {c.departement_id for c in perimetre}
        - {
            d
            for d in {c.departement_id for c in perimetre}
            if Commune.objects.filter(departement=d).exclude(pk__in=[c.pk for c in perimetre]).exists()
        }
    )
    isolees = [c for c in perimetre if c.departement_id not in departements]
    epcis = sorted(
        e
        for e in {c.epci_id for c in isolees if c.epci_id}
        if Commune.objects.filter(epci=e).count() == sum(c.epci_id == e for c in isolees)
    )
    guichets = sorted(
        g.pk for g in organisme.guichets.select_related("commune") if g.commune.departement_id not in departements
    )
    return (
        tuple(departements),
        tuple(sorted(c.pk for c in isolees)),
        tuple(epcis),
        tuple(sorted(c.pk for c in isolees if c.epci_id in epcis)),
        tuple(guichets),
        tuple(sorted(organisme.guichets.values_list("pk", flat=True))),
    )


def test_la_portee_lue_en_sql_est_celle_de_l_orm():
    entier = DepartementFactory(code="85", nom="Vendée")
    a, b = (CommuneFactory(departement=entier) for _ in range(2))
    partiel = DepartementFactory(code="49", nom="Maine-et-Loire")
    epci_entier, epci_partiel = EpciFactory(), EpciFactory()
    c, d = (CommuneFactory(departement=partiel, epci=epci_entier) for _ in range(2))
    e = CommuneFactory(departement=partiel, epci=epci_partiel)
    CommuneFactory(departement=partiel, epci=epci_partiel)  # hors du périmètre : l'EPCI n'est pas entier
    organisme = OrganismeFactory(perimetre=[a, b, c, d, e])
    couvert = GuichetFactory(organisme=organisme, commune=a)  # dans un département entier : déjà couvert
    hors = GuichetFactory(organisme=organisme, commune=CommuneFactory(departement=DepartementFactory(code="35")))
    GuichetFactory(commune=e)  # guichet d'un autre organisme

    lue = portee_sql.lire_portee(organisme.pk)

    assert lue == _portee_orm(organisme)
    assert lue == (
        ("85",),
        tuple(sorted([c.pk, d.pk, e.pk])),
        (epci_entier.pk,),
        tuple(sorted([c.pk, d.pk])),
        (hors.pk,),
        tuple(sorted([couvert.pk, hors.pk])),
    )


def test_un_organisme_sans_perimetre_n_a_que_ses_guichets():
    organisme = OrganismeFactory()
    guichet = GuichetFactory(organisme=organisme)
    assert (
        portee_sql.lire_portee(organisme.pk) == _portee_orm(organisme) == ((), (), (), (), (guichet.pk,), (guichet.pk,))
    )
