"""Typographie française : numéro unique, nombres, pluriels (fdls.socle.typographie et ses filtres)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from demandes.dossier.numerotation import formater_numero_unique
from fdls.socle.typographie import formater_nu, formater_nu_dans_texte, nombre, pluriel

FINE = "\u202f"


def rendre(gabarit: str, **contexte) -> str:
    return Template(gabarit).render(Context(contexte))


@pytest.mark.parametrize(
    "saisie",
    ["044122600003510001", "044 1226 000035 10001", "044-1226-000035-10001", " 044.1226.000035.10001 "],
)
def test_le_numero_unique_est_toujours_en_quatre_groupes(saisie):
    assert formater_nu(saisie) == "044 1226 000035 10001"
    assert rendre("{{ n|nu }}", n=saisie) == "044 1226 000035 10001"


def test_un_numero_incomplet_ou_absent_reste_tel_quel():
    assert formater_nu("04412260") == "04412260"
    assert formater_nu(None) == ""
    assert rendre("{{ n|nu|default:'en attente' }}", n=None) == "en attente"


def test_les_demandes_et_les_libelles_utilisent_la_meme_fonction():
    assert formater_numero_unique("044122600003510001") == "044 1226 000035 10001"
    assert (
        formater_nu_dans_texte("044122600003510001 – DUPONT Jean, tél. 0240000000")
        == "044 1226 000035 10001 – DUPONT Jean, tél. 0240000000"
    )


@pytest.mark.parametrize(
    ("valeur", "decimales", "attendu"),
    [
        (Decimal("12.5"), None, "12,5"),
        (Decimal("12.50"), None, "12,5"),
        (12.5, None, "12,5"),
        (12500, None, f"12{FINE}500"),
        (Decimal("1234567.891"), 2, f"1{FINE}234{FINE}567,89"),
        (Decimal("3278.2"), 2, f"3{FINE}278,20"),
        (0, None, "0"),
        (-1500, None, f"-1{FINE}500"),
        (None, None, ""),
        ("abc", None, "abc"),
    ],
)
def test_nombre_virgule_decimale_et_espace_fine(valeur, decimales, attendu):
    assert nombre(valeur, decimales) == attendu


def test_les_filtres_nombre_des_gabarits():
    assert rendre("{{ v|nombre }} {{ v|nombre:2 }}", v=Decimal("12500.5")) == f"12{FINE}500,5 12{FINE}500,50"
    # Les formats de Django suivent la même règle (floatformat, intcomma).
    assert rendre("{% load humanize %}{{ v|intcomma }}", v=12500) == f"12{FINE}500"


@pytest.mark.parametrize(
    ("n", "attendu"),
    [
        (0, "0 ligne en erreur"),
        (1, "1 ligne en erreur"),
        (2, "2 lignes en erreur"),
        (1500, f"1{FINE}500 lignes en erreur"),
    ],
)
def test_pluriel_a_la_francaise(n, attendu):
    assert pluriel(n, "ligne en erreur") == attendu
    assert rendre('{{ n|pluriel:"ligne en erreur" }}', n=n) == attendu


def test_pluriel_irregulier_et_accord():
    assert pluriel(2, "bailleur social", "bailleurs sociaux") == "2 bailleurs sociaux"
    assert rendre('{{ n|pluriel:"cheval,chevaux" }}', n=3) == "3 chevaux"
    assert rendre("{{ n }} ligne{{ n|accord }} lue{{ n|accord }}", n=0) == "0 ligne lue"
    assert rendre("{{ n }} ligne{{ n|accord }}", n=2) == "2 lignes"
    assert rendre('socia{{ n|accord:"l,ux" }}', n=1) == "social"
    assert rendre('socia{{ n|accord:"l,ux" }}', n=4) == "sociaux"
