"""Écriture du générateur en base : COPY des lots, identifiants, compteurs, séquences, autovacuum.

Les colonnes de chaque COPY sont celles du modèle (``_meta.concrete_fields``,
dans leur ordre) : les lignes fabriquées suivent cet ordre, un champ ajouté au
modèle fait échouer le COPY au lieu d'être oublié en silence.

Accord avec l'ORM : tests/demo/test_generateur_massif.py et tests/demo/test_generateur.py (lignes écrites
relues par l'ORM : clés d'identité égales à celles des services, table de recherche égale à celle des
triggers, numéros sans trou) ; table de rapprochement : tests/instruction/rapprochement/test_tenue.py.
"""

from __future__ import annotations

from django.db import connection, transaction

from demandes.models import (
    CleIdentite,
    CompteurNumero,
    CompteurReference,
    Demande,
    Evenement,
    LigneRecherche,
    LocalisationSouhaitee,
    Personne,
    Ressource,
)
from demo.models import DoublonSeme

# Tables écrites, dans l'ordre du COPY d'un lot (clés étrangères : la demande avant ses lignes filles).
MODELES = {
    "demande": Demande,
    "personne": Personne,
    "ressource": Ressource,
    "localisation": LocalisationSouhaitee,
    "evenement": Evenement,
    "cle": CleIdentite,
    "doublon": DoublonSeme,
    # Écrite par le générateur en mode massif seulement (sinon par ``demandes_recherche_remplir``).
    "recherche": LigneRecherche,
}


# Ordre des champs des lignes fabriquées quand il n'est pas celui du modèle : l'historique hérite ses champs
# du journal abstrait du socle (``JournalTransition``), que Django range avant les siens.
ORDRE_DES_CHAMPS = {
    Evenement: [
        "id",
        "demande",
        "type",
        "date",
        "precisions",
        "details",
        "etat_avant",
        "etat_apres",
        "auteur",
        "organisme",
        "auteur_libelle",
    ],
}


def colonnes(modele) -> list[str]:
    """Colonnes du modèle dans l'ordre des lignes fabriquées : celui de ses champs, ou ``ORDRE_DES_CHAMPS``
    (qui doit les nommer tous : un champ ajouté au modèle fait échouer le chargement, pas le COPY)."""
    champs = modele._meta.concrete_fields
    ordre = ORDRE_DES_CHAMPS.get(modele)
    if ordre is None:
        return [champ.column for champ in champs]
    if sorted(ordre) != sorted(champ.name for champ in champs):
        raise ValueError(f"ORDRE_DES_CHAMPS de {modele.__name__} ne nomme pas exactement ses champs.")
    return [modele._meta.get_field(nom).column for nom in ordre]


TABLES = {cle: (modele._meta.db_table, ", ".join(colonnes(modele))) for cle, modele in MODELES.items()}
COLONNES_DEMANDE = colonnes(Demande)


def copier(lot, curseur, lignes: dict) -> None:
    """COPY de chaque table du lot ; ``lignes`` compte les lignes écrites par table."""
    comptes = getattr(lot, "comptes", None)
    for cle, contenu in lot.tables().items():
        if not contenu:
            continue
        table, liste = TABLES[cle]
        with curseur.copy(f"COPY {table} ({liste}) FROM STDIN") as copie:
            copie.write(contenu if isinstance(contenu, bytes) else "".join(contenu))
        lignes[cle] = lignes.get(cle, 0) + (comptes[cle] if comptes is not None else len(contenu))


def charger_lot(lot, lignes: dict, controle_fk: bool = True, recherche: bool = True) -> None:
    """Un lot en une transaction ; la table de recherche remplie ensuite en une instruction (sauf en masse)."""
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("SET LOCAL synchronous_commit = off")
        # La table de recherche est remplie une fois le lot copié, en une
        # instruction, plutôt que par ses triggers à chaque COPY (en mode massif : écrite dans le lot).
        curseur.execute("SET LOCAL fdls.recherche_differee = on")
        if not controle_fk:
            # Chargement en masse : les clés étrangères, cohérentes par construction, ne sont pas
            # revérifiées ligne à ligne au commit (même réglage que pg_restore --disable-triggers).
            curseur.execute("SET LOCAL session_replication_role = replica")
        copier(lot, curseur, lignes)
        if recherche and lot.demandes:
            ids = [int(ligne.split("\t", 1)[0]) for ligne in lot.demandes]
            curseur.execute("SELECT demandes_recherche_remplir(%s::bigint[])", [ids])
            # Table de rapprochement de l'instruction (ses triggers sont désarmés comme ceux de la recherche).
            curseur.execute("SELECT instruction_candidats_rafraichir(%s::bigint[])", [ids])


def remplir_rapprochement() -> int:
    """Table de rapprochement de l'instruction remplie d'un coup (chargement en masse : triggers muets)."""
    with connection.cursor() as curseur:
        curseur.execute("SELECT instruction_candidats_remplir_tout()")
        return curseur.fetchone()[0]


def superutilisateur() -> bool:
    with connection.cursor() as curseur:
        curseur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ligne = curseur.fetchone()
    return bool(ligne and ligne[0])


def derniers_ids() -> dict:
    """Dernier identifiant de chaque table écrite : le générateur numérote à la suite."""
    ids = {}
    with connection.cursor() as curseur:
        for cle, (table, _) in TABLES.items():
            curseur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            ids[cle] = curseur.fetchone()[0]
    return ids


def compteurs() -> tuple[dict, dict]:
    """Compteurs des numéros uniques (département, période, guichet) et des références (période)."""
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT departement, periode, guichet, dernier FROM {CompteurNumero._meta.db_table}")
        nu = {(d, p, g): n for d, p, g, n in curseur.fetchall()}
        curseur.execute(f"SELECT periode, dernier FROM {CompteurReference._meta.db_table}")
        ref = dict(curseur.fetchall())
    return nu, ref


def finaliser(compteurs_nu: dict, compteurs_ref: dict, ids: dict, ids_depart: dict) -> None:
    """Compteurs laissés sur la dernière séquence, séquences des identifiants recalées."""
    numeros = CompteurNumero._meta.db_table
    references = CompteurReference._meta.db_table
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.executemany(
            f"""
            INSERT INTO {numeros} (departement, periode, guichet, dernier) VALUES (%s, %s, %s, %s)
            ON CONFLICT (departement, periode, guichet)
            DO UPDATE SET dernier = GREATEST({numeros}.dernier, EXCLUDED.dernier)
            """,
            [(d, p, g, n) for (d, p, g), n in compteurs_nu.items()],
        )
        curseur.executemany(
            f"""
            INSERT INTO {references} (periode, dernier) VALUES (%s, %s)
            ON CONFLICT (periode) DO UPDATE SET dernier = GREATEST({references}.dernier, EXCLUDED.dernier)
            """,
            list(compteurs_ref.items()),
        )
        for cle, (table, _) in TABLES.items():
            if ids[cle] > ids_depart[cle]:
                curseur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, ids[cle]])


def tables_chargees() -> list[str]:
    """Tables copiées (la table de recherche en fait partie)."""
    return [table for table, _ in TABLES.values()]


def autovacuum(actif: bool) -> None:
    with connection.cursor() as curseur:
        for table in tables_chargees():
            if actif:
                curseur.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled, toast.autovacuum_enabled)")
            else:
                curseur.execute(
                    f"ALTER TABLE {table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)"
                )


def analyser() -> None:
    with connection.cursor() as curseur:
        for table in tables_chargees():
            curseur.execute(f"ANALYZE {table}")
