"""Générateur de demandes de démonstration (``demo.generateur``) sur un petit fichier."""

import datetime
import io
import re
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, Min

from demandes.cycle import services
from demandes.dossier import saisie
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.doublons import services as doublons
from demandes.models import (
    CleIdentite,
    CompteurNumero,
    CompteurReference,
    Demande,
    Evenement,
    LocalisationSouhaitee,
    Personne,
    SuspicionDoublon,
)
from demo.demandes import construire
from demo.generateur import Parametres, ajouter_mois, generer
from demo.models import DoublonSeme
from fdls.organismes.models import Guichet
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory
from tests.monde.fichiers import piece_identite

ACTIVES = 300


@pytest.fixture
def fichier(partenaires):
    return generer(Parametres(actives=ACTIVES, graine=7, part_doublons=0.05))


def test_volumes_etats_et_menages_plausibles(fichier):
    etats = Counter(Demande.objects.values_list("etat", flat=True))
    assert etats["active"] == ACTIVES
    # 15,9 % du stock satisfait par an sur 3 ans ; annulations 30 % par an.
    assert etats["satisfaite"] == round(ACTIVES * 0.159 * 3)
    assert etats["annulee"] == round(ACTIVES * 0.30 * 3)
    assert fichier.demandes == sum(etats.values())

    actives = Demande.objects.filter(etat="active")
    # Chaque demande active a exactement un demandeur, recopié sur la demande.
    assert Personne.objects.filter(demande__etat="active", role="demandeur").count() == ACTIVES
    sans_demandeur = actives.exclude(personnes__role="demandeur")
    assert not sans_demandeur.exists()
    for d in actives.prefetch_related("personnes")[:50]:
        demandeur = next(p for p in d.personnes.all() if p.role == "demandeur")
        assert (d.nom, d.prenom, d.date_naissance) == (demandeur.nom, demandeur.prenom, demandeur.date_naissance)
        assert d.nb_personnes == len(d.personnes.all()) + d.enfants_a_naitre

    aujourd_hui = datetime.date.today()
    assert not actives.filter(date_expiration__lt=aujourd_hui).exists()
    mutations = actives.filter(mutation=True).count() / ACTIVES
    assert 0.25 <= mutations <= 0.47
    assert actives.filter(mutation=True).exclude(statut_occupation="locataire_hlm").count() == 0
    seules = actives.filter(nature="personne_seule").count() / ACTIVES
    assert 0.33 <= seules <= 0.53

    # 1 à 5 choix ordonnés, rangs contigus ; 1er choix dans Nantes Métropole ≈ 70 %.
    rangs = LocalisationSouhaitee.objects.values("demande").annotate(n=Count("id"), premier=Min("rang"))
    assert {r["premier"] for r in rangs} == {1}
    assert max(r["n"] for r in rangs) <= 5
    premier_nm = LocalisationSouhaitee.objects.filter(
        demande__etat="active", rang=1, commune__epci_id="244400404"
    ).count()
    assert 0.58 <= premier_nm / ACTIVES <= 0.80


def test_dossiers_valides_pour_les_services(fichier):
    """Un échantillon de dossiers générés passe la validation complète des services."""
    for d in Demande.objects.filter(etat="active").order_by("id")[:40]:
        saisie.valider_dossier(saisie.charger_dossier(d), complet=True)


def test_historique_coherent_avec_les_etats(fichier):
    premiers = Evenement.objects.order_by("demande_id", "date", "id").distinct("demande_id")
    assert {e.type for e in premiers} == {"enregistrement"}
    satisfaites = Demande.objects.filter(etat="satisfaite")
    for d in satisfaites[:30]:
        types = list(d.evenements.order_by("date", "id").values_list("type", flat=True))
        assert types[-1] == "satisfaction"
        assert {"proposition", "passage_cal", "decision_cal"} <= set(types)
        assert d.date_fin == d.evenements.get(type="satisfaction").date.date()
    delai_moyen = sum((d.date_fin - d.date_depot).days for d in satisfaites) / satisfaites.count() / 30.44
    assert 17 <= delai_moyen <= 33  # 24,7 mois à Nantes Métropole
    non_renouvelees = Demande.objects.filter(etat="annulee", motif_annulation="non_renouvellement")
    assert non_renouvelees.count() > 0.6 * Demande.objects.filter(etat="annulee").count()
    for d in non_renouvelees[:30]:
        evt = d.evenements.get(type="annulation_automatique")
        assert evt.auteur_libelle == "Traitement automatisé"
        assert (evt.etat_avant, evt.etat_apres) == ("active", "annulee")
        assert d.date_fin == d.date_expiration + datetime.timedelta(days=1)
        derniere = d.date_renouvellement or d.date_depot
        assert d.date_expiration == ajouter_mois(derniere, 12)
    # Quelques refus et passages en CAL, lus par la cotation.
    types = Counter(Evenement.objects.values_list("type", flat=True))
    for attendu in (
        "refus_positionnement",
        "refus_attribution",
        "passage_cal",
        "decision_cal",
        "renouvellement",
        "modification",
    ):
        assert types[attendu] > 0, attendu
    auteurs = set(Evenement.objects.filter(type="enregistrement").values_list("auteur_libelle", flat=True))
    guichets = set(Guichet.objects.filter(type="accompagnateur").values_list("organisme__nom", flat=True))
    assert auteurs <= guichets


def test_cles_identite_egales_a_celles_des_services(fichier):
    attendu = defaultdict(set)
    for d in Demande.objects.prefetch_related("personnes"):
        for c in saisie.cles_identite(d, d.personnes.all()):
            attendu[d.pk].add(
                (c.role, c.nom, c.prenom, c.nom_phonetique, c.prenom_phonetique, c.date_naissance)
                + (c.nom_naissance, c.sexe)
            )
    obtenu = defaultdict(set)
    for ligne in CleIdentite.objects.values_list(
        "demande_id",
        "role",
        "nom",
        "prenom",
        "nom_phonetique",
        "prenom_phonetique",
        "date_naissance",
        "nom_naissance",
        "sexe",
    ):
        obtenu[ligne[0]].add(ligne[1:])
    assert obtenu == attendu
    assert CleIdentite.objects.count() == sum(len(v) for v in attendu.values())


def test_numeros_valides_uniques_sans_trou_et_suite_des_enregistrements(fichier):
    numeros = list(Demande.objects.values_list("numero_unique", "reference", "date_depot", "guichet__code"))
    assert len({n for n, *_ in numeros}) == len(numeros)
    assert len({r for _, r, *_ in numeros}) == len(numeros)
    codes_accompagnateurs = set(Guichet.objects.filter(type="accompagnateur").values_list("code", flat=True))
    sequences = defaultdict(list)
    references = defaultdict(list)
    for numero, reference, depot, code in numeros:
        nu = analyser_numero_unique(numero)
        assert (nu.departement, nu.mois, nu.annee, nu.guichet) == ("044", depot.month, depot.year, code)
        assert code in codes_accompagnateurs
        sequences[(nu.departement, f"{nu.mois:02d}{nu.annee % 100:02d}", nu.guichet)].append(nu.sequence)
        assert re.fullmatch(rf"{depot.year:04d}{depot.month:02d}\d{{4,}}", reference)
        references[reference[:6]].append(int(reference[6:]))
    compteurs = {(c.departement, c.periode, c.guichet): c.dernier for c in CompteurNumero.objects.all()}
    assert set(compteurs) == set(sequences)
    for cle, valeurs in sequences.items():
        assert sorted(valeurs) == list(range(1, len(valeurs) + 1)), cle
        assert compteurs[cle] == len(valeurs)
    for periode, valeurs in references.items():
        assert sorted(valeurs) == list(range(1, len(valeurs) + 1))
        assert CompteurReference.objects.get(periode=periode).dernier == len(valeurs)

    # Un enregistrement par les services continue la séquence la plus remplie, sans collision.
    (departement, periode, code), dernier = max(compteurs.items(), key=lambda kv: kv[1])
    guichet = Guichet.objects.get(code=code)
    depot = datetime.date(2000 + int(periode[2:]), int(periode[:2]), 15)
    agent = AgentFactory(organisme=guichet.organisme)
    d = services.enregistrer_demande(
        dossier(communes=[guichet.commune], nom="SUIVANT"),
        auteur=services.Auteur.agent(agent),
        guichet=guichet,
        date_depot=depot,
        piece_identite=piece_identite(),
    )
    assert analyser_numero_unique(d.numero_unique).sequence == dernier + 1
    assert int(d.reference[6:]) == CompteurReference.objects.get(periode=d.reference[:6]).dernier
    assert d.pk > max(pk for pk in Demande.objects.exclude(pk=d.pk).values_list("pk", flat=True))


def test_doublons_semes_retrouves_par_la_detection(fichier):
    semes = list(DoublonSeme.objects.select_related("originale", "doublon"))
    assert fichier.doublons == len(semes) >= 3
    for s in semes:
        assert s.originale.etat == s.doublon.etat == "active"
        personnes = list(s.doublon.personnes.all())
        trouves = {c.demande_id for c in doublons.candidats(personnes, exclure_demande=s.doublon_id)}
        # Les doublons semés sont trouvés ; les faux doublons (jumeaux, parent et enfant) ne sont pas signalés.
        assert (s.originale_id in trouves) == (s.type not in DoublonSeme.NEGATIFS), (s.type, s.originale, s.doublon)
        if s.type == "inversion":
            assert (s.doublon.nom, s.doublon.prenom) == (s.originale.prenom, s.originale.nom)
        if s.type == "codemandeur_seul":
            codemandeur = s.originale.personnes.get(role="codemandeur")
            assert (s.doublon.nom, s.doublon.prenom) == (codemandeur.nom, codemandeur.prenom)


def test_demo_complete_le_fichier_sans_le_depasser(partenaires):
    sortie = io.StringIO()
    construire({"demandes": 120, "graine": 3, "part_doublons": 0.01, "taux_annulation": 0.1}, sortie)
    assert Demande.objects.filter(etat="active").count() == 120
    total = Demande.objects.count()
    construire({"demandes": 120, "graine": 3}, sortie)
    assert Demande.objects.count() == total
    assert "aucune ajoutée" in sortie.getvalue()
    construire({"demandes": 150, "graine": 3, "part_doublons": 0.0, "taux_annulation": 0.1}, sortie)
    assert Demande.objects.filter(etat="active").count() == 150
    assert len(set(Demande.objects.values_list("numero_unique", flat=True))) == Demande.objects.count()


def test_chaque_situation_semee_est_trouvee_et_les_faux_doublons_ecartes(partenaires):
    """Tous les ménages semés (``part_doublons=1``) : chaque type de doublon est trouvé à la saisie et la nuit,
    jumeaux de sexes différents et parent et enfant du même nom ne sont signalés ni l'un ni l'autre."""
    generer(Parametres(actives=400, graine=11, part_doublons=1.0))
    semes = list(DoublonSeme.objects.all())
    assert {s.type for s in semes} == set(DoublonSeme.Type.values)

    doublons.detecter_doublons_fichier()
    suspicions = set(SuspicionDoublon.objects.values_list("demande_a_id", "demande_b_id"))
    for s in semes:
        personnes = list(Personne.objects.filter(demande_id=s.doublon_id))
        trouves = {c.demande_id for c in doublons.candidats(personnes, exclure_demande=s.doublon_id)}
        attendu = s.type not in DoublonSeme.NEGATIFS
        assert (s.originale_id in trouves) == attendu, (s.type, s.originale_id, s.doublon_id)
        paire = tuple(sorted((s.originale_id, s.doublon_id)))
        assert (paire in suspicions) == attendu, (s.type, paire)
