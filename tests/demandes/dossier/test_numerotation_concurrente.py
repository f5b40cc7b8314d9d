"""Numéro unique sous concurrence : 8 guichets enregistrent en même temps, chacun sur
sa propre connexion (vrais commits) → numéros tous distincts, séquences sans trou."""

import datetime
import threading
from collections import defaultdict

import pytest
from django.db import connection

from demandes.cycle import services
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.models import CompteurNumero, CompteurReference, Demande, ParametreReglementaire
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory, CommuneFactory, GuichetFactory
from tests.monde.fichiers import piece_identite

pytestmark = pytest.mark.django_db(transaction=True)

ECRIVAINS = 8
PAR_ECRIVAIN = 15
DEPOT = datetime.date(2026, 3, 10)


def test_huit_guichets_simultanes_ni_doublon_ni_trou():
    # Un test transactionnel vide la base à la fin : le paramètre de validité (migration 0005) est recréé au besoin.
    ParametreReglementaire.objects.get_or_create(
        code="validite_demande",
        date_effet=datetime.date(2017, 5, 5),
        defaults={"valeur": 12, "unite": "mois", "libelle": "Durée de validité d'une demande"},
    )
    commune = CommuneFactory()
    guichets = [GuichetFactory(code="31001", commune=commune), GuichetFactory(code="31002", commune=commune)]
    agents = [AgentFactory(organisme=g.organisme) for g in guichets]
    depart = threading.Barrier(ECRIVAINS)
    erreurs: list[BaseException] = []
    numeros: list[tuple[str, str]] = []
    verrou = threading.Lock()

    def ecrire(n: int):
        guichet, agent = guichets[n % 2], agents[n % 2]
        try:
            depart.wait(timeout=30)
            for i in range(PAR_ECRIVAIN):
                d = services.enregistrer_demande(
                    dossier(
                        communes=[commune],
                        nom=f"ECRIVAIN{n}",
                        prenom=f"Numero{i}",
                        naissance=datetime.date(1960 + n, 1 + i % 12, 1 + i),
                    ),
                    auteur=services.Auteur.agent(agent),
                    guichet=guichet,
                    date_depot=DEPOT,
                    piece_identite=piece_identite(),
                )
                with verrou:
                    numeros.append((d.numero_unique, d.reference))
        except BaseException as exc:  # noqa: BLE001 — remonté dans le fil du test
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=ecrire, args=(n,)) for n in range(ECRIVAINS)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(120)

    assert not erreurs, erreurs
    total = ECRIVAINS * PAR_ECRIVAIN
    assert len(numeros) == total == Demande.objects.count()
    assert len({nu for nu, _ in numeros}) == total
    assert len({ref for _, ref in numeros}) == total

    sequences = defaultdict(list)
    for nu, _ in numeros:
        lu = analyser_numero_unique(nu)
        assert (lu.mois, lu.annee) == (3, 2026)
        sequences[lu.guichet].append(lu.sequence)
    for code, valeurs in sequences.items():
        assert sorted(valeurs) == list(range(1, len(valeurs) + 1)), code
        assert CompteurNumero.objects.get(periode="0326", guichet=code).dernier == len(valeurs)
    references = sorted(int(ref[6:]) for _, ref in numeros)
    assert references == list(range(1, total + 1))
    assert CompteurReference.objects.get(periode="202603").dernier == total
