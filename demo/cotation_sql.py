"""Historique d'instruction de la cotation de démonstration, écrit en SQL ensembliste (``demo.cotation``).

Des refus d'être positionné après un contact sont écrits dans l'historique d'une
part connue des demandes actives (déterministe : un hachage de l'identifiant
choisit les demandes), et des priorités locales et de l'État que la grille cote.
Les passages en CAL, décisions et refus d'un logement attribué ne sont plus
fabriqués : ``demo.commissions`` les écrit par les services des commissions
(session 11). États et types d'événement
passés en paramètres depuis les énumérations du modèle.

Accord avec l'ORM : tests/cotation/calcul/test_sql.py (historique de démonstration écrit puis relu par le
moteur Python et par le SQL compilé) et tests/demo/test_transitions.py.
"""

from __future__ import annotations

from django.db import connection, transaction

from demandes.models import Demande, Evenement

Type = Evenement.Type

INTERVENANT = "Démonstration (instruction)"

# (type d'événement, part pour 10 000 des demandes actives, nombre d'événements)
EVENEMENTS = [
    (Type.REFUS_POSITIONNEMENT, 400, 1),
    (Type.REFUS_POSITIONNEMENT, 80, 4),
    (Type.REFUS_POSITIONNEMENT, 30, 6),
]
# (code du label, part pour 10 000, sel du hachage)
LABELS = [
    ("cp-handicap", 60, 11),
    ("cp-sans-logement", 120, 12),
    ("cp-autres-priorites", 40, 13),
    ("nm-mutation-prioritaire", 50, 14),
    ("nm-renouvellement-urbain", 30, 15),
    ("nm-logement-d-abord", 25, 16),
]

# Événements sur les demandes actives déposées depuis plus de 3 mois, datés dans les 20 derniers mois
# (pas avant le dépôt, au plus tard hier) ; ``n`` événements par demande, espacés de 17 jours.
_SQL_EVENEMENTS = """
INSERT INTO demandes_evenement (demande_id, type, date, precisions, details, etat_avant, etat_apres,
                                auteur_id, organisme_id, auteur_libelle)
SELECT d.id, %(type)s,
       least(greatest(d.date_depot + 30, current_date - 600 + ((d.id * 7919) %% 480)::int) + 17 * g.i,
             current_date - 1)::timestamptz + interval '10 hours',
       %(precisions)s,
       '{}'::jsonb,
       %(active)s, %(active)s, NULL, NULL, %(intervenant)s
FROM demandes_demande d CROSS JOIN generate_series(0, %(n)s - 1) AS g(i)
WHERE d.etat = %(active)s AND d.date_depot < current_date - 90
  AND abs(hashtext(d.id::text || ':' || %(sel)s::text)) %% 10000 < %(part)s
"""
_SQL_LABELS = """
WITH poses AS (
    INSERT INTO demandes_label (demande_id, type_id, organisme_id, date_pose, auteur_id, auteur_libelle,
                                commentaire, date_retrait, retire_par_id, retire_par_libelle, motif_retrait,
                                created_at)
    SELECT d.id, t.id, NULL, greatest(d.date_depot, current_date - 200), NULL, %(intervenant)s, '', NULL, NULL,
           '', '', now()
    FROM demandes_demande d JOIN demandes_typelabel t ON t.code = %(code)s
    WHERE d.etat = %(active)s AND abs(hashtext(d.id::text || ':' || %(sel)s::text)) %% 10000 < %(part)s
    ON CONFLICT DO NOTHING
    RETURNING id, demande_id, date_pose
)
INSERT INTO demandes_evenement (demande_id, type, date, precisions, details, etat_avant, etat_apres,
                                auteur_id, organisme_id, auteur_libelle)
SELECT p.demande_id, %(type_label)s, p.date_pose::timestamptz + interval '9 hours', %(libelle)s,
       jsonb_build_object('action', 'pose', 'label', %(code)s::text, 'label_id', p.id), '', '', NULL, NULL,
       %(intervenant)s
FROM poses p
"""

PRECISIONS = {
    Type.REFUS_POSITIONNEMENT: "Refus d'être positionné en CAL après un contact",
}


def historique_demo() -> int:
    """Écrit une fois les événements et labels d'instruction de démonstration ; rend le nombre de lignes écrites."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM demandes_evenement WHERE auteur_libelle = %s LIMIT 1", [INTERVENANT])
        if cur.fetchone():
            return 0
    ecrits = 0
    with transaction.atomic(), connection.cursor() as cur:
        for sel, (type_, part, n) in enumerate(EVENEMENTS, start=1):  # sels inchangés depuis la session 10
            cur.execute(
                _SQL_EVENEMENTS,
                {
                    "type": type_.value,
                    "part": part,
                    "n": n,
                    "sel": 101 + sel,
                    "precisions": PRECISIONS[type_],
                    "intervenant": INTERVENANT,
                    "active": Demande.Etat.ACTIVE.value,
                },
            )
            ecrits += cur.rowcount
        for code, part, sel in LABELS:
            cur.execute("SELECT libelle FROM demandes_typelabel WHERE code = %s", [code])
            ligne = cur.fetchone()
            if ligne is None:
                continue
            cur.execute(
                _SQL_LABELS,
                {
                    "code": code,
                    "part": part,
                    "sel": sel,
                    "libelle": ligne[0],
                    "intervenant": INTERVENANT,
                    "active": Demande.Etat.ACTIVE.value,
                    "type_label": Type.LABEL.value,
                },
            )
            ecrits += cur.rowcount
    return ecrits
