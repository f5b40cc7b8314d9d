"""Recherche d'une partie du numéro unique d'au moins 6 chiffres : index GIN des fenêtres de 6 chiffres.

Un numéro unique n'a que des chiffres : ses trigrammes (index ``demande_numero_trigrammes``, migration 0034) sont
peu sélectifs (« 000 » est dans presque tous). À 3 M de demandes actives (7,1 M en tout), « 000035 » faisait
relire 54 594 lignes pour en garder 2 743 : 415 à 700 ms. Les 13 fenêtres de 6 chiffres d'un numéro de 18
chiffres, indexées comme un tableau, désignent exactement les numéros qui contiennent un groupe de 6 chiffres :
16 ms à chaud, 58 ms à froid pour la même recherche. Une partie plus longue se cherche par toutes ses fenêtres
(``@>``), puis par sa position (``strpos``) : les fenêtres peuvent être présentes sans se suivre. De 4 à 5
chiffres, l'index de trigrammes reste seul (``demandes/liste/recherche_sql.py``).

Sans extension : la fonction et l'index sont du PostgreSQL de base (le PostgreSQL embarqué du démarrage rapide
les a aussi). docs/decisions.md, session 12.
"""

from django.db import migrations

FENETRES = ", ".join(f"substr(nu, {i}, 6)" for i in range(1, 14))

CREATION = f"""
CREATE OR REPLACE FUNCTION demandes_nu_fenetres(nu text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ARRAY[{FENETRES}] $$;
CREATE INDEX IF NOT EXISTS demande_numero_fenetres
    ON demandes_demande USING gin (demandes_nu_fenetres(numero_unique));
"""

SUPPRESSION = """
DROP INDEX IF EXISTS demande_numero_fenetres;
DROP FUNCTION IF EXISTS demandes_nu_fenetres(text);
"""


class Migration(migrations.Migration):
    dependencies = [("demandes", "0035_evenements_satisfaction")]

    operations = [migrations.RunSQL(CREATION, SUPPRESSION)]
