"""Accord de ``dossier/numerotation_sql.py`` (compteur par ``INSERT … ON CONFLICT``) avec une lecture ORM du compteur.

Le SQL n'a pas de jumeau ORM atomique : on vérifie son résultat observable, la
séquence rendue, contre ``CompteurNumero`` relu par l'ORM (création à 1,
incrément, compteur existant repris, compteurs indépendants par clé).
"""

from demandes.dossier.numerotation_sql import tirer_sequence
from demandes.models import CompteurNumero


def _dernier(departement, periode, guichet) -> int:
    return CompteurNumero.objects.get(departement=departement, periode=periode, guichet=guichet).dernier


def test_la_sequence_rendue_est_celle_que_l_orm_relit(db):
    rendues = [tirer_sequence(departement="044", periode="0526", guichet="10865") for _ in range(3)]
    assert rendues == [1, 2, 3]
    assert _dernier("044", "0526", "10865") == 3
    assert CompteurNumero.objects.count() == 1


def test_un_compteur_existant_reprend_sa_suite_et_chaque_cle_a_le_sien(db):
    CompteurNumero.objects.create(departement="044", periode="0526", guichet="10865", dernier=41)
    assert tirer_sequence(departement="044", periode="0526", guichet="10865") == 42
    assert tirer_sequence(departement="044", periode="0626", guichet="10865") == 1
    assert tirer_sequence(departement="085", periode="0526", guichet="10865") == 1
    assert tirer_sequence(departement="044", periode="0526", guichet="20001") == 1
    assert {(c.departement, c.periode, c.guichet): c.dernier for c in CompteurNumero.objects.all()} == {
        ("044", "0526", "10865"): 42,
        ("044", "0626", "10865"): 1,
        ("085", "0526", "10865"): 1,
        ("044", "0526", "20001"): 1,
    }
