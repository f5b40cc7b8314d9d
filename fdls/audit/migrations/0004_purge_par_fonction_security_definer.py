"""Purge du journal des consultations par une fonction ``SECURITY DEFINER`` seulement.

Jusqu'ici la purge levait le trigger par ``SET LOCAL fdls.purge_audit = 'on'``, un paramètre que tout rôle
peut poser : le rôle applicatif, qui avait DELETE, pouvait effacer des lignes récentes. Désormais :

- ``audit_purger_consultations(jours, taille_lot)``, ``SECURITY DEFINER``, appartient au rôle qui migre
  (le propriétaire des tables, jamais le rôle applicatif) : elle refuse une rétention de moins de 180 jours
  (CNIL : journaux conservés 6 à 12 mois) et ne supprime que les lignes plus anciennes, par lots ;
- le trigger n'admet une suppression que dans cette fonction : paramètre de purge posé, rôle courant
  propriétaire de la table (``current_user`` dans une fonction ``SECURITY DEFINER``) et ligne de plus de
  180 jours ; toute mise à jour reste refusée ;
- ``audit_restreindre_journal()`` retire UPDATE, DELETE, TRUNCATE, TRIGGER et REFERENCES sur le journal à tout
  rôle autre que le propriétaire (les droits par défaut de docker-compose.yml donnent DELETE et UPDATE sur
  toutes les tables au rôle applicatif) et lui donne EXECUTE sur la fonction de purge ; la migration l'appelle
  pour les rôles qui existent déjà, l'exploitant la rappelle après avoir créé un rôle (docs/exploitation.md).

Preuves : tests/audit/test_role_applicatif.py, tests/fiabilite/test_journal_audit.py.
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION audit_consultation_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('fdls.purge_audit', true) = 'on'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
       AND OLD.created_at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des consultations est en ajout seul (% refusé).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_purger_consultations(jours integer, taille_lot integer) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    supprimees integer;
BEGIN
    IF jours IS NULL OR jours < 180 THEN
        RAISE EXCEPTION 'Rétention de % jours refusée : le journal des consultations est gardé 180 jours au moins.',
            jours USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF taille_lot IS NULL OR taille_lot < 1 THEN
        RAISE EXCEPTION 'Taille de lot invalide : %.', taille_lot USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('fdls.purge_audit', 'on', true);
    DELETE FROM audit_consultation
    WHERE id IN (
        SELECT id FROM audit_consultation
        WHERE created_at < now() - make_interval(days => jours)
        ORDER BY id
        LIMIT taille_lot
    );
    GET DIAGNOSTICS supprimees = ROW_COUNT;
    PERFORM set_config('fdls.purge_audit', 'off', true);
    RETURN supprimees;
END;
$$;
REVOKE ALL ON FUNCTION audit_purger_consultations(integer, integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION audit_restreindre_journal() RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    proprietaire text := (SELECT tableowner FROM pg_tables WHERE schemaname = 'public'
                          AND tablename = 'audit_consultation');
    role_ text;
    n integer := 0;
BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_consultation FROM PUBLIC;
    FOR role_ IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = 'public' AND table_name = 'audit_consultation'
          AND grantee NOT IN (proprietaire, 'PUBLIC')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_consultation FROM %I', role_);
        EXECUTE format('GRANT EXECUTE ON FUNCTION audit_purger_consultations(integer, integer) TO %I', role_);
        n := n + 1;
    END LOOP;
    RETURN n;
END;
$$;
REVOKE ALL ON FUNCTION audit_restreindre_journal() FROM PUBLIC;

SELECT audit_restreindre_journal();
"""

REVERSE = """
DROP FUNCTION IF EXISTS audit_restreindre_journal();
DROP FUNCTION IF EXISTS audit_purger_consultations(integer, integer);
CREATE OR REPLACE FUNCTION audit_consultation_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fdls.purge_audit', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des consultations est en ajout seul (% refusé).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_journal_append_only")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
