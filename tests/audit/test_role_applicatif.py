"""Le rôle de connexion de l'application ne peut effacer ni modifier le journal des consultations.

La suite se connecte en superutilisateur ``postgres`` (propriétaire des tables, comme les migrations) ; ici un
rôle applicatif est créé comme le fait docker-compose.yml (droits par défaut sur toutes les tables : SELECT,
INSERT, UPDATE, DELETE), puis les droits du journal lui sont appliqués par ``audit_restreindre_journal()``
(la migration l'appelle pour les rôles qui existent déjà). Sous ce rôle (``SET LOCAL ROLE``) : ni DELETE ni
UPDATE, même en posant le paramètre de purge ; la seule voie est la fonction ``SECURITY DEFINER``
``audit_purger_consultations``, qui ne supprime que les lignes plus anciennes que la rétention (180 jours au
moins).
"""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, purger_consultations
from tests.monde.factories import AgentFactory


@pytest.fixture
def journal():
    """Deux consultations : il y a 400 jours et aujourd'hui."""
    agent = AgentFactory()
    lignes = {}
    for age in (400, 0):
        with time_machine.travel(timezone.now() - timedelta(days=age), tick=False):
            lignes[age] = journaliser_consultation(user=agent, objet=agent.organisme, action="consultation")
    return lignes


@pytest.fixture
def role_applicatif(journal):
    """Un rôle comme ``fdls_app`` (docker-compose.yml), restreint par la fonction de la migration ; la création
    du rôle est annulée avec la transaction du test."""
    role = f"fdls_app_essai_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute("SELECT audit_restreindre_journal()")
    return role


def _sous_role(role, sql, params=None):
    """Exécute ``sql`` sous le rôle applicatif, dans un point de sauvegarde : sur une erreur, son annulation
    rend aussi le rôle du test (PostgreSQL annule les ``SET LOCAL`` du point de sauvegarde)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
        resultat = cursor.fetchone() if cursor.description else None
        cursor.execute("RESET ROLE")
        return resultat


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("DELETE FROM audit_consultation WHERE id = %s", id="delete"),
        pytest.param("UPDATE audit_consultation SET action = 'export' WHERE id = %s", id="update"),
        pytest.param(
            "SELECT set_config('fdls.purge_audit', 'on', true); DELETE FROM audit_consultation WHERE id = %s",
            id="delete-avec-le-parametre-de-purge",
        ),
        pytest.param("TRUNCATE audit_consultation", id="truncate"),
        pytest.param("ALTER TABLE audit_consultation DISABLE TRIGGER USER", id="desactiver-le-trigger"),
    ],
)
@pytest.mark.parametrize("age", [0, 400])
def test_le_role_applicatif_ne_peut_ni_effacer_ni_modifier_le_journal(journal, role_applicatif, sql, age):
    params = [journal[age].pk] if "%s" in sql else None
    with pytest.raises(DatabaseError):
        _sous_role(role_applicatif, sql, params)
    assert Consultation.objects.count() == 2


def test_meme_avec_le_droit_delete_le_role_applicatif_ne_leve_pas_la_protection(journal, role_applicatif):
    """Défense en profondeur : un DELETE rendu par erreur, plus le paramètre de purge, n'ouvrent rien."""
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT DELETE ON audit_consultation TO {role_applicatif}")
    with pytest.raises(DatabaseError, match="ajout seul"):
        _sous_role(
            role_applicatif,
            "SELECT set_config('fdls.purge_audit', 'on', true); DELETE FROM audit_consultation WHERE id = %s",
            [journal[400].pk],
        )
    assert Consultation.objects.count() == 2


def test_le_role_applicatif_ne_peut_pas_remplacer_la_fonction_de_purge(role_applicatif):
    with pytest.raises(DatabaseError):
        _sous_role(
            role_applicatif,
            "CREATE OR REPLACE FUNCTION audit_purger_consultations(jours integer, taille_lot integer) "
            "RETURNS integer LANGUAGE sql AS 'SELECT 0'",
        )


@pytest.mark.parametrize("jours", [0, 30, 179])
def test_la_fonction_de_purge_refuse_une_retention_trop_courte(journal, role_applicatif, jours):
    with pytest.raises(DatabaseError, match="180 jours"):
        _sous_role(role_applicatif, "SELECT audit_purger_consultations(%s, 1000)", [jours])
    assert Consultation.objects.count() == 2


def test_le_role_applicatif_purge_seulement_les_lignes_anciennes_par_la_fonction(journal, role_applicatif):
    assert _sous_role(role_applicatif, "SELECT audit_purger_consultations(365, 1000)") == (1,)
    assert list(Consultation.objects.values_list("pk", flat=True)) == [journal[0].pk]


def test_la_purge_de_l_application_passe_par_la_fonction_sous_le_role_applicatif(journal, role_applicatif, settings):
    settings.FDLS_RETENTION_CONSULTATIONS_JOURS = 365
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role_applicatif}")
        assert purger_consultations() == 1
        cursor.execute("RESET ROLE")
    assert list(Consultation.objects.values_list("pk", flat=True)) == [journal[0].pk]
