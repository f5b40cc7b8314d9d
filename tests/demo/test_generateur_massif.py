"""Chargement en masse du générateur (au-delà de 100 000 demandes) : mêmes garanties que le chargement par lots.

Le mode massif retire les index secondaires, fait fabriquer les lots par des
processus de travail (numéros posés ensuite dans l'ordre des lots), remplit la
table de recherche à la fin puis reconstruit les index. Ici il est forcé sur
un petit fichier découpé en lots de 100 : les tests du chargement par lots
(importés ci-dessous) repassent sur ce fichier, plus ce qui est propre au mode.
Transactionnel : les processus et le fil de chargement ont leurs propres
connexions et valident pour de vrai.
"""

import re

import pytest
from django.db import connection

from demandes.models import Demande, Evenement
from demo.generateur import Parametres, generer
from demo.models import IndexSuspendu
from tests.demo.test_generateur import (  # noqa: F401  (tests rejoués sur le fichier massif)
    ACTIVES,
    test_cles_identite_egales_a_celles_des_services,
    test_doublons_semes_retrouves_par_la_detection,
    test_historique_coherent_avec_les_etats,
    test_numeros_valides_uniques_sans_trou_et_suite_des_enregistrements,
    test_volumes_etats_et_menages_plausibles,
)

pytestmark = pytest.mark.django_db(transaction=True)

_SQL_INDEX = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
 WHERE t.relname LIKE 'demandes\\_%%' ORDER BY 1
"""


def _sans_transtypage(definition):
    """Définition d'index comparable d'une version du texte à l'autre.

    PostgreSQL ne réécrit pas à l'identique un prédicat relu depuis sa propre
    définition (« ARRAY['a'::varchar]::text[] » redevient
    « ARRAY[('a'::varchar)::text] ») : les transtypages et parenthèses, sans
    effet sur l'index, sont retirés avant de comparer.
    """
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)


def _index():
    with connection.cursor() as cur:
        cur.execute(_SQL_INDEX)
        return [(nom, _sans_transtypage(definition)) for nom, definition in cur.fetchall()]


@pytest.fixture
def index_avant():
    return _index()


@pytest.fixture
def fichier(partenaires, index_avant):
    return generer(Parametres(actives=ACTIVES, graine=7, part_doublons=0.05, taille_lot=100, massif=True, processus=2))


def test_index_reconstruits_et_rien_en_suspens(fichier, index_avant):
    assert _index() == index_avant
    assert not IndexSuspendu.objects.exists()
    # Aucune marque de séquence restée dans la demande ou son événement d'enregistrement.
    assert not Demande.objects.filter(numero_unique__contains="¤").exists()
    assert not Demande.objects.filter(reference__contains="§").exists()
    for e in Evenement.objects.filter(type="enregistrement").select_related("demande"):
        assert e.details["numero_unique"] == e.demande.numero_unique
        assert e.details["reference"] == e.demande.reference


def test_table_de_recherche_identique_a_celle_des_triggers(fichier):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id "
            "FROM demandes_lignerecherche ORDER BY 1, 2"
        )
        massive = cur.fetchall()
        cur.execute("DELETE FROM demandes_lignerecherche")
        cur.execute("SELECT demandes_recherche_remplir(array_agg(id)) FROM demandes_demande")
        cur.execute(
            "SELECT demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id "
            "FROM demandes_lignerecherche ORDER BY 1, 2"
        )
        attendue = cur.fetchall()
    assert massive == attendue
    assert {cle[0] for _, cle, *_ in massive} == {"D", "G", "C", "E"}


def test_chargement_interrompu_index_reconstruits_au_lancement_suivant(partenaires, index_avant):  # noqa: F811
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_indexdef('demande_expiration'::regclass)")
        definition = cur.fetchone()[0]
        cur.execute("DROP INDEX demande_expiration")
    IndexSuspendu.objects.create(nom="demande_expiration", table="demandes_demande", definition=definition)
    generer(Parametres(actives=20, graine=3, taille_lot=10, massif=False))
    assert _index() == index_avant
    assert not IndexSuspendu.objects.exists()
