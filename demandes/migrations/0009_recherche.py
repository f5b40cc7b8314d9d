"""Table de recherche étroite des demandes, tenue par PostgreSQL.

Une ligne par demande × clé d'accès (``D`` département du fichier, ``G``
guichet d'enregistrement, ``C`` commune souhaitée), avec les colonnes que la
liste filtre. Des triggers d'instruction (tables de transition) la tiennent
à jour dans la transaction de toute écriture de la demande ou de ses
localisations ; une session qui pose ``fdls.recherche_differee = on`` (le
générateur en masse) les désarme et remplit la table elle-même par lots avec
``demandes_recherche_remplir``. Le remplissage initial est fait avant la
création des index (plus rapide sur un gros fichier).
"""

from django.db import migrations, models

FONCTIONS = """
CREATE FUNCTION demandes_recherche_remplir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO demandes_lignerecherche (demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id)
    SELECT d.id, k.cle, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d
     CROSS JOIN LATERAL (
            SELECT 'D' || d.departement_id
             UNION SELECT 'G' || d.guichet_id
             UNION SELECT 'C' || l.commune_id FROM demandes_localisationsouhaitee l WHERE l.demande_id = d.id
           ) AS k(cle)
     WHERE d.id = ANY(ids);
$$;

CREATE FUNCTION demandes_recherche_rafraichir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM demandes_lignerecherche WHERE demande_id = ANY(ids);
    SELECT demandes_recherche_remplir(ids);
$$;

CREATE FUNCTION demandes_recherche_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('fdls.recherche_differee', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'demandes_demande' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(id) INTO ids FROM nouvelles;
            PERFORM demandes_recherche_remplir(ids);
        ELSE
            -- Seules les demandes dont une colonne recopiée a changé.
            SELECT array_agg(n.id) INTO ids
              FROM nouvelles n JOIN anciennes a ON a.id = n.id
             WHERE (n.etat, n.nature, n.date_depot, n.date_expiration, n.guichet_id, n.departement_id)
                   IS DISTINCT FROM (a.etat, a.nature, a.date_depot, a.date_expiration, a.guichet_id, a.departement_id);
            IF ids IS NOT NULL THEN
                PERFORM demandes_recherche_rafraichir(ids);
            END IF;
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT demande_id) INTO ids FROM nouvelles;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT demande_id) INTO ids FROM anciennes;
        ELSE
            SELECT array_agg(DISTINCT demande_id) INTO ids
              FROM (SELECT demande_id FROM nouvelles UNION SELECT demande_id FROM anciennes) t;
        END IF;
        IF ids IS NOT NULL THEN
            PERFORM demandes_recherche_rafraichir(ids);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER demande_recherche_insert AFTER INSERT ON demandes_demande
    REFERENCING NEW TABLE AS nouvelles FOR EACH STATEMENT EXECUTE FUNCTION demandes_recherche_trigger();
CREATE TRIGGER demande_recherche_update AFTER UPDATE ON demandes_demande
    REFERENCING OLD TABLE AS anciennes NEW TABLE AS nouvelles
    FOR EACH STATEMENT EXECUTE FUNCTION demandes_recherche_trigger();
CREATE TRIGGER localisation_recherche_insert AFTER INSERT ON demandes_localisationsouhaitee
    REFERENCING NEW TABLE AS nouvelles FOR EACH STATEMENT EXECUTE FUNCTION demandes_recherche_trigger();
CREATE TRIGGER localisation_recherche_update AFTER UPDATE ON demandes_localisationsouhaitee
    REFERENCING OLD TABLE AS anciennes NEW TABLE AS nouvelles
    FOR EACH STATEMENT EXECUTE FUNCTION demandes_recherche_trigger();
CREATE TRIGGER localisation_recherche_delete AFTER DELETE ON demandes_localisationsouhaitee
    REFERENCING OLD TABLE AS anciennes FOR EACH STATEMENT EXECUTE FUNCTION demandes_recherche_trigger();

-- Remplissage initial, une seule instruction (avant les index).
INSERT INTO demandes_lignerecherche (demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id)
SELECT d.id, 'D' || d.departement_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
  FROM demandes_demande d
UNION ALL
SELECT d.id, 'G' || d.guichet_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
  FROM demandes_demande d
UNION ALL
SELECT d.id, 'C' || l.commune_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
  FROM demandes_demande d
  JOIN (SELECT DISTINCT demande_id, commune_id FROM demandes_localisationsouhaitee) l ON l.demande_id = d.id;
"""

CLE_ETRANGERE = """
ALTER TABLE demandes_lignerecherche
    ADD CONSTRAINT demandes_lignerecherche_demande_fk FOREIGN KEY (demande_id)
    REFERENCES demandes_demande (id) ON DELETE CASCADE;
ANALYZE demandes_lignerecherche;
"""

SUPPRESSION = """
DROP TRIGGER IF EXISTS demande_recherche_insert ON demandes_demande;
DROP TRIGGER IF EXISTS demande_recherche_update ON demandes_demande;
DROP TRIGGER IF EXISTS localisation_recherche_insert ON demandes_localisationsouhaitee;
DROP TRIGGER IF EXISTS localisation_recherche_update ON demandes_localisationsouhaitee;
DROP TRIGGER IF EXISTS localisation_recherche_delete ON demandes_localisationsouhaitee;
DROP FUNCTION IF EXISTS demandes_recherche_trigger();
DROP FUNCTION IF EXISTS demandes_recherche_rafraichir(bigint[]);
DROP FUNCTION IF EXISTS demandes_recherche_remplir(bigint[]);
DELETE FROM demandes_lignerecherche;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0008_listes_facultatives_brouillon"),
    ]

    operations = [
        migrations.CreateModel(
            name="LigneRecherche",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cle", models.CharField(max_length=12, verbose_name="clé d'accès")),
                ("etat", models.CharField(max_length=20)),
                ("nature", models.CharField(blank=True, max_length=20)),
                ("date_depot", models.DateField(null=True)),
                ("date_expiration", models.DateField(null=True)),
                ("guichet_id", models.BigIntegerField()),
                (
                    "demande",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="lignes_recherche",
                        to="demandes.demande",
                    ),
                ),
            ],
            options={"verbose_name": "ligne de recherche"},
        ),
        migrations.RunSQL(FONCTIONS, SUPPRESSION),
        migrations.AddConstraint(
            model_name="lignerecherche",
            constraint=models.UniqueConstraint(fields=("demande", "cle"), name="recherche_demande_cle"),
        ),
        migrations.AddIndex(
            model_name="lignerecherche",
            index=models.Index(
                models.F("cle"),
                models.OrderBy(models.F("date_depot"), descending=True, nulls_first=True),
                models.OrderBy(models.F("demande"), descending=True),
                name="recherche_cle_depot",
            ),
        ),
        migrations.AddIndex(
            model_name="lignerecherche",
            index=models.Index(
                condition=models.Q(("etat", "active")),
                fields=["cle", "date_expiration", "demande"],
                name="recherche_cle_echeance",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                condition=models.Q(("etat", "brouillon")),
                fields=["organisme_saisie", "-created_at"],
                name="demande_brouillons",
            ),
        ),
        # En dernier : vérifiée d'un bloc sur la table remplie (pas d'événement de trigger en attente).
        migrations.RunSQL(
            CLE_ETRANGERE,
            "ALTER TABLE demandes_lignerecherche DROP CONSTRAINT IF EXISTS demandes_lignerecherche_demande_fk;",
        ),
    ]
