"""Doublons qu'un agent de guichet reconnaît (issue 17) : jour et mois inversés, nom d'usage et nom de
naissance, translittérations ; sans fausse alerte de plus sur les jumeaux de sexes différents ni sur un
parent et son enfant du même nom ; blocage complet à la saisie ; seuil bas accepté.

Chaque situation est cherchée à l'enregistrement (``candidats``) et la nuit (``detecter_doublons_fichier``),
et le motif montré à l'agent dit pourquoi.
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string

from demandes.doublons import services as doublons
from demandes.models import CleIdentite, Personne, SuspicionDoublon
from tests.monde.dossiers import NAISSANCE
from tests.monde.factories import DemandeFactory

D = datetime.date


def _demande(territoire_reze, nom, prenom, naissance=NAISSANCE, **identite):
    return DemandeFactory(
        nom=nom,
        prenom=prenom,
        date_naissance=naissance,
        guichet=territoire_reze.guichet,
        communes=[territoire_reze.reze],
        **{f"menage__{cle}": valeur for cle, valeur in identite.items()},
    )


def _personnes(nom, prenom, naissance=NAISSANCE, **identite):
    return [Personne(role="demandeur", nom=nom, prenom=prenom, date_naissance=naissance, **identite)]


def _suspicions() -> dict[tuple[int, int], SuspicionDoublon]:
    return {(s.demande_a_id, s.demande_b_id): s for s in SuspicionDoublon.objects.all()}


def _paire(a, b) -> tuple[int, int]:
    return tuple(sorted((a.pk, b.pk)))


# ---------------------------------------------------------------- jour et mois inversés


def test_jour_et_mois_inverses_sont_signales_avec_une_penalite_plus_legere_qu_un_chiffre(territoire_reze):
    originale = _demande(territoire_reze, "Martin", "Claire", D(1985, 4, 7))

    (trouve,) = doublons.candidats(_personnes("Martin", "Claire", D(1985, 7, 4)))

    assert trouve.demande_id == originale.pk
    assert trouve.score == 100 - doublons.PENALITE_DATE_INVERSEE >= doublons.SEUIL
    assert "jour et mois inversés dans la date de naissance" in trouve.motif
    # Un chiffre faux (07/04 → 08/04) pèse plus lourd : sous le seuil par défaut, montré à 80.
    assert doublons.candidats(_personnes("Martin", "Claire", D(1985, 4, 8))) == []
    (proche,) = doublons.candidats(_personnes("Martin", "Claire", D(1985, 4, 8)), seuil=80)
    assert proche.score < trouve.score


def test_jour_et_mois_inverses_sont_trouves_la_nuit(territoire_reze):
    originale = _demande(territoire_reze, "Martin", "Claire", D(1985, 4, 7))
    inversee = _demande(territoire_reze, "Martin", "Claire", D(1985, 7, 4))
    _demande(territoire_reze, "Bernard", "Louis", D(1985, 7, 4))  # né le jour inversé, autre personne

    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 1
    suspicion = _suspicions()[_paire(originale, inversee)]
    assert "jour et mois inversés" in suspicion.motif


# ---------------------------------------------------------------- nom d'usage et nom de naissance


@pytest.mark.parametrize("enregistree_sous", ["usage", "naissance"])
def test_femme_mariee_sous_son_nom_d_usage_puis_de_naissance(territoire_reze, enregistree_sous):
    mariee = {"nom": "Dupont", "prenom": "Marie", "nom_naissance": "Martin", "sexe": "F"}
    jeune_fille = {"nom": "Martin", "prenom": "Marie", "sexe": "F"}
    premiere, seconde = (mariee, jeune_fille) if enregistree_sous == "usage" else (jeune_fille, mariee)
    originale = _demande(territoire_reze, **premiere)
    _demande(territoire_reze, "Dupont", "Marie", D(1990, 1, 1), sexe="F")  # homonyme d'usage née un autre jour

    (trouve,) = doublons.candidats(_personnes(**seconde))

    assert trouve.demande_id == originale.pk
    assert trouve.score >= doublons.SEUIL
    assert "le nom de naissance de l'une est le nom de l'autre" in trouve.motif


def test_femme_mariee_sous_ses_deux_noms_est_trouvee_la_nuit(territoire_reze):
    usage = _demande(territoire_reze, "Dupont", "Marie", nom_naissance="Martin", sexe="F")
    naissance = _demande(territoire_reze, "Martin", "Marie", sexe="F")
    _demande(territoire_reze, "Durand", "Marie", sexe="F")  # même prénom, même jour, autre personne

    doublons.detecter_doublons_fichier()

    assert set(_suspicions()) == {_paire(usage, naissance)}
    assert "nom de naissance" in _suspicions()[_paire(usage, naissance)].motif


def test_la_cle_d_identite_garde_le_nom_de_naissance_et_le_sexe(territoire_reze):
    d = _demande(territoire_reze, "Dupont", "Marie", nom_naissance="Martin-Leroy", civilite="MME")
    assert list(CleIdentite.objects.filter(demande=d).values_list("nom_naissance", "sexe")) == [("MARTIN LEROY", "F")]


# ---------------------------------------------------------------- translittérations


TRANSLITTERATIONS = [
    (("Benali", "Mohamed"), ("Benali", "Muhammad"), "autre translittération (MUHAMMAD / MOHAMED)"),
    (("Haddad", "Youssef"), ("Haddad", "Yusuf"), "autre translittération (YUSUF / YOUSSEF)"),
    (("Shevchenko", "Dmytro"), ("Chevtchenko", "Dmitri"), "de même prononciation (CHEVTCHENKO / SHEVCHENKO)"),
    (("Kovalenko", "Oleksandr"), ("Kovalenko", "Aleksandr"), "autre translittération (ALEKSANDR / OLEKSANDR)"),
]


@pytest.mark.parametrize(("premiere", "seconde", "motif"), TRANSLITTERATIONS)
def test_les_translitterations_sont_trouvees_a_la_saisie(territoire_reze, premiere, seconde, motif):
    """Le motif cite la forme saisie puis celle de la demande trouvée."""
    originale = _demande(territoire_reze, *premiere)
    _demande(territoire_reze, premiere[0], "Paul")  # même nom, même jour : un frère

    (trouve,) = doublons.candidats(_personnes(*seconde))

    assert trouve.demande_id == originale.pk
    assert trouve.score >= doublons.SEUIL
    assert motif in trouve.motif


def test_les_translitterations_sont_trouvees_la_nuit(territoire_reze):
    attendues = set()
    for premiere, seconde, _motif in TRANSLITTERATIONS:
        attendues.add(_paire(_demande(territoire_reze, *premiere), _demande(territoire_reze, *seconde)))

    doublons.detecter_doublons_fichier()

    assert set(_suspicions()) == attendues


def test_le_motif_est_montre_a_l_agent(territoire_reze):
    _demande(territoire_reze, "Benali", "Mohamed")
    candidats = doublons.candidats_affichables(_personnes("Benali", "Muhammad"), territoire_reze.agent)

    html = render_to_string("demandes/doublons/_candidats.html", {"candidats": candidats})

    assert "autre translittération (MUHAMMAD / MOHAMED)" in html


# ---------------------------------------------------------------- sans fausse alerte de plus


@pytest.mark.parametrize(("fille", "garcon"), [("Julie", "Julien"), ("Louise", "Louis"), ("Christiane", "Christian")])
def test_des_jumeaux_de_sexes_differents_ne_sont_pas_signales(territoire_reze, fille, garcon):
    soeur = _demande(territoire_reze, "Petit", fille, sexe="F")
    assert doublons.candidats(_personnes("Petit", garcon, sexe="M")) == []
    frere = _demande(territoire_reze, "Petit", garcon, civilite="M")
    assert doublons.candidats(soeur.personnes.all(), exclure_demande=soeur.pk) == []
    assert doublons.candidats(frere.personnes.all(), exclure_demande=frere.pk) == []
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0
    # Le même prénom avec un autre sexe est une erreur de saisie : toujours signalé.
    trouve = doublons.candidats(_personnes("Petit", fille, sexe="M"))[0]
    assert (trouve.demande_id, trouve.score) == (soeur.pk, 100)
    assert "sexes différents" not in trouve.motif


def test_un_parent_et_son_enfant_du_meme_nom_ne_sont_pas_signales(territoire_reze):
    pere = _demande(territoire_reze, "Dupont", "Jean", D(1962, 5, 10))

    # Un chiffre de l'année les sépare, mais trente ans : pas une faute de saisie, même au seuil abaissé.
    assert doublons.candidats(_personnes("Dupont", "Jean", D(1992, 5, 10)), seuil=80) == []
    fils = _demande(territoire_reze, "Dupont", "Jean", D(1992, 5, 10))
    assert doublons.candidats(pere.personnes.all(), exclure_demande=pere.pk, seuil=80) == []
    assert doublons.candidats(fils.personnes.all(), exclure_demande=fils.pk, seuil=80) == []
    assert doublons.detecter_doublons_fichier(seuil=80)["suspicions_creees"] == 0


# ---------------------------------------------------------------- blocage complet, seuil bas


def test_le_blocage_a_la_saisie_lit_toutes_les_cles_d_une_date_tres_partagee(territoire_reze):
    # 2 500 personnes nées le même jour (le 1er janvier des dates de naissance inconnues), puis le doublon.
    foule = _demande(territoire_reze, "Foule", "Anonyme")
    CleIdentite.objects.bulk_create(
        CleIdentite(
            demande=foule,
            role="codemandeur",
            nom=f"NOM{i}",
            prenom="PRENOM",
            nom_phonetique="",
            prenom_phonetique="",
            date_naissance=NAISSANCE,
        )
        for i in range(2500)
    )
    originale = _demande(territoire_reze, "Lefebvre", "Hélène")

    assert [c.demande_id for c in doublons.candidats(_personnes("Lefebvre", "Helene"))] == [originale.pk]


@pytest.mark.parametrize("seuil", [0, 20, 34])
def test_un_seuil_bas_rend_des_candidats_sans_erreur(territoire_reze, seuil):
    originale = _demande(territoire_reze, "Lefebvre", "Hélène")
    autre = _demande(territoire_reze, "Bernard", "Louis")

    trouves = doublons.candidats(_personnes("Lefebvre", "Hélène"), seuil=seuil)

    assert trouves[0].demande_id == originale.pk
    assert all(c.score >= seuil for c in trouves)
    if seuil == 0:  # tout le monde atteint 0 : la personne née le même jour aussi
        assert autre.pk in {c.demande_id for c in trouves}


def test_la_migration_complete_les_cles_deja_enregistrees(territoire_reze):
    """Les demandes enregistrées avant la session 8 : la migration 0023 remplit nom de naissance et sexe."""
    migration = importlib.import_module("demandes.migrations.0023_cles_identite_nom_naissance_sexe")
    mariee = _demande(territoire_reze, "Dupont", "Marie", nom_naissance="Martin", civilite="MME")
    homme = _demande(territoire_reze, "Petit", "Louis", sexe="M")
    inconnu = _demande(territoire_reze, "Morel", "Claude")
    CleIdentite.objects.update(nom_naissance="", sexe="")

    migration.completer_cles(None, SimpleNamespace(connection=connection))

    assert dict(CleIdentite.objects.values_list("demande_id", "nom_naissance")) == {
        mariee.pk: "MARTIN",
        homme.pk: "",
        inconnu.pk: "",
    }
    assert dict(CleIdentite.objects.values_list("demande_id", "sexe")) == {
        mariee.pk: "F",
        homme.pk: "M",
        inconnu.pk: "",
    }
    (trouve,) = doublons.candidats(_personnes("Martin", "Marie", sexe="F"))
    assert trouve.demande_id == mariee.pk
