"""Table de recherche : clés ``E`` (EPCI des communes souhaitées) et état dans l'index de tri.

Un partenaire dont le territoire couvre un EPCI entier (EPCI doté d'une CIA,
lieu d'accueil de la métropole) lit un seul flux au lieu d'un par commune ;
l'état en deuxième colonne de l'index permet de lire directement les
demandes d'un état (satisfaites, brouillons) sans parcourir les autres.
"""

from django.db import migrations, models

REMPLIR = """
CREATE OR REPLACE FUNCTION demandes_recherche_remplir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
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
     WHERE d.id = ANY(ids);
$$;

INSERT INTO demandes_lignerecherche (demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id)
SELECT DISTINCT d.id, 'E' || c.epci_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
  FROM demandes_demande d
  JOIN demandes_localisationsouhaitee l ON l.demande_id = d.id
  JOIN territoires_commune c ON c.code_insee = l.commune_id
 WHERE c.epci_id IS NOT NULL
ON CONFLICT (demande_id, cle) DO NOTHING;
"""

ANCIENNE = """
CREATE OR REPLACE FUNCTION demandes_recherche_remplir(ids bigint[]) RETURNS void LANGUAGE sql AS $$
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
DELETE FROM demandes_lignerecherche WHERE cle LIKE 'E%';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0014_recherche_par_nom"),
        ("territoires", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="lignerecherche", name="recherche_cle_depot"),
        migrations.RunSQL(REMPLIR, ANCIENNE),
        migrations.AddIndex(
            model_name="lignerecherche",
            index=models.Index(
                models.F("cle"),
                models.F("etat"),
                models.OrderBy(models.F("date_depot"), descending=True, nulls_first=True),
                models.OrderBy(models.F("demande"), descending=True),
                name="recherche_cle_etat_depot",
            ),
        ),
        migrations.RunSQL("ANALYZE demandes_lignerecherche;", migrations.RunSQL.noop),
    ]
