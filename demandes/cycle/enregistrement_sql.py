"""SQL de l'enregistrement d'une demande neuve : dossier en une instruction, référence et événement en une autre.

Deux chemins rapides de ``cycle.services.enregistrer_demande`` (débit de
8 guichets sur 2 cœurs, docs/benchmarks.md) :

* ``inserer_dossier_neuf`` : la demande et tout son ménage (personnes,
  ressources, localisations, clés d'identité) par une CTE d'insertions, les
  valeurs préparées champ par champ comme l'ORM ; son jumeau ORM est
  ``dossier.saisie.ecrire_menage`` (brouillon enregistré) ;
* ``poser_reference_et_historiser`` : le compteur des références (``INSERT …
  ON CONFLICT``), la référence et l'événement d'enregistrement en une
  instruction, la dernière avant le commit.

Test d'accord : ``tests/demandes/cycle/test_enregistrement_sql.py`` (mêmes
lignes par ce chemin que par l'ORM, compteur relu par l'ORM).
"""

from __future__ import annotations

import json
from datetime import date

from django.db import connection
from django.utils import timezone

from demandes.dossier.models import CleIdentite, Demande, LocalisationSouhaitee, Personne, Ressource
from demandes.dossier.saisie import Dossier, cles_identite
from fdls.socle.workflow import Auteur, Transition

Etat = Demande.Etat


_GABARITS: dict[tuple, tuple[list, str]] = {}


def _gabarit(modele, *exclues: str) -> tuple[list, str]:
    """Champs écrits d'un modèle (sans clé primaire ni colonnes ``exclues``, posées par la requête) et
    le gabarit d'une ligne ``(%s::type, …)`` pour ``VALUES`` ; calculés une fois par processus."""
    cle = (modele, exclues)
    if cle not in _GABARITS:
        champs = [f for f in modele._meta.concrete_fields if not f.primary_key and f.attname not in exclues]
        ligne = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in champs) + ")"
        _GABARITS[cle] = (champs, ligne)
    return _GABARITS[cle]


def _valeurs(objet, champs, parametres: list) -> None:
    """Valeurs d'une ligne préparées comme l'ORM le ferait (``pre_save`` : dates automatiques ;
    ``get_db_prep_save`` : JSON, tableaux, décimaux)."""
    for f in champs:
        parametres.append(f.get_db_prep_save(f.pre_save(objet, True), connection))


def inserer_dossier_neuf(dossier: Dossier, *, date_anciennete_nouvelles: date) -> None:
    """Demande neuve et tout son ménage en une seule instruction (CTE d'insertions).

    L'enregistrement est borné par le processeur (8 guichets sur 2 cœurs) : une instruction au
    lieu de cinq (demande, personnes, ressources, localisations, clés d'identité), sans passer par
    le compilateur de requêtes de l'ORM pour chacune. Les valeurs sont préparées champ par champ
    comme l'ORM le fait ; les identifiants rendus sont posés sur les objets du dossier.
    """
    d = dossier.demande
    personnes = []
    for rang, saisie in enumerate(dossier.personnes):
        saisie.personne.rang = rang
        personnes.append(saisie.personne)
    for rang, loc in enumerate(dossier.localisations, start=1):
        loc.rang = rang
        loc.date_anciennete = loc.date_anciennete or date_anciennete_nouvelles
    cles = cles_identite(d, personnes)
    parametres: list = []
    champs_d, ligne_d = _gabarit(Demande)
    _valeurs(d, champs_d, parametres)
    morceaux = [
        f"WITH d AS (INSERT INTO demandes_demande ({', '.join(f.column for f in champs_d)}) "
        f"VALUES {ligne_d} RETURNING id)"
    ]

    def enfants(alias: str, modele, objets, retour: str) -> None:
        champs, ligne = _gabarit(modele, "demande_id")
        for o in objets:
            _valeurs(o, champs, parametres)
        colonnes = ", ".join(f.column for f in champs)
        morceaux.append(
            f"{alias} AS (INSERT INTO {modele._meta.db_table} (demande_id, {colonnes}) "
            f"SELECT d.id, v.* FROM d, (VALUES {', '.join([ligne] * len(objets))}) v RETURNING {retour})"
        )

    enfants("p", Personne, personnes, "id, rang")
    ressources = [
        (saisie.personne.rang, r) for saisie in dossier.personnes for r in saisie.ressources if r.montant is not None
    ]
    if ressources:
        champs_r, ligne_r = _gabarit(Ressource, "personne_id")
        lignes = []
        for rang, r in ressources:
            parametres.append(rang)  # la personne, retrouvée par son rang dans le ménage
            _valeurs(r, champs_r, parametres)
            lignes.append("(%s::smallint, " + ligne_r[1:])
        alias = [f"c{i}" for i in range(len(champs_r))]
        morceaux.append(
            f"r AS (INSERT INTO demandes_ressource (personne_id, {', '.join(f.column for f in champs_r)}) "
            f"SELECT p.id, {', '.join('v.' + a for a in alias)} FROM p JOIN (VALUES {', '.join(lignes)}) "
            f"v(rang, {', '.join(alias)}) ON v.rang = p.rang RETURNING id, personne_id, type)"
        )
    if dossier.localisations:
        enfants("l", LocalisationSouhaitee, dossier.localisations, "id, rang")
    if cles:
        enfants("c", CleIdentite, cles, "0")
    morceaux.append(
        "SELECT 'd', id, 0, '' FROM d UNION ALL SELECT 'p', id, rang, '' FROM p"
        + (" UNION ALL SELECT 'l', id, rang, '' FROM l" if dossier.localisations else "")
        + (" UNION ALL SELECT 'r', r.id, p.rang, r.type FROM r JOIN p ON p.id = r.personne_id" if ressources else "")
    )
    sql = ", ".join(morceaux[:-1]) + " " + morceaux[-1]
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        rendus = curseur.fetchall()
    par_rang: dict[str, dict] = {"p": {}, "l": {}, "r": {}}
    for alias, pk, rang, type_ in rendus:
        if alias == "d":
            d.pk = pk
        elif alias == "r":
            par_rang["r"][(rang, type_)] = pk
        else:
            par_rang[alias][rang] = pk
    d._state.adding, d._state.db = False, "default"
    for p in personnes:
        p.pk, p.demande = par_rang["p"][p.rang], d
        p._state.adding, p._state.db = False, "default"
    for rang, r in ressources:
        r.pk, r.personne = par_rang["r"][(rang, r.type)], personnes[rang]
        r._state.adding, r._state.db = False, "default"
    for loc in dossier.localisations:
        loc.pk, loc.demande = par_rang["l"][loc.rang], d
        loc._state.adding, loc._state.db = False, "default"


_SQL_REFERENCE_ET_ENREGISTREMENT = """
WITH compteur AS (
    INSERT INTO demandes_compteurreference (periode, dernier) VALUES (%(periode)s, 1)
    ON CONFLICT (periode) DO UPDATE SET dernier = demandes_compteurreference.dernier + 1
    RETURNING dernier
), demande AS (
    UPDATE demandes_demande
       SET reference = %(periode)s || lpad(compteur.dernier::text, greatest(4, length(compteur.dernier::text)), '0'),
           updated_at = %(maintenant)s
      FROM compteur
     WHERE id = %(demande)s
 RETURNING reference
)
INSERT INTO demandes_evenement
    (demande_id, type, date, precisions, details, etat_avant, etat_apres, auteur_id, organisme_id, auteur_libelle)
SELECT %(demande)s, %(type)s, %(date)s, %(precisions)s,
       %(details)s::jsonb || jsonb_build_object('reference', demande.reference),
       %(avant)s, %(apres)s, %(auteur)s, %(organisme)s, %(libelle)s
  FROM demande
RETURNING details->>'reference'
"""


def poser_reference_et_historiser(d: Demande, transition: Transition, auteur: Auteur, *, depot: date, le) -> None:
    """Référence interne et événement d'enregistrement en une instruction, la dernière avant le commit.

    Le compteur des références est commun à tout le fichier (un par mois) : son
    verrou de ligne n'est tenu que le temps de cette instruction et du commit,
    sans aller-retour Python entre les deux (8 guichets en parallèle sur 2
    cœurs : un processus qui tiendrait le verrou en attendant le processeur
    arrêterait tous les autres). Référence : ``AAAAMM`` + séquence du mois sur 4 chiffres au moins.
    """
    with connection.cursor() as curseur:
        curseur.execute(
            _SQL_REFERENCE_ET_ENREGISTREMENT,
            {
                "periode": f"{depot.year:04d}{depot.month:02d}",
                "maintenant": timezone.now(),
                "demande": d.pk,
                "type": transition.evenement,
                "date": le,
                "precisions": f"Numéro unique {d.numero_unique_affiche} – guichet {d.guichet.nom}"[:2000],
                "details": json.dumps({"numero_unique": d.numero_unique, "guichet": d.guichet.code}),
                "avant": Etat.BROUILLON,
                "apres": d.etat,
                "auteur": auteur.user.pk if getattr(auteur.user, "pk", None) else None,
                "organisme": auteur.organisme.pk if auteur.organisme is not None else None,
                "libelle": auteur.libelle[:150],
            },
        )
        d.reference = curseur.fetchone()[0]
