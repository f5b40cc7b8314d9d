"""Les décotes de l'annexe 1 du plan de Nantes Métropole (seed 001) après la séparation des refus (issue 18).

« Vous avez refusé d'être positionné en CAL suite à un contact » : de 1 à 3 refus −5 pendant 12 mois, de 3 à 5
−10 pendant 18 mois, plus de 5 −15 pendant 24 mois. « Vous avez refusé un logement qui vous a été attribué en
CAL » : de 2 à 3 refus −15 pendant 24 mois, plus de 3 −20 pendant 24 mois ; le premier refus ne coûte rien.
Le refus d'une proposition faite avant toute décision de CAL (« refus_proposition ») n'a pas de décote.
Chaque cas est coté par le moteur Python et par le SQL compilé, qui doivent s'accorder ; la migration
``demandes.0029`` retype les anciens « refus_proposition » d'après leur contexte, et ``cotation.0007`` fait
recoter les demandes concernées.
"""

from __future__ import annotations

import datetime
import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.db import DatabaseError, transaction
from django.utils import timezone

from cotation.calcul import services
from cotation.models import ResultatCotation
from demandes.models import Evenement
from fdls.socle.dates import ajouter_mois
from tests.cotation.calcul.test_sql import evenement, lignes_de, verifier_accord
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes

Type = Evenement.Type
DEPOT = date(2020, 1, 15)
DERNIER = date(2025, 3, 31)  # jour du dernier refus de chaque demande

retypage = importlib.import_module("demandes.migrations.0029_refus_separes_par_contexte")
marquage = importlib.import_module("cotation.migrations.0007_recoter_apres_separation_des_refus")

# (type, nombre de refus) → (critère, points, durée en mois) de l'annexe 1 ; None : pas de décote
ANNEXE_1 = {
    (Type.REFUS_POSITIONNEMENT, 1): ("refus-positionnement", -5, 12),
    (Type.REFUS_POSITIONNEMENT, 2): ("refus-positionnement", -5, 12),
    (Type.REFUS_POSITIONNEMENT, 3): ("refus-positionnement", -5, 12),
    (Type.REFUS_POSITIONNEMENT, 4): ("refus-positionnement", -10, 18),
    (Type.REFUS_ATTRIBUTION, 1): None,
    (Type.REFUS_ATTRIBUTION, 2): ("refus-attribution", -15, 24),
    (Type.REFUS_ATTRIBUTION, 3): ("refus-attribution", -15, 24),
    (Type.REFUS_ATTRIBUTION, 4): ("refus-attribution", -20, 24),
    (Type.REFUS_PROPOSITION, 1): None,
    (Type.REFUS_PROPOSITION, 4): None,
}
CRITERES_REFUS = {"refus-positionnement", "refus-attribution"}


@pytest.fixture
def m():
    return territoire_nantes(grille=True)


def jours_de_refus(n: int) -> list[date]:
    """``n`` refus espacés de 40 jours, le dernier le ``DERNIER`` : tous dans la période de 24 mois."""
    return [DERNIER - timedelta(days=40 * k) for k in reversed(range(n))]


def decotes(resultats, demande) -> dict[str, int]:
    return {c: lg["points"] for c, lg in lignes_de(resultats, demande).items() if c in CRITERES_REFUS}


def test_chaque_nombre_de_refus_de_chaque_sorte_donne_le_palier_de_l_annexe_1_et_sa_duree(m):
    demandes = {}
    for (type_, n), attendu in ANNEXE_1.items():
        d = enregistrer(m, date_depot=DEPOT)
        for jour in jours_de_refus(n):
            evenement(d, type_, jour)
        demandes[d.pk] = (d, type_, n, attendu)

    # Le jour du dernier refus, et la veille de la fin de chaque durée : la décote ; le lendemain : l'oubli.
    echeances = sorted({ajouter_mois(DERNIER, mois) for mois in (12, 18, 24)})
    dates = [DERNIER, *[fin - timedelta(days=1) for fin in echeances], *echeances]
    for le in dates:
        resultats = verifier_accord(le)  # moteur Python et SQL compilé : mêmes résultats
        for d, type_, n, attendu in demandes.values():
            obtenu = decotes(resultats, d)
            if attendu is None:
                assert obtenu == {}, (type_, n, le)
                continue
            critere, points, mois = attendu
            fin = ajouter_mois(DERNIER, mois)
            if le < fin:
                assert obtenu == {critere: points}, (type_, n, le)
                ligne = lignes_de(resultats, d)[critere]
                assert ligne["jusqu_au"] == (fin - timedelta(days=1)).isoformat()
                assert ligne["raison"].startswith(f"{n} refus"), ligne["raison"]
            else:
                assert obtenu == {}, (type_, n, le)


def test_les_deux_decotes_se_cumulent_et_un_refus_de_proposition_n_y_ajoute_rien(m):
    d = enregistrer(m, date_depot=DEPOT)
    for jour in jours_de_refus(4):
        evenement(d, Type.REFUS_POSITIONNEMENT, jour)
    for jour in jours_de_refus(2):
        evenement(d, Type.REFUS_ATTRIBUTION, jour)
    for jour in jours_de_refus(3):
        evenement(d, Type.REFUS_PROPOSITION, jour)
    resultats = verifier_accord(DERNIER)
    assert decotes(resultats, d) == {"refus-positionnement": -10, "refus-attribution": -15}


def test_un_refus_de_positionnement_ecrit_par_le_service_recote_aussitot(m):
    d = enregistrer(m)
    avant = ResultatCotation.objects.get(demande=d).total
    evenement(d, Type.REFUS_POSITIONNEMENT, timezone.now())
    apres = ResultatCotation.objects.get(demande=d)
    assert apres.total == avant - 5
    assert {lg["critere"] for lg in apres.lignes} & CRITERES_REFUS == {"refus-positionnement"}


# ---------------------------------------------------------------- la migration des événements existants


def criteres(demande) -> dict[str, int]:
    r = ResultatCotation.objects.get(demande=demande)
    return {lg["critere"]: lg["points"] for lg in r.lignes if lg["critere"] in CRITERES_REFUS}


def _ancien_refus(demande, jour: date, *, precisions: str = "", **details) -> Evenement:
    """Un « refus_proposition » tel que l'écrivaient la démonstration et le générateur avant la séparation."""
    moment = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10)))
    return Evenement.objects.create(
        demande=demande,
        type=Type.REFUS_PROPOSITION,
        date=moment,
        precisions=precisions,
        details=details,
        auteur_libelle="Démonstration (instruction)",
    )


def test_la_migration_retype_les_refus_par_leur_contexte_et_fait_recoter_les_demandes(m):
    jour = timezone.localdate() - timedelta(days=30)
    contact = enregistrer(m, date_depot=DEPOT)  # générateur : refus avant la CAL
    attribue = enregistrer(m, date_depot=DEPOT)  # générateur : refus du logement attribué en CAL
    demo = enregistrer(m, date_depot=DEPOT)  # démonstration de la cotation (precisions seulement)
    sans_contexte = enregistrer(m, date_depot=DEPOT)
    temoin = enregistrer(m, date_depot=DEPOT)  # un refus d'attribution déjà bien typé
    evts = {
        "contact": _ancien_refus(contact, jour, etape="avant_cal", bien="B1", motif="Localisation"),
        "attribue_1": _ancien_refus(attribue, jour - timedelta(days=60), etape="apres_attribution", bien="B2"),
        "attribue_2": _ancien_refus(attribue, jour, etape="apres_attribution", bien="B3", motif="Taille"),
        "demo": _ancien_refus(demo, jour, precisions=retypage.CONTACT),
        "sans_contexte": _ancien_refus(sans_contexte, jour, precisions="Taille du logement", motif="taille"),
    }
    evenement(temoin, Type.REFUS_ATTRIBUTION, jour)
    avant = {k: Evenement.objects.filter(pk=e.pk).values().get() for k, e in evts.items()}

    # Avant la migration, un « refus_proposition » ne décote plus : les points de ces demandes sont faux.
    services.recalculer_fichier_python()
    assert criteres(contact) == criteres(attribue) == criteres(demo) == {}
    ResultatCotation.objects.update(prochaine_echeance=None)  # rien d'échu : seul le marquage fera recoter

    assert retypage.retyper(django_apps, None) == 4

    types = {k: Evenement.objects.get(pk=e.pk).type for k, e in evts.items()}
    assert types == {
        "contact": "refus_positionnement",
        "attribue_1": "refus_attribution",
        "attribue_2": "refus_attribution",
        "demo": "refus_positionnement",
        "sans_contexte": "refus_proposition",
    }
    # Seul le type a changé : date, auteur, précisions et contexte restent.
    for k, e in evts.items():
        apres = Evenement.objects.filter(pk=e.pk).values().get()
        assert {c: v for c, v in apres.items() if c != "type"} == {c: v for c, v in avant[k].items() if c != "type"}
    # L'historique reste immuable après la migration.
    with pytest.raises(DatabaseError), transaction.atomic():
        Evenement.objects.filter(pk=evts["contact"].pk).update(type="refus_attribution")

    # Les demandes qui ont un refus sont marquées à recoter ; le calcul de nuit montre les points corrigés.
    assert marquage.marquer(django_apps, None) >= 5
    aujourdhui = timezone.localdate()
    marquees = set(
        ResultatCotation.objects.filter(prochaine_echeance__lte=aujourdhui).values_list("demande_id", flat=True)
    )
    assert {contact.pk, attribue.pk, demo.pk, sans_contexte.pk, temoin.pk} <= marquees
    services.recalculer_delta(le=aujourdhui)

    assert criteres(contact) == {"refus-positionnement": -5}
    assert criteres(demo) == {"refus-positionnement": -5}
    assert criteres(attribue) == {"refus-attribution": -15}  # deux refus d'un logement attribué (−5 avant)
    assert criteres(sans_contexte) == {}
    assert criteres(temoin) == {}  # un seul refus d'attribution


def test_la_migration_rejouee_ne_retype_plus_rien(m):
    d = enregistrer(m, date_depot=DEPOT)
    _ancien_refus(d, DERNIER, etape="avant_cal")
    assert retypage.retyper(django_apps, None) == 1
    assert retypage.retyper(django_apps, None) == 0
