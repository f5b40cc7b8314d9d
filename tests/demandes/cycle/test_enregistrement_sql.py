"""Accord de ``cycle/enregistrement_sql.py`` avec l'ORM : une demande neuve écrite en une instruction a les mêmes
lignes qu'un brouillon écrit par l'ORM (``dossier.saisie.ecrire_menage``) puis enregistré ; la référence et
l'événement posés en une instruction sont ceux que l'ORM relit (compteur des références, historique).
"""

import datetime
from decimal import Decimal

import time_machine

from demandes.cycle import services
from demandes.dossier.models import (
    CleIdentite,
    CompteurReference,
    Demande,
    Evenement,
    LocalisationSouhaitee,
    Personne,
    Ressource,
)
from fdls.socle.workflow import Auteur
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory, CommuneFactory, GuichetFactory
from tests.monde.fichiers import piece_identite

IGNORES_DEMANDE = {"id", "numero_unique", "reference", "created_at", "updated_at"}


def _saisi(guichet, autre):
    saisi = dossier(
        communes=[guichet.commune, autre],
        codemandeur=("DUPONT", "Marc", datetime.date(1983, 2, 1)),
        occupants=[("Léa", datetime.date(2015, 6, 1)), ("Noé", datetime.date(2019, 1, 20))],
        adresse_voie="rue des Lilas",
        loyer_actuel=Decimal("612.40"),
    )
    saisi.personnes[1].ressources = [
        Ressource(type="salaire", montant=Decimal("1200.50")),
        Ressource(type="prime_activite", montant=Decimal("80")),
    ]
    return saisi


def _lignes(demande: Demande) -> dict:
    """Tout ce qu'écrit l'enregistrement, relu par l'ORM, sans les identifiants ni les numéros."""
    valeurs = Demande.objects.filter(pk=demande.pk).values().get()
    rangs = dict(Personne.objects.filter(demande=demande).values_list("pk", "rang"))
    return {
        "demande": {k: v for k, v in valeurs.items() if k not in IGNORES_DEMANDE},
        "personnes": [
            {k: v for k, v in p.items() if k not in ("id", "demande_id")}
            for p in Personne.objects.filter(demande=demande).order_by("rang").values()
        ],
        "ressources": sorted(
            (rangs[r.personne_id], r.type, r.montant) for r in Ressource.objects.filter(personne__demande=demande)
        ),
        "localisations": list(
            LocalisationSouhaitee.objects.filter(demande=demande)
            .order_by("rang")
            .values_list("rang", "commune_id", "quartier_id", "date_anciennete")
        ),
        "cles": sorted(
            CleIdentite.objects.filter(demande=demande).values_list(
                "role", "nom", "prenom", "nom_phonetique", "prenom_phonetique", "date_naissance"
            )
        ),
    }


@time_machine.travel(datetime.datetime(2026, 5, 14, 10, 0), tick=False)
def test_une_demande_neuve_a_les_lignes_qu_ecrirait_l_orm(db):
    guichet = GuichetFactory(code="10865")
    agent = AgentFactory(organisme=guichet.organisme)
    autre = CommuneFactory(departement=guichet.commune.departement)
    auteur = Auteur.agent(agent)

    par_sql = services.enregistrer_demande(
        _saisi(guichet, autre), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )
    brouillon = services.sauver_brouillon(_saisi(guichet, autre), auteur=auteur, guichet=guichet)
    par_orm = services.enregistrer_demande(
        services.charger_dossier(brouillon), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )

    assert _lignes(par_sql) == _lignes(par_orm)
    assert len(_lignes(par_sql)["ressources"]) == 3


@time_machine.travel(datetime.datetime(2026, 5, 14, 10, 0), tick=False)
def test_la_reference_et_l_evenement_sont_ceux_que_l_orm_relit(db):
    guichet = GuichetFactory(code="10865")
    agent = AgentFactory(organisme=guichet.organisme)
    CompteurReference.objects.create(periode="202605", dernier=9999)

    d = services.enregistrer_demande(
        dossier(communes=[guichet.commune]),
        auteur=Auteur.agent(agent),
        guichet=guichet,
        piece_identite=piece_identite(),
    )

    assert d.reference == "20260510000" == Demande.objects.get(pk=d.pk).reference
    assert CompteurReference.objects.get(periode="202605").dernier == 10000
    evenement = Evenement.objects.get(demande=d, type="enregistrement")
    assert (evenement.type, evenement.etat_avant, evenement.etat_apres) == ("enregistrement", "brouillon", "active")
    assert (evenement.auteur, evenement.organisme, evenement.auteur_libelle) == (
        agent,
        guichet.organisme,
        guichet.organisme.nom,
    )
    assert evenement.details == {"numero_unique": d.numero_unique, "guichet": "10865", "reference": d.reference}
    assert evenement.precisions == f"Numéro unique {d.numero_unique_affiche} – guichet {guichet.nom}"
