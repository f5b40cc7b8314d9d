"""Deux créations simultanées du même code guichet : une erreur française sur
le champ, jamais une IntegrityError (donc jamais une 500)."""

import threading
import time

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fdls.organismes import services
from fdls.organismes.models import Guichet
from tests.fiabilite.serveurs import url_postgres
from tests.monde.factories import AgentFactory, CommuneFactory, OrganismeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_le_second_createur_d_un_meme_code_recoit_une_erreur_sur_le_champ():
    administrateur = AgentFactory(administrateur=True)
    organisme = OrganismeFactory()
    commune = CommuneFactory()
    champs = {"code": "45678", "nom": "Guichet B", "type": "relai", "organisme": organisme, "commune": commune}

    # Une autre session insère le même code sans encore valider : full_clean
    # ne le voit pas, l'INSERT attend la fin de l'autre transaction.
    autre = psycopg.connect(url_postgres(connection.settings_dict))
    autre.execute(
        "INSERT INTO organismes_guichet (code, nom, type, organisme_id, commune_id, adresse, code_postal, telephone,"
        " email, horaires, public_accueilli, visible_annuaire, actif)"
        " VALUES ('45678', 'Guichet A', 'relai', %s, %s, '', '', '', '', '', '', true, true)",
        [organisme.pk, commune.pk],
    )
    resultat = {}

    def creer():
        try:
            resultat["guichet"] = services.creer_guichet(auteur=administrateur, champs=champs)
        except Exception as exc:  # noqa: BLE001 — on examine l'exception dans le test
            resultat["erreur"] = exc
        finally:
            connection.close()

    fil = threading.Thread(target=creer)
    fil.start()
    time.sleep(0.5)
    autre.commit()
    autre.close()
    fil.join(10)

    assert isinstance(resultat.get("erreur"), ValidationError)
    assert "vient d'être attribué" in str(resultat["erreur"].message_dict["code"])
    assert list(Guichet.objects.filter(code="45678").values_list("nom", flat=True)) == ["Guichet A"]
