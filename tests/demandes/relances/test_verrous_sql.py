"""``relances/verrous_sql.py`` : SQL de session sans jumeau ORM, vérifié par son résultat observable.

Le verrou consultatif est vu de ``pg_locks``, refusé à une autre connexion
tant qu'il est tenu, rendu ensuite ; son détenteur lu sans le prendre.
"""

import psycopg
from django.db import connection

from demandes.relances import verrous_sql
from tests.fiabilite.serveurs import attendre, url_postgres

CLASSE = 7399  # hors de la classe des traitements (7310) : aucun job réel n'est gêné


def _verrous_tenus() -> int:
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND granted "
            "AND pid = pg_backend_pid()",
            [CLASSE],
        )
        return curseur.fetchone()[0]


def _autre_obtient(cle: str) -> bool:
    with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
        obtenu = autre.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [CLASSE, cle]).fetchone()[0]
        if obtenu:
            autre.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [CLASSE, cle])
        return obtenu


def test_le_verrou_est_tenu_refuse_aux_autres_puis_rendu(db):
    with verrous_sql.verrou_consultatif(CLASSE, "essai") as obtenu:
        assert obtenu is True
        assert _verrous_tenus() == 1
        assert not _autre_obtient("essai")
        assert _autre_obtient("autre-travail")  # une autre clé reste libre
    assert _verrous_tenus() == 0
    assert _autre_obtient("essai")


def test_un_verrou_tenu_ailleurs_n_est_pas_obtenu(db):
    with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
        autre.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [CLASSE, "essai"])
        with verrous_sql.verrou_consultatif(CLASSE, "essai") as obtenu:
            assert obtenu is False
            assert _verrous_tenus() == 0
    # Connexion fermée : le serveur rend le verrou (la session se termine en quelques millisecondes).
    attendre(lambda: _obtenu_ici("essai"), delai=5)


def _obtenu_ici(cle: str) -> bool:
    with verrous_sql.verrou_consultatif(CLASSE, cle) as obtenu:
        return obtenu


def test_le_detenteur_est_lu_sans_prendre_le_verrou_puis_disparait_avec_sa_connexion(db):
    assert verrous_sql.detenteur(CLASSE, "essai") is None
    with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
        autre.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [CLASSE, "essai"])
        pid = autre.execute("SELECT pg_backend_pid()").fetchone()[0]
        assert verrous_sql.detenteur(CLASSE, "essai") == pid
        assert verrous_sql.detenteur(CLASSE, "autre-travail") is None
        assert _verrous_tenus() == 0  # lire le détenteur ne prend pas le verrou
    # Le processus qui le tenait est parti : plus de détenteur.
    attendre(lambda: verrous_sql.detenteur(CLASSE, "essai") is None, delai=5)
