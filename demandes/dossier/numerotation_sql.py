"""SQL du compteur des numéros uniques : ``INSERT … ON CONFLICT DO UPDATE … RETURNING``.

La ligne du compteur (département, mois, guichet) reste verrouillée jusqu'au
commit de l'enregistrement : deux guichets simultanés s'attendent quelques
millisecondes, un rollback rend le numéro ; ni doublon ni trou. L'ORM n'a pas
d'équivalent atomique (``get_or_create`` puis ``F() + 1`` ferait deux
instructions et une course à la création).

Test d'accord : ``tests/demandes/dossier/test_numerotation_sql.py`` (la
séquence rendue est celle que l'ORM relit dans ``CompteurNumero``) ; sous
concurrence : ``tests/demandes/dossier/test_numerotation_concurrente.py``.
"""

from django.db import connection

SQL_SEQUENCE = """
INSERT INTO demandes_compteurnumero (departement, periode, guichet, dernier)
VALUES (%s, %s, %s, 1)
ON CONFLICT (departement, periode, guichet)
DO UPDATE SET dernier = demandes_compteurnumero.dernier + 1
RETURNING dernier
"""


def tirer_sequence(*, departement: str, periode: str, guichet: str) -> int:
    """Séquence suivante du compteur (département, période MMAA, guichet), créé à 1 s'il n'existe pas."""
    with connection.cursor() as curseur:
        curseur.execute(SQL_SEQUENCE, [departement, periode, guichet])
        return curseur.fetchone()[0]
