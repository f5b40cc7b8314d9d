"""Journal des consultations en ajout seul, garanti par PostgreSQL.

Toute mise à jour est refusée ; une suppression n'est admise que dans la
transaction de purge de rétention, qui pose ``SET LOCAL fdls.purge_audit``.
TRUNCATE reste possible au seul propriétaire de la table (le flush des tests
l'utilise) : en production, l'application se connecte avec un rôle qui n'en
est pas propriétaire (docs/exploitation.md).
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION audit_consultation_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fdls.purge_audit', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des consultations est en ajout seul (% refusé).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_consultation_append_only
    BEFORE UPDATE OR DELETE ON audit_consultation
    FOR EACH ROW EXECUTE FUNCTION audit_consultation_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_consultation_append_only ON audit_consultation;
DROP FUNCTION IF EXISTS audit_consultation_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
