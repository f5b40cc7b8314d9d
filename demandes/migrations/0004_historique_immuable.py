"""Historique des demandes immuable, garanti par PostgreSQL.

UPDATE et DELETE sur ``demandes_evenement`` sont refusés ; seule la purge de
rétention (demandes radiées au-delà du délai légal) pose
``SET LOCAL fdls.purge_historique = 'on'`` dans sa transaction. Même
principe que le journal des consultations (audit 0003).
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION demandes_evenement_immuable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fdls.purge_historique', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'L''historique d''une demande est immuable (% refusé).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER demandes_evenement_immuable
    BEFORE UPDATE OR DELETE ON demandes_evenement
    FOR EACH ROW EXECUTE FUNCTION demandes_evenement_immuable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS demandes_evenement_immuable ON demandes_evenement;
DROP FUNCTION IF EXISTS demandes_evenement_immuable();
"""


class Migration(migrations.Migration):
    dependencies = [("demandes", "0003_dossier_complet")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
