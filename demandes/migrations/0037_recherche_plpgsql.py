"""Table de recherche : fonctions de remplissage en PL/pgSQL, dont le plan est gardé par la session.

En ``LANGUAGE sql``, l'``INSERT … SELECT`` de ``demandes_recherche_remplir`` était replanifié à chaque appel
(≈ 1 ms de serveur par demande enregistrée : docs/benchmarks.md, session 14) ; en PL/pgSQL, le plan est
préparé une fois par connexion. Mêmes instructions, mêmes lignes.
"""

from django.db import migrations

CORPS_REMPLIR = """
    INSERT INTO demandes_lignerecherche (demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id)
    SELECT d.id, k.cle, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d
     CROSS JOIN LATERAL (
            SELECT 'D' || d.departement_id
             UNION SELECT 'G' || d.guichet_id
             UNION SELECT 'C' || l.commune_id FROM demandes_localisationsouhaitee l WHERE l.demande_id = d.id
             UNION SELECT 'E' || c.epci_id
                     FROM demandes_localisationsouhaitee l
                     JOIN territoires_commune c ON c.code_insee = l.commune_id
                    WHERE l.demande_id = d.id AND c.epci_id IS NOT NULL
           ) AS k(cle)
     WHERE d.id = ANY(ids)
    ON CONFLICT (demande_id, cle) DO NOTHING;
"""

PLPGSQL = f"""
CREATE OR REPLACE FUNCTION demandes_recherche_remplir(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
{CORPS_REMPLIR}
END;
$$;
CREATE OR REPLACE FUNCTION demandes_recherche_rafraichir(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM demandes_lignerecherche WHERE demande_id = ANY(ids);
    PERFORM demandes_recherche_remplir(ids);
END;
$$;
"""

SQL = f"""
CREATE OR REPLACE FUNCTION demandes_recherche_remplir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
{CORPS_REMPLIR}
$$;
CREATE OR REPLACE FUNCTION demandes_recherche_rafraichir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM demandes_lignerecherche WHERE demande_id = ANY(ids);
    SELECT demandes_recherche_remplir(ids);
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("demandes", "0036_numero_partiel_fenetres")]

    operations = [migrations.RunSQL(PLPGSQL, SQL)]
