"""Accord de ``doublons/detection_sql.py`` avec l'ORM et Python, sur le même petit fichier.

* blocage à la saisie : les clés lues en SQL sont celles qu'une requête ORM
  équivalente lit (dates, couples phonétiques dans les deux sens, demande exclue) ;
* nuit : les paires candidates d'un lot sont celles qu'on calcule en Python
  depuis les clés relues par l'ORM (même date et un nom ou prénom commun, en
  clair ou en phonétique, ou un nom de naissance ; aussi aux jour et mois
  inversés, ``services.date_inversee`` ; dates proches par ``services.dates_proches``),
  et l'insertion écrit exactement les suspicions données, une seule fois ;
* le lot suivant est celui que l'ORM ordonne.
"""

import datetime
from collections import namedtuple

import pytest
from django.db.models import Q

from demandes.dossier.normalisation import cle_phonetique
from demandes.dossier.saisie import mettre_a_jour_cles
from demandes.doublons import services as doublons
from demandes.doublons.services import detection_sql
from demandes.models import CleIdentite, Demande, Personne, SuspicionDoublon
from tests.monde.factories import DemandeFactory

D = datetime.date
Cle = namedtuple("Cle", "demande_id role nom prenom np pp dn nn sx")


def _demande(nom, prenom, naissance, *, codemandeur=None, nom_naissance="", **champs):
    demande = DemandeFactory(
        nom=nom, prenom=prenom, date_naissance=naissance, menage__nom_naissance=nom_naissance, **champs
    )
    if codemandeur:
        Personne.objects.create(
            demande=demande,
            role="codemandeur",
            nom=codemandeur[0],
            prenom=codemandeur[1],
            date_naissance=codemandeur[2],
            rang=1,
        )
        mettre_a_jour_cles(demande, demande.personnes.all())
    return demande


@pytest.fixture
def fichier(db):
    """Homonymes, fautes, noms inversés, dates à un chiffre près ou jour et mois inversés, co-demandeurs,
    un brouillon (jamais candidat) et du bruit né le même jour."""
    return [
        _demande("Lefebvre", "Hélène", D(1985, 4, 12)),
        _demande("Lefebre", "Helene", D(1985, 4, 12)),
        _demande("Hélène", "Lefebvre", D(1985, 4, 12)),
        _demande("Lefebvre", "Hélène", D(1985, 4, 13)),  # un chiffre de la date
        _demande("Lefebvre", "Hélène", D(1985, 12, 4)),  # jour et mois inversés
        _demande("Bernard", "Louis", D(1985, 4, 12)),  # même date, autre personne
        _demande("Durand", "Paul", D(1980, 2, 3), codemandeur=("Nguyen", "Linh", D(1985, 4, 12))),
        _demande("Nguyen", "Linh", D(1985, 4, 12)),
        _demande("Perrin", "Marc", D(1985, 4, 12), etat=Demande.Etat.BROUILLON, numero_unique=None),
        _demande("Morel", "Anne", D(1990, 7, 1)),
        _demande("Dupont", "Marie", D(1985, 4, 12), nom_naissance="Martin"),  # nom d'usage
        _demande("Martin", "Marion", D(1985, 4, 12)),  # son nom de naissance, seul en commun
        _demande("Bernard", "Lucie", D(1985, 12, 4)),  # jour et mois inversés, seul le nom en commun
    ]


def _cles_actives() -> list[Cle]:
    return [
        Cle(*c)
        for c in CleIdentite.objects.filter(demande__etat=Demande.Etat.ACTIVE).values_list(
            "demande_id",
            "role",
            "nom",
            "prenom",
            "nom_phonetique",
            "prenom_phonetique",
            "date_naissance",
            "nom_naissance",
            "sexe",
        )
    ]


def _paires_python(debut: int, fin: int, *, dates_proches: bool) -> list[tuple]:
    cles = _cles_actives()
    paires = []
    for a in (c for c in cles if debut < c.demande_id <= fin):
        for b in (c for c in cles if c.demande_id > a.demande_id):
            commun = (
                {b.nom, b.prenom} & {a.nom, a.prenom}
                or {b.np, b.pp} & {a.np, a.pp}
                or b.nom == a.nn
                or b.nn == a.nom
                or (a.nn and b.nn == a.nn)
            )
            meme_date = commun and b.dn in (a.dn, doublons.date_inversee(a.dn))
            proche = (
                dates_proches
                and a.np
                and a.pp
                and b.dn != a.dn
                and ((b.np, b.pp) in ((a.np, a.pp), (a.pp, a.np)))
                and doublons.dates_proches(a.dn, b.dn)
            )
            if meme_date or proche:
                paires.append(
                    (a.demande_id, b.demande_id, a.role, a.nom, a.prenom, a.dn, a.nn, a.sx)
                    + (b.role, b.nom, b.prenom, b.dn, b.nn, b.sx)
                )
    return sorted(paires)


@pytest.mark.parametrize("dates_proches", [False, True])
@pytest.mark.parametrize("taille_lot", [3, 100])
def test_les_paires_d_un_lot_sont_celles_calculees_en_python(fichier, dates_proches, taille_lot):
    apres, lots = 0, 0
    while (fin := detection_sql.fin_du_lot(apres, taille_lot)) is not None:
        sql = sorted(detection_sql.paires_du_lot(apres, fin, dates_proches=dates_proches))
        assert sql == _paires_python(apres, fin, dates_proches=dates_proches)
        apres, lots = fin, lots + 1
    assert lots == -(-Demande.objects.filter(etat="active").count() // taille_lot)
    if taille_lot == 100:  # un seul lot : toutes les paires du fichier
        # Les trois « Lefebvre » nés le même jour (3 paires), le co-demandeur Nguyen (1), la « Lefebvre » aux
        # jour et mois inversés avec les trois (3), « Dupont » née « Martin » et « Martin » (1), les « Bernard »
        # aux jour et mois inversés (1) ; avec les dates proches, la « Lefebvre » née un jour plus tard,
        # rapprochée des deux qui ont les mêmes clés (2).
        assert len(sql) == (11 if dates_proches else 9)


def test_le_lot_suivant_est_celui_que_l_orm_ordonne(fichier):
    actives = list(Demande.objects.filter(etat="active").order_by("id").values_list("id", flat=True))
    assert detection_sql.fin_du_lot(0, 3) == actives[2]
    assert detection_sql.fin_du_lot(actives[2], 100) == actives[-1]
    assert detection_sql.fin_du_lot(actives[-1], 3) is None


def test_l_insertion_ecrit_les_suspicions_une_seule_fois(fichier):
    a, b, c = sorted(d.pk for d in fichier[:3])
    assert detection_sql.inserer_suspicions_nuit([a, a], [b, c], [90, 86], ["x", "y"]) == 2
    assert detection_sql.inserer_suspicions_nuit([a, b], [b, c], [99, 87], ["z", "w"]) == 1
    assert sorted(SuspicionDoublon.objects.values_list("demande_a", "demande_b", "score", "source", "statut")) == [
        (a, b, 90, "nuit", "a_traiter"),
        (a, c, 86, "nuit", "a_traiter"),
        (b, c, 87, "nuit", "a_traiter"),
    ]


@pytest.mark.parametrize("avec_phonetiques", [False, True])
def test_le_blocage_lit_les_cles_qu_une_requete_orm_lirait(fichier, avec_phonetiques):
    dates = {D(1985, 4, 12), D(1980, 2, 3)}
    phonetiques = [(cle_phonetique("LEFEBVRE"), cle_phonetique("HELENE"))] if avec_phonetiques else []
    exclue = fichier[0].pk

    sql = detection_sql.lignes_de_blocage(dates=dates, phonetiques=phonetiques, exclure_demande=exclue)

    condition = Q(date_naissance__in=dates)
    for nom, prenom in phonetiques:
        condition |= Q(nom_phonetique=nom, prenom_phonetique=prenom) | Q(nom_phonetique=prenom, prenom_phonetique=nom)
    orm = CleIdentite.objects.filter(condition).exclude(demande_id=exclue)
    assert sorted(sql) == sorted(
        orm.values_list("demande_id", "role", "nom", "prenom", "date_naissance", "nom_naissance", "sexe")
    )
    assert len(sql) >= 7
    assert all(ligne[0] != exclue for ligne in sql)
