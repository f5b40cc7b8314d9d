"""Recherche d'une partie du numéro unique (« 000035 », « 0514 0000 ») : index de trigrammes.

``numero_unique LIKE '%…%'`` (``demandes/liste/recherche_sql.py``, ``requete_identifiant``) ne peut pas
lire l'index B-tree du numéro : sans index, 1,6 à 2,5 s à 1 M de demandes actives (lecture de toute la
table). Un index GIN ``gin_trgm_ops`` (extension ``pg_trgm`` de PostgreSQL) sert ces recherches.

L'extension est livrée avec PostgreSQL (paquets « contrib », image Docker officielle) mais pas avec le
PostgreSQL embarqué du démarrage rapide (paquet ``pgserver``) : là, la migration n'écrit qu'un avis et la
recherche reste exacte, sans index. Depuis PostgreSQL 13, ``pg_trgm`` est une extension « de confiance » :
le propriétaire de la base la crée sans être superutilisateur. docs/decisions.md, session 11.
"""

from django.db import migrations

CREATION = """
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS demande_numero_trigrammes
        ON demandes_demande USING gin (numero_unique gin_trgm_ops);
EXCEPTION WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm indisponible (%) : recherche d''une partie du numéro unique sans index', SQLERRM;
END
$$;
"""

SUPPRESSION = "DROP INDEX IF EXISTS demande_numero_trigrammes;"


class Migration(migrations.Migration):
    dependencies = [("demandes", "0033_dates_des_labels_depuis_1900")]

    operations = [migrations.RunSQL(CREATION, SUPPRESSION)]
