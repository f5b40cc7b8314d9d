"""Table de rapprochement (demande active × commune souhaitée), tenue par PostgreSQL, remplie d'un coup.

Triggers d'instruction à tables de transition (comme la table de recherche des
demandes, ``demandes/0009``) sur la demande, ses localisations, personnes,
ressources, labels et événements (propositions, refus) : chaque instruction
réécrit les lignes des demandes touchées (``instruction_candidats_rafraichir``) ;
sur les résultats de cotation, seuls les points sont recopiés. Une session qui
pose ``fdls.recherche_differee = on`` (le générateur) les désarme et remplit la
table en une instruction (``instruction_candidats_remplir_tout``). Le
remplissage initial est une seule instruction ensembliste.

Paramètres datés de l'occupation (sous- et sur-occupation par typologie) dans
``ParametreReglementaire``, lus à la date de la recherche.
"""

import datetime

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# --- Tenue de la table par PostgreSQL (docs/decisions.md, session 10). Le même SELECT sert au remplissage
# initial, au générateur (``instruction_candidats_remplir_tout``) et aux triggers (``…_rafraichir``).
COLONNES = (
    "demande_id, commune_id, epci, rang, quartiers, typologies, categorie_recherchee, parking, nature, "
    "nb_personnes, rang_plafond, revenu, revenu_n1, ressources_mensuelles, rez_de_chaussee, "
    "sans_ascenseur_accepte, adapte_handicap, handicap, loyer_max, statut_occupation, activite, labels, points, "
    "date_depot, nb_propositions, nb_refus"
)

LIGNES = """
    SELECT d.id, loc.commune_id, coalesce(c.epci_id, ''), loc.rang, loc.quartiers, d.typologies,
           d.categorie_recherchee, d.parking, d.nature, d.nb_personnes,
           CASE WHEN coalesce(d.categorie_menage, 1) < 6 THEN coalesce(d.categorie_menage, 1)
                ELSE greatest(6, d.nb_personnes + CASE WHEN m.handicap THEN 1 ELSE 0 END) END,
           CASE WHEN m.n2 IS NOT NULL AND m.avec_n1 AND m.n1 <= m.n2 * 0.9 THEN m.n1 ELSE m.n2 END,
           (m.n2 IS NOT NULL AND m.avec_n1 AND m.n1 <= m.n2 * 0.9),
           coalesce(r.mensuelles, 0), d.rez_de_chaussee, d.sans_ascenseur_accepte, d.adapte_handicap,
           coalesce(m.handicap, false), d.loyer_max, d.statut_occupation, coalesce(m.activite, ''),
           coalesce(lab.types, '{}'), rc.total, d.date_depot, coalesce(ev.propositions, 0), coalesce(ev.refus, 0)
      FROM demandes_demande d
      JOIN LATERAL (
            SELECT l.commune_id, min(l.rang) AS rang,
                   CASE WHEN bool_or(l.quartier_id IS NULL) THEN '{}'::bigint[]
                        ELSE array_agg(DISTINCT l.quartier_id) END AS quartiers
              FROM demandes_localisationsouhaitee l
             WHERE l.demande_id = d.id
             GROUP BY l.commune_id
           ) loc ON true
      JOIN territoires_commune c ON c.code_insee = loc.commune_id
      LEFT JOIN LATERAL (
            SELECT sum(p.revenu_fiscal) AS n2, bool_or(p.revenu_fiscal_n1 IS NOT NULL) AS avec_n1,
                   sum(coalesce(p.revenu_fiscal_n1, p.revenu_fiscal)) AS n1, bool_or(p.handicap) AS handicap,
                   max(p.activite) FILTER (WHERE p.role = 'demandeur') AS activite
              FROM demandes_personne p
             WHERE p.demande_id = d.id
           ) m ON true
      LEFT JOIN LATERAL (
            SELECT sum(re.montant) AS mensuelles
              FROM demandes_personne p JOIN demandes_ressource re ON re.personne_id = p.id
             WHERE p.demande_id = d.id
           ) r ON true
      LEFT JOIN LATERAL (
            SELECT array_agg(la.type_id ORDER BY la.type_id) AS types
              FROM demandes_label la
             WHERE la.demande_id = d.id AND la.date_retrait IS NULL
           ) lab ON true
      LEFT JOIN cotation_resultatcotation rc ON rc.demande_id = d.id AND rc.territoire = c.epci_id
      LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE e.type = 'proposition') AS propositions,
                   count(*) FILTER (WHERE e.type IN ('refus_proposition', 'refus_positionnement',
                                                     'refus_attribution')) AS refus
              FROM demandes_evenement e
             WHERE e.demande_id = d.id
               AND e.type IN ('proposition', 'refus_proposition', 'refus_positionnement', 'refus_attribution')
           ) ev ON true
     WHERE d.etat = 'active'
"""

FONCTIONS = f"""
-- PL/pgSQL plutôt que SQL : ses plans restent en cache dans la session (appelée à chaque écriture), plan
-- générique d'emblée (``d.id = ANY(ids)`` : même plan quel que soit le tableau).
CREATE FUNCTION instruction_candidats_rafraichir(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    DELETE FROM instruction_lignecandidat WHERE demande_id = ANY(ids);
    INSERT INTO instruction_lignecandidat ({COLONNES})
    {LIGNES}
       AND d.id = ANY(ids);
END;
$$;

CREATE FUNCTION instruction_candidats_remplir_tout() RETURNS bigint LANGUAGE sql AS $$
    DELETE FROM instruction_lignecandidat;
    INSERT INTO instruction_lignecandidat ({COLONNES})
    {LIGNES};
    SELECT count(*) FROM instruction_lignecandidat;
$$;

CREATE FUNCTION instruction_candidats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('fdls.recherche_differee', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'cotation_resultatcotation' THEN
        -- Un recalcul de cotation ne change que les points du territoire.
        IF TG_OP = 'DELETE' THEN
            UPDATE instruction_lignecandidat l SET points = NULL
              FROM anciennes a
             WHERE l.demande_id = a.demande_id AND l.epci = a.territoire AND a.territoire <> ''
               AND l.points IS NOT NULL;
        ELSE
            UPDATE instruction_lignecandidat l SET points = n.total
              FROM nouvelles n
             WHERE l.demande_id = n.demande_id AND l.epci = n.territoire AND n.territoire <> ''
               AND l.points IS DISTINCT FROM n.total;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'demandes_demande' THEN
        IF TG_OP = 'UPDATE' THEN
            -- Seules les demandes dont une colonne recopiée a changé.
            SELECT array_agg(n.id) INTO ids
              FROM nouvelles n JOIN anciennes a ON a.id = n.id
             WHERE (n.etat, n.date_depot, n.typologies, n.categorie_recherchee, n.parking, n.nature,
                    n.nb_personnes, n.categorie_menage, n.rez_de_chaussee, n.sans_ascenseur_accepte,
                    n.adapte_handicap, n.loyer_max, n.statut_occupation)
                   IS DISTINCT FROM
                   (a.etat, a.date_depot, a.typologies, a.categorie_recherchee, a.parking, a.nature,
                    a.nb_personnes, a.categorie_menage, a.rez_de_chaussee, a.sans_ascenseur_accepte,
                    a.adapte_handicap, a.loyer_max, a.statut_occupation);
        END IF;
    ELSIF TG_TABLE_NAME = 'demandes_ressource' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT p.demande_id) INTO ids
              FROM demandes_personne p WHERE p.id IN (SELECT personne_id FROM nouvelles);
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT p.demande_id) INTO ids
              FROM demandes_personne p WHERE p.id IN (SELECT personne_id FROM anciennes);
        ELSE
            SELECT array_agg(DISTINCT p.demande_id) INTO ids
              FROM demandes_personne p
             WHERE p.id IN (SELECT personne_id FROM nouvelles UNION SELECT personne_id FROM anciennes);
        END IF;
    ELSIF TG_TABLE_NAME = 'demandes_evenement' THEN
        SELECT array_agg(DISTINCT demande_id) INTO ids FROM nouvelles
         WHERE type IN ('proposition', 'refus_proposition', 'refus_positionnement', 'refus_attribution');
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT demande_id) INTO ids FROM nouvelles;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT demande_id) INTO ids FROM anciennes;
    ELSE
        SELECT array_agg(DISTINCT demande_id) INTO ids
          FROM (SELECT demande_id FROM nouvelles UNION SELECT demande_id FROM anciennes) t;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM instruction_candidats_rafraichir(ids);
    END IF;
    RETURN NULL;
END;
$$;

ALTER TABLE instruction_lignecandidat
    ADD CONSTRAINT instruction_candidat_demande_fk FOREIGN KEY (demande_id)
    REFERENCES demandes_demande (id) ON DELETE CASCADE;
"""

TABLES_TRIGGERS = {
    # Pas d'INSERT : une demande insérée n'a pas encore de localisations (elles suivent, et leur trigger
    # écrit les lignes).
    "demandes_demande": ("UPDATE",),
    "demandes_localisationsouhaitee": ("INSERT", "UPDATE", "DELETE"),
    "demandes_personne": ("INSERT", "UPDATE", "DELETE"),
    "demandes_ressource": ("INSERT", "UPDATE", "DELETE"),
    "demandes_label": ("INSERT", "UPDATE", "DELETE"),
    "demandes_evenement": ("INSERT",),
    "cotation_resultatcotation": ("INSERT", "UPDATE", "DELETE"),
}
REFERENCES = {
    "INSERT": "NEW TABLE AS nouvelles",
    "UPDATE": "OLD TABLE AS anciennes NEW TABLE AS nouvelles",
    "DELETE": "OLD TABLE AS anciennes",
}


def _nom(table: str, operation: str) -> str:
    return f"candidats_{table.split('_', 1)[1][:20]}_{operation[:3].lower()}"


TRIGGERS = "".join(
    f"CREATE TRIGGER {_nom(table, op)} AFTER {op} ON {table} REFERENCING {REFERENCES[op]} "
    "FOR EACH STATEMENT EXECUTE FUNCTION instruction_candidats_trigger();\n"
    for table, operations in TABLES_TRIGGERS.items()
    for op in operations
)
SUPPRESSION = (
    "".join(
        f"DROP TRIGGER IF EXISTS {_nom(table, op)} ON {table};\n"
        for table, operations in TABLES_TRIGGERS.items()
        for op in operations
    )
    + "DROP FUNCTION instruction_candidats_trigger();\n"
    + "DROP FUNCTION instruction_candidats_remplir_tout();\n"
    + "DROP FUNCTION instruction_candidats_rafraichir(bigint[]);\n"
)

# Occupation d'un logement selon sa typologie (personnes au moins / au plus), datée : sous-occupation au sens
# de CCH L621-2 (plus de pièces que de personnes + 1), sur-occupation au-delà de deux personnes par pièce
# (ordres de grandeur de CSS R822-25) ; le gestionnaire les ajuste dans l'administration (nouvelle date d'effet).
OCCUPATION = {
    "chambre": (1, 1),
    "T1": (1, 2),
    "T2": (1, 3),
    "T3": (2, 5),
    "T4": (3, 7),
    "T5": (4, 9),
    "T6": (5, 12),
}
SOURCE_OCCUPATION = "CCH L621-2 (sous-occupation), CSS R822-25 (sur-occupation) ; règle de rapprochement du fichier"


def charger_occupation(apps, schema_editor):
    parametre = apps.get_model("demandes", "ParametreReglementaire")
    for typologie, (minimum, maximum) in OCCUPATION.items():
        for sens, valeur, libelle in (
            ("min", minimum, f"Personnes au moins dans un {typologie} (sous-occupation en deçà)"),
            ("max", maximum, f"Personnes au plus dans un {typologie} (sur-occupation au-delà)"),
        ):
            parametre.objects.update_or_create(
                code=f"occupation_{sens}_{typologie}",
                date_effet=datetime.date(2009, 3, 27),
                defaults={"valeur": valeur, "unite": "personnes", "libelle": libelle, "source": SOURCE_OCCUPATION},
            )


def retirer_occupation(apps, schema_editor):
    apps.get_model("demandes", "ParametreReglementaire").objects.filter(code__startswith="occupation_").delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("instruction", "0001_propositions_positionnements_contacts_visites"),
        ("demandes", "0029_refus_separes_par_contexte"),
        ("cotation", "0007_recoter_apres_separation_des_refus"),
        ("territoires", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LigneCandidat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "epci",
                    models.CharField(
                        blank=True, max_length=9, verbose_name="territoire (SIREN de l'EPCI de la commune)"
                    ),
                ),
                ("rang", models.PositiveSmallIntegerField(verbose_name="rang du choix")),
                (
                    "quartiers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), verbose_name="quartiers choisis (vide : toute la commune)"
                    ),
                ),
                (
                    "typologies",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=10), verbose_name="typologies recherchées"
                    ),
                ),
                ("categorie_recherchee", models.CharField(max_length=20)),
                ("parking", models.BooleanField()),
                ("nature", models.CharField(blank=True, max_length=20)),
                ("nb_personnes", models.PositiveSmallIntegerField()),
                (
                    "rang_plafond",
                    models.PositiveSmallIntegerField(
                        verbose_name="catégorie de ménage pour les plafonds (6 + k au-delà)"
                    ),
                ),
                (
                    "revenu",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, null=True, verbose_name="revenu fiscal retenu"
                    ),
                ),
                ("revenu_n1", models.BooleanField(verbose_name="revenu de l'année N-1 (baisse d'au moins 10 %)")),
                ("ressources_mensuelles", models.DecimalField(decimal_places=2, max_digits=12)),
                ("rez_de_chaussee", models.BooleanField()),
                ("sans_ascenseur_accepte", models.BooleanField()),
                ("adapte_handicap", models.BooleanField()),
                ("handicap", models.BooleanField(verbose_name="une personne du ménage en situation de handicap")),
                ("loyer_max", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("statut_occupation", models.CharField(blank=True, max_length=30)),
                ("activite", models.CharField(blank=True, max_length=30, verbose_name="activité du demandeur")),
                (
                    "labels",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), verbose_name="labels actifs (types)"
                    ),
                ),
                ("points", models.IntegerField(null=True, verbose_name="points de la cotation du territoire")),
                ("date_depot", models.DateField()),
                ("nb_propositions", models.PositiveSmallIntegerField()),
                ("nb_refus", models.PositiveSmallIntegerField()),
                (
                    "commune",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="territoires.commune",
                    ),
                ),
                (
                    "demande",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="lignes_candidat",
                        to="demandes.demande",
                    ),
                ),
            ],
            options={
                "verbose_name": "ligne de rapprochement",
                "verbose_name_plural": "lignes de rapprochement",
                "indexes": [
                    models.Index(
                        models.F("commune"),
                        models.OrderBy(models.F("points"), descending=True, nulls_last=True),
                        models.F("date_depot"),
                        models.F("demande"),
                        name="candidat_commune_classement",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("demande", "commune"), name="candidat_demande_commune")
                ],
            },
        ),
        migrations.RunSQL(FONCTIONS + TRIGGERS, SUPPRESSION),
        migrations.RunSQL("SELECT instruction_candidats_remplir_tout()", migrations.RunSQL.noop),
        migrations.RunPython(charger_occupation, retirer_occupation),
    ]
