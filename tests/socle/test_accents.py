"""Comparaisons sans accents : la forme calculée en Python (``pli``) est celle que PostgreSQL calcule (``Pli``)."""

import pytest

from fdls.organismes.models import Organisme
from fdls.socle.accents import Pli, pli
from tests.monde.factories import OrganismeFactory

TEXTES = ["HÉLÈNE", "Hélène", "helene", "Gaëlle LE BRIS", "ÇA", "Jérôme N'DIAYE", "Ève-Marie", "Cœur", "044 1226"]


@pytest.mark.django_db
@pytest.mark.parametrize("texte", TEXTES)
def test_python_et_postgresql_plient_de_meme(texte):
    organisme = OrganismeFactory(nom=texte)

    en_sql = Organisme.objects.filter(pk=organisme.pk).annotate(plie=Pli("nom")).values_list("plie", flat=True).get()

    assert en_sql == pli(texte)


def test_les_accents_et_la_casse_sont_ramenes_a_la_lettre_de_base():
    assert pli("HÉLÈNE") == pli("helene") == "helene"
    assert pli("Gaëlle") == "gaelle"
    assert pli("Jérôme N'DIAYE") == "jerome n'diaye"
