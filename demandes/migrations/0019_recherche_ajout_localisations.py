"""Table de recherche : l'ajout de localisations ajoute leurs clés au lieu de tout réécrire.

À l'enregistrement, la demande est insérée (clés ``D`` et ``G``) puis ses
localisations : le trigger d'insertion des localisations effaçait et
réécrivait toutes les lignes de la demande ; il n'ajoute plus que les clés
manquantes (``C`` et ``E`` des nouvelles communes), ce qui donne le même
ensemble de lignes : ``demandes_recherche_remplir`` ignore désormais les clés
déjà présentes (``ON CONFLICT DO NOTHING``). Suppression et mise à jour de localisations réécrivent
toujours la demande entière.
"""

from django.db import migrations

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
     WHERE d.id = ANY(ids)
    ON CONFLICT (demande_id, cle) DO NOTHING;
$$;
"""

TRIGGER = """
CREATE OR REPLACE FUNCTION demandes_recherche_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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
            IF ids IS NOT NULL THEN
                PERFORM demandes_recherche_remplir(ids);
            END IF;
            RETURN NULL;
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
"""

ANCIEN_TRIGGER = TRIGGER.replace(
    """            IF ids IS NOT NULL THEN
                PERFORM demandes_recherche_remplir(ids);
            END IF;
            RETURN NULL;
""",
    "",
)


class Migration(migrations.Migration):
    dependencies = [("demandes", "0018_regime_index")]

    operations = [
        migrations.RunSQL(
            REMPLIR + TRIGGER, ANCIEN_TRIGGER + REMPLIR.replace("\n    ON CONFLICT (demande_id, cle) DO NOTHING", "")
        ),
    ]
