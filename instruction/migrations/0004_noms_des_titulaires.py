"""Noms des titulaires dans la table de rapprochement ; une proposition restée sans réponse compte pour un refus.

* Filtre « nom » de la recherche de candidats : ``nom_demandeur`` et ``nom_codemandeur`` (noms normalisés
  des clés d'identité) et deux index (commune, nom) : « MAR » dans une commune lit ses ≈ 5 % de lignes
  par l'index au lieu de parcourir toute la commune (0,4 à 1,5 s à 1 M de demandes, session 11).
  Tenus par un trigger sur ``demandes_cleidentite`` (les clés sont réécrites à chaque écriture du ménage :
  seuls les noms sont recopiés, sans réécrire la ligne).
* Seed 000 : l'historique des propositions note « Refus demandeur … Non réponse » : le nombre de refus
  d'une ligne compte aussi ``non_reponse_proposition``.

Les fonctions de tenue de la migration 0002 sont réécrites (CREATE OR REPLACE) à partir de son SQL,
modifié par remplacements vérifiés ; la table est remplie de nouveau (noms, refus).
"""

import importlib

import django.contrib.postgres.indexes
from django.db import migrations, models

_0002 = importlib.import_module("instruction.migrations.0002_rapprochement")

REFUS = "'refus_proposition', 'refus_positionnement', 'refus_attribution'"
REFUS_ET_NON_REPONSES = f"{REFUS}, 'non_reponse_proposition'"


def _remplacer(texte: str, avant: str, apres: str, fois: int = 1) -> str:
    assert texte.count(avant) == fois, avant
    return texte.replace(avant, apres)


COLONNES = _0002.COLONNES + ", nom_demandeur, nom_codemandeur"
LIGNES = _remplacer(
    _0002.LIGNES,
    "coalesce(ev.refus, 0)",
    "coalesce(ev.refus, 0),\n           coalesce(k.demandeur, ''), coalesce(k.codemandeur, '')",
)
LIGNES = _remplacer(
    LIGNES,
    """                   count(*) FILTER (WHERE e.type IN ('refus_proposition', 'refus_positionnement',
                                                     'refus_attribution')) AS refus""",
    f"                   count(*) FILTER (WHERE e.type IN ({REFUS_ET_NON_REPONSES})) AS refus",
)
LIGNES = _remplacer(
    LIGNES,
    f"AND e.type IN ('proposition', {REFUS})",
    f"AND e.type IN ('proposition', {REFUS_ET_NON_REPONSES})",
)
LIGNES = _remplacer(
    LIGNES,
    "     WHERE d.etat = 'active'",
    """      LEFT JOIN LATERAL (
            SELECT max(k.nom) FILTER (WHERE k.role = 'demandeur') AS demandeur,
                   max(k.nom) FILTER (WHERE k.role = 'codemandeur') AS codemandeur
              FROM demandes_cleidentite k
             WHERE k.demande_id = d.id
           ) k ON true
     WHERE d.etat = 'active'""",
)


def _remplacables(fonctions: str) -> str:
    """Les trois fonctions de 0002 en ``CREATE OR REPLACE``, sans l'``ALTER TABLE`` final (contrainte déjà posée)."""
    fonctions = fonctions[: fonctions.index("ALTER TABLE instruction_lignecandidat")]
    return _remplacer(fonctions, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 3)


FONCTIONS = _remplacables(_remplacer(_remplacer(_0002.FONCTIONS, _0002.COLONNES, COLONNES, 2), _0002.LIGNES, LIGNES, 2))
FONCTIONS = _remplacer(
    FONCTIONS,
    f"         WHERE type IN ('proposition', {REFUS});",
    f"         WHERE type IN ('proposition', {REFUS_ET_NON_REPONSES});",
)

NOMS = """
-- Clés d'identité réécrites (suppression puis insertion, à chaque écriture du ménage) : seuls les noms des
-- titulaires sont recopiés dans les lignes de la demande, sans les réécrire.
CREATE FUNCTION instruction_candidats_noms_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('fdls.recherche_differee', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT demande_id) INTO ids FROM nouvelles;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT demande_id) INTO ids FROM anciennes;
    ELSE
        SELECT array_agg(DISTINCT demande_id) INTO ids
          FROM (SELECT demande_id FROM nouvelles UNION SELECT demande_id FROM anciennes) t;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE instruction_lignecandidat l
       SET nom_demandeur = coalesce(k.demandeur, ''), nom_codemandeur = coalesce(k.codemandeur, '')
      FROM (SELECT i.id AS demande_id,
                   (SELECT max(c.nom) FROM demandes_cleidentite c
                     WHERE c.demande_id = i.id AND c.role = 'demandeur') AS demandeur,
                   (SELECT max(c.nom) FROM demandes_cleidentite c
                     WHERE c.demande_id = i.id AND c.role = 'codemandeur') AS codemandeur
              FROM unnest(ids) AS i(id)) k
     WHERE l.demande_id = k.demande_id
       AND (l.nom_demandeur, l.nom_codemandeur)
           IS DISTINCT FROM (coalesce(k.demandeur, ''), coalesce(k.codemandeur, ''));
    RETURN NULL;
END;
$$;

CREATE TRIGGER candidats_cleidentite_ins AFTER INSERT ON demandes_cleidentite REFERENCING NEW TABLE AS nouvelles
    FOR EACH STATEMENT EXECUTE FUNCTION instruction_candidats_noms_trigger();
CREATE TRIGGER candidats_cleidentite_del AFTER DELETE ON demandes_cleidentite REFERENCING OLD TABLE AS anciennes
    FOR EACH STATEMENT EXECUTE FUNCTION instruction_candidats_noms_trigger();
CREATE TRIGGER candidats_cleidentite_upd AFTER UPDATE ON demandes_cleidentite
    REFERENCING OLD TABLE AS anciennes NEW TABLE AS nouvelles
    FOR EACH STATEMENT EXECUTE FUNCTION instruction_candidats_noms_trigger();
"""
SUPPRESSION_NOMS = """
DROP TRIGGER IF EXISTS candidats_cleidentite_ins ON demandes_cleidentite;
DROP TRIGGER IF EXISTS candidats_cleidentite_del ON demandes_cleidentite;
DROP TRIGGER IF EXISTS candidats_cleidentite_upd ON demandes_cleidentite;
DROP FUNCTION IF EXISTS instruction_candidats_noms_trigger();
"""
# Retour : les fonctions de 0002 telles quelles (la table garde ses colonnes jusqu'au retrait des champs).
ANCIENNES_FONCTIONS = _remplacables(_0002.FONCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0034_numero_partiel_trigrammes"),
        ("instruction", "0003_commissions_cal"),
        ("territoires", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="lignecandidat",
            name="nom_codemandeur",
            field=models.CharField(db_default="", default="", max_length=150),
        ),
        migrations.AddField(
            model_name="lignecandidat",
            name="nom_demandeur",
            field=models.CharField(db_default="", default="", max_length=150),
        ),
        migrations.RunSQL(FONCTIONS + NOMS, ANCIENNES_FONCTIONS + SUPPRESSION_NOMS),
        migrations.RunSQL("SELECT instruction_candidats_remplir_tout()", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="lignecandidat",
            index=models.Index(
                models.F("commune"),
                django.contrib.postgres.indexes.OpClass("nom_demandeur", name="varchar_pattern_ops"),
                name="candidat_nom",
            ),
        ),
        migrations.AddIndex(
            model_name="lignecandidat",
            index=models.Index(
                models.F("commune"),
                django.contrib.postgres.indexes.OpClass("nom_codemandeur", name="varchar_pattern_ops"),
                condition=models.Q(("nom_codemandeur", ""), _negated=True),
                name="candidat_nom_codemandeur",
            ),
        ),
    ]
