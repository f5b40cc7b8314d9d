"""Accord de ``socle.sante_sql`` : la sonde répond quand l'ORM lit la base, et ``/healthz`` la suit."""

from django.db import OperationalError

from fdls.socle import sante, sante_sql
from fdls.socle.models import TacheSortante


def test_la_sonde_repond_quand_l_orm_lit_la_base():
    assert TacheSortante.objects.count() >= 0  # l'ORM lit la base
    assert sante_sql.ping() is None
    assert sante.etat_base()["ok"] is True


def test_une_base_qui_ne_repond_pas_est_signalee(monkeypatch):
    def ping():
        raise OperationalError("connexion refusée")

    monkeypatch.setattr(sante_sql, "ping", ping)
    assert sante.etat_base() == {"ok": False, "erreur": "OperationalError"}
