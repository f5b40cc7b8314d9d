"""La cotation stockée suit la demande : calculée dans la transaction des services des demandes (enregistrement,
modification, renouvellement, labels, refus et passages en CAL), recalculée pour tout le fichier ou la nuit ;
la vie des grilles (versions, programmation, activation, archivage) est contrôlée et journalisée."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cotation import traitements
from cotation.calcul import faits, services
from cotation.calcul.regles import ajouter_mois
from cotation.grilles import services as grilles
from cotation.models import Critere, Grille, HistoriqueCotation, ResultatCotation, TransitionGrille
from demandes.cycle import services as demandes
from demandes.doublons import services as doublons
from demandes.labels import services as labels
from demandes.models import Demande, Evenement, Ressource
from fdls.socle.models import TacheSortante
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes

Etat = Grille.Etat
AUTOMATE = demandes.AUTOMATE


@pytest.fixture
def m():
    return territoire_nantes(grille=True)


def resultat(demande) -> ResultatCotation:
    return ResultatCotation.objects.get(demande=demande)


def points(demande) -> dict[str, int]:
    return {lg["critere"]: lg["points"] for lg in resultat(demande).lignes}


def historique(demande) -> list[tuple[int, str]]:
    return list(HistoriqueCotation.objects.filter(demande=demande).order_by("id").values_list("total", "motif"))


def aujourdhui() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- dans la transaction des services


def test_l_enregistrement_cote_la_demande_avant_meme_le_commit(m, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        demande = enregistrer(m, statut_occupation="heberge_famille", motifs=["eloigne_travail", "trop_cher"])
        r = resultat(demande)  # écrit dans la transaction, pas après le commit
    assert (r.grille, r.total) == (m.grille, 15)
    assert [(lg["critere"], lg["points"]) for lg in r.lignes] == [("eloigne-travail", 5), ("heberge-temporaire", 10)]
    assert r.prochaine_echeance == ajouter_mois(aujourdhui(), 6)  # ancienneté de 0 mois : 5 points dans 6 mois
    assert (r.commune_id, r.typologie) == (m.reze.pk, "T3")
    assert list(HistoriqueCotation.objects.filter(demande=demande).values_list("total", "motif", "grille")) == [
        (15, "enregistrement", m.grille.pk)
    ]


def test_si_la_cotation_echoue_la_demande_n_est_pas_enregistree(m, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("panne de la cotation")

    monkeypatch.setattr(services, "coter_territoires", panne)
    with pytest.raises(RuntimeError, match="panne de la cotation"):
        enregistrer(m, statut_occupation="sans_abri")
    assert not Demande.objects.exists()
    assert not ResultatCotation.objects.exists()


def test_la_modification_recote_et_ajoute_une_ligne_d_historique(m):
    demande = enregistrer(m, motifs=["eloigne_travail"])
    assert resultat(demande).total == 5
    saisie = demandes.charger_dossier(Demande.objects.get(pk=demande.pk))
    saisie.demande.statut_occupation = "sans_abri"
    demandes.modifier_demande(saisie, auteur=m.auteur)
    assert points(demande) == {"eloigne-travail": 5, "sans-abri": 10}
    assert historique(demande) == [(5, "enregistrement"), (15, "modification")]


def test_une_modification_sans_rapport_avec_la_grille_ne_change_pas_la_cotation(m):
    demande = enregistrer(m, statut_occupation="heberge_particulier", motifs=["eloigne_travail"])
    avant = resultat(demande)
    saisie = demandes.charger_dossier(Demande.objects.get(pk=demande.pk))
    saisie.demande.email = "nouvelle.adresse@exemple.fr"
    saisie.demande.telephone = "0240000000"
    saisie.demande.typologies = ["T2", "T3"]
    saisie.demande.motifs = ["eloigne_travail", "decohabitation"]
    assert demandes.modifier_demande(saisie, auteur=m.auteur)
    apres = resultat(demande)
    assert (apres.total, apres.lignes, apres.prochaine_echeance) == (
        avant.total,
        avant.lignes,
        avant.prochaine_echeance,
    )
    assert apres.calcule_le > avant.calcule_le  # bien recalculée
    assert apres.typologie == "T2"
    assert historique(demande) == [(15, "enregistrement")]


def test_le_renouvellement_recote_en_gardant_la_date_de_depot(m):
    depot = ajouter_mois(aujourdhui(), -8)
    demande = enregistrer(m, date_depot=depot)
    assert points(demande) == {"anciennete": 5}
    # changement écrit hors des services (reprise de données) : le renouvellement le prend en compte
    Demande.objects.filter(pk=demande.pk).update(statut_occupation="sans_abri")
    demande_lue = Demande.objects.get(pk=demande.pk)
    # Le renouvellement s'ouvre un mois avant l'échéance (date annoncée par l'attestation).
    demandes.renouveler_demande(demande_lue, auteur=m.auteur, le=demande_lue.date_expiration)
    assert Demande.objects.get(pk=demande.pk).date_depot == depot
    assert points(demande) == {"anciennete": 5, "sans-abri": 10}
    [anciennete] = [lg for lg in resultat(demande).lignes if lg["critere"] == "anciennete"]
    assert f"Demande déposée le {depot:%d/%m/%Y} : 8 mois d'ancienneté" in anciennete["raison"]
    assert historique(demande) == [(5, "enregistrement"), (15, "renouvellement")]


def test_poser_et_retirer_un_label_recote(m):
    demande = enregistrer(m, statut_occupation="heberge_famille")
    label = labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    assert points(demande) == {"dalo": 20, "heberge-temporaire": 0}
    labels.retirer_label(label, user=m.agent_ddets, motif="Décision annulée")
    assert points(demande) == {"heberge-temporaire": 10}
    assert historique(demande) == [(10, "enregistrement"), (20, "label"), (10, "retrait de label")]


def test_refus_et_passages_en_cal_recotent(m):
    demande = enregistrer(m)
    assert resultat(demande).total == 0
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_POSITIONNEMENT, AUTOMATE)
    r = resultat(demande)
    assert r.total == -5
    [decote] = r.lignes
    assert decote["jusqu_au"] == (ajouter_mois(aujourdhui(), 12) - timedelta(days=1)).isoformat()
    demandes.ecrire_evenement(demande, Evenement.Type.PASSAGE_CAL, AUTOMATE, details={"rang": 2})
    assert points(demande) == {"refus-positionnement": -5, "passage-cal": 4}
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_ATTRIBUTION, AUTOMATE)
    assert resultat(demande).total == -1  # un seul refus d'attribution ne décote pas
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_ATTRIBUTION, AUTOMATE)
    assert points(demande) == {"refus-positionnement": -5, "passage-cal": 4, "refus-attribution": -15}
    assert [t for t, _ in historique(demande)] == [0, -5, -1, -16]


def test_la_fusion_recote_la_demande_gardee_avec_l_anciennete_la_plus_ancienne(m):
    depot = ajouter_mois(aujourdhui(), -7)
    absorbee = enregistrer(m, date_depot=depot)
    gardee = enregistrer(m, statut_occupation="heberge_famille")
    assert resultat(gardee).total == 10
    doublons.fusionner_demandes(gardee, absorbee, auteur=m.auteur)
    assert points(gardee) == {"anciennete": 5, "heberge-temporaire": 10}
    assert historique(gardee) == [(10, "enregistrement"), (15, "fusion")]


def test_la_reactivation_recote(m):
    demande = enregistrer(m)
    demandes.annuler_demande(demande, motif="renonciation", auteur=m.auteur)
    # une demande annulée garde sa dernière cotation, même si elle change hors des services
    Demande.objects.filter(pk=demande.pk).update(statut_occupation="camping")
    assert services.recalculer_demande(Demande.objects.get(pk=demande.pk)) is None
    assert resultat(demande).total == 0
    demandes.reactiver_demande(Demande.objects.get(pk=demande.pk), auteur=m.auteur, motif="Erreur de saisie")
    assert points(demande) == {"camping-etudiant": 10}
    assert historique(demande) == [(0, "enregistrement"), (10, "réactivation")]


def test_une_demande_hors_de_toute_grille_n_a_pas_de_points(m):
    demande = enregistrer(m, communes=[m.ancenis], statut_occupation="sans_abri")
    r = resultat(demande)
    assert (r.territoire, r.grille, r.total, r.lignes, r.prochaine_echeance) == ("", None, 0, [], None)
    assert list(HistoriqueCotation.objects.filter(demande=demande).values_list("total", "grille")) == [(0, None)]


def test_nantes_en_second_choix_est_cotee_par_nantes_metropole(m):
    """Seed 001 §5 : la cotation s'applique à toutes les demandes du territoire, quel que soit le rang du choix."""
    demande = enregistrer(m, communes=[m.ancenis, m.nantes], statut_occupation="sans_abri")
    r = resultat(demande)
    assert (r.territoire, r.grille, r.total, r.commune_id) == ("244400404", m.grille, 10, m.nantes.pk)
    assert list(HistoriqueCotation.objects.filter(demande=demande).values_list("total", "grille")) == [
        (10, m.grille.pk)
    ]


# ---------------------------------------------------------------- deux façons de lire les faits


def test_charger_donne_les_memes_faits_que_depuis_dossier(m):
    saisie = dossier(
        communes=[m.nantes, m.reze],
        codemandeur=("MARTIN", "Paul", date(1983, 2, 1)),
        occupants=[("Léa", date(2006, 5, 1))],
        statut_occupation="locataire_hlm",
        motifs=["trop_petit", "handicap"],
        typologies=["T4", "T3"],
        pieces_actuelles=2,
        surface_actuelle=30,
        nb_occupants_actuels=3,
        loyer_actuel=Decimal("520.50"),
        aides_logement=Decimal("120.00"),
    )
    codemandeur, occupante = saisie.personnes[1], saisie.personnes[2]
    codemandeur.personne.activite = "assistant_familial"
    codemandeur.ressources.append(Ressource(type="chomage", montant=Decimal("600.00")))
    occupante.personne.activite = "etudiant"
    occupante.ressources.append(Ressource(type="bourse", montant=Decimal("300.00")))
    demande = demandes.enregistrer_demande(
        saisie, auteur=m.auteur, guichet=m.guichet_ehs, piece_identite=piece_identite()
    )
    labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    hier = timezone.now() - timedelta(days=1)
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_POSITIONNEMENT, AUTOMATE, date=hier - timedelta(days=30))
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_POSITIONNEMENT, AUTOMATE, date=hier)
    demandes.ecrire_evenement(demande, Evenement.Type.PASSAGE_CAL, AUTOMATE, details={"rang": "3"}, date=hier)
    demandes.ecrire_evenement(demande, Evenement.Type.REFUS_ATTRIBUTION, AUTOMATE)

    [lus] = faits.charger([demande.pk])
    du_dossier = faits.depuis_dossier(demandes.charger_dossier(Demande.objects.get(pk=demande.pk)))
    for champ in dataclasses.fields(faits.Faits):
        assert getattr(lus, champ.name) == getattr(du_dossier, champ.name), champ.name
    assert lus.activites == {"salarie_prive", "assistant_familial"}  # pas l'activité de l'occupante
    assert lus.ressources_mensuelles == Decimal("2350.00")  # ressources de tout le ménage
    assert (lus.commune, lus.epci, lus.typologie, lus.nb_occupants) == (m.nantes.pk, m.nantes.epci_id, "T3", 3)
    assert lus.labels == {"cp-dalo": "CP - Dalo"}
    # Jours civils à Paris de chaque horodatage (un écart de 30 × 24 h peut franchir un changement d'heure).
    veille = timezone.localtime(hier).date()
    assert lus.refus_positionnement == (timezone.localtime(hier - timedelta(days=30)).date(), veille)
    assert lus.passages_cal == ((veille, 3),)
    assert lus.refus_attribution == (aujourdhui(),)
    # et la cotation écrite par les services est celle qu'on recalcule depuis la base
    ecrit = resultat(demande)
    recalcule = services.recalculer_demande(Demande.objects.get(pk=demande.pk))
    assert (ecrit.total, ecrit.lignes) == (recalcule.total, recalcule.lignes_json())


def test_zero_occupant_declare_se_lit_pareil_des_deux_facons(m):
    demande = enregistrer(m, statut_occupation="locataire_hlm", pieces_actuelles=4, nb_occupants_actuels=0)
    [lus] = faits.charger([demande.pk])
    du_dossier = faits.depuis_dossier(demandes.charger_dossier(Demande.objects.get(pk=demande.pk)))
    assert lus.nb_occupants == du_dossier.nb_occupants == 1  # le ménage à loger
    ecrit = resultat(demande).total
    assert services.recalculer_demande(demande).total == ecrit


# ---------------------------------------------------------------- recalcul du fichier


def test_recalculer_le_fichier_est_idempotent_et_ecrit_ce_que_recalculer_demande_ecrirait(m):
    depot = ajouter_mois(aujourdhui(), -4)
    cotees = [
        enregistrer(m, date_depot=depot, statut_occupation="sans_abri"),
        enregistrer(m, date_depot=depot, motifs=["eloigne_travail"]),
        enregistrer(m, date_depot=depot, communes=[m.ancenis]),
        enregistrer(m, date_depot=depot, statut_occupation="camping"),
    ]
    annulee = enregistrer(m, date_depot=depot)
    demandes.annuler_demande(annulee, motif="renonciation", auteur=m.auteur)
    le = ajouter_mois(depot, 6)  # toutes passent la bande des 6 mois, sauf celle hors grille
    lignes_historique = HistoriqueCotation.objects.count()

    bilan = services.recalculer_fichier(taille_paquet=2, le=le)
    assert (bilan.demandes, bilan.paquets, bilan.changees, bilan.sans_grille) == (4, 2, 3, 1)
    assert HistoriqueCotation.objects.count() == lignes_historique + 3
    totaux = {d.pk: resultat(d).total for d in cotees}
    assert list(totaux.values()) == [15, 10, 0, 15]
    assert resultat(annulee).total == 0  # une demande annulée garde sa dernière cotation

    ecrits = {d.pk: (r.total, r.lignes, r.prochaine_echeance) for d in cotees for r in [resultat(d)]}
    bilan = services.recalculer_fichier(taille_paquet=2, le=le)
    assert (bilan.demandes, bilan.changees) == (4, 0)
    assert HistoriqueCotation.objects.count() == lignes_historique + 3
    assert {d.pk: (r.total, r.lignes, r.prochaine_echeance) for d in cotees for r in [resultat(d)]} == ecrits

    for d in cotees:
        un = services.recalculer_demande(d, le=le)
        assert (un.total, un.lignes_json(), un.prochaine_echeance) == ecrits[d.pk]
    assert HistoriqueCotation.objects.count() == lignes_historique + 3


# ---------------------------------------------------------------- calcul de nuit


def test_le_calcul_de_nuit_ne_recote_que_les_echeances_atteintes_et_les_demandes_jamais_cotees(m):
    depot = ajouter_mois(aujourdhui(), -3)
    a_echeance = enregistrer(m, date_depot=depot)
    recente = enregistrer(m)
    jamais_cotee = enregistrer(m, statut_occupation="sans_abri")
    ResultatCotation.objects.filter(demande=jamais_cotee).delete()  # reprise de données sans cotation
    echeance = ajouter_mois(depot, 6)
    assert resultat(a_echeance).prochaine_echeance == echeance
    calcules = {d.pk: resultat(d).calcule_le for d in (a_echeance, recente)}

    bilan = traitements.calcul_de_nuit(le=echeance - timedelta(days=1), depuis=timezone.now())
    assert bilan.demandes == 1
    assert resultat(jamais_cotee).total == 10
    assert {d.pk: resultat(d).calcule_le for d in (a_echeance, recente)} == calcules
    assert resultat(a_echeance).total == 0

    bilan = traitements.calcul_de_nuit(le=echeance, depuis=timezone.now())
    assert bilan.demandes == 1
    r = resultat(a_echeance)
    assert (r.total, r.prochaine_echeance) == (5, ajouter_mois(depot, 18))
    assert historique(a_echeance)[-1] == (5, "calcul de nuit")
    assert resultat(recente).calcule_le == calcules[recente.pk]

    assert traitements.calcul_de_nuit(le=echeance, depuis=timezone.now()).demandes == 0


def test_le_calcul_de_nuit_met_en_vigueur_la_grille_programmee_a_sa_date(m):
    demande = enregistrer(m, motifs=["eloigne_travail"])
    assert resultat(demande).total == 5
    v2 = grilles.nouvelle_version(m.grille, auteur=m.auteur)
    Critere.objects.filter(grille=v2, code="eloigne-travail").update(points=7)
    effet = aujourdhui() + timedelta(days=30)
    grilles.programmer(v2, date_effet=effet, auteur=m.auteur)

    traitements.calcul_de_nuit(le=effet - timedelta(days=1), depuis=timezone.now())
    assert Grille.objects.get(pk=v2.pk).etat == Etat.PROGRAMMEE
    assert (resultat(demande).grille_id, resultat(demande).total) == (m.grille.pk, 5)

    traitements.calcul_de_nuit(le=effet, depuis=timezone.now())
    v1, v2 = Grille.objects.get(pk=m.grille.pk), Grille.objects.get(pk=v2.pk)
    assert (v1.etat, v2.etat, v2.date_effet) == (Etat.ARCHIVEE, Etat.EN_VIGUEUR, effet)
    assert v1.date_fin is not None
    assert (resultat(demande).grille_id, resultat(demande).total) == (v2.pk, 7)
    assert HistoriqueCotation.objects.filter(demande=demande).order_by("-id").first().grille_id == v2.pk
    assert list(TransitionGrille.objects.filter(grille=v1).order_by("id").values_list("etat_avant", "etat_apres")) == [
        ("", Etat.EN_VIGUEUR),
        (Etat.EN_VIGUEUR, Etat.ARCHIVEE),
    ]
    assert list(
        TransitionGrille.objects.filter(grille=v2).order_by("id").values_list("etat_avant", "etat_apres", "auteur")
    ) == [
        ("", Etat.BROUILLON, m.agent_ehs.pk),
        (Etat.BROUILLON, Etat.PROGRAMMEE, m.agent_ehs.pk),
        (Etat.PROGRAMMEE, Etat.EN_VIGUEUR, None),
    ]
    assert TransitionGrille.objects.filter(grille=v1).last().commentaire == "Remplacée par la version 2."


# ---------------------------------------------------------------- transitions des grilles


def test_les_transitions_interdites_sont_refusees_en_francais_sans_rien_journaliser(m):
    v2 = grilles.nouvelle_version(m.grille, auteur=m.auteur)
    assert (v2.version, v2.etat, v2.creee_depuis_id) == (2, Etat.BROUILLON, m.grille.pk)
    assert v2.criteres.count() == m.grille.criteres.count()
    journal = TransitionGrille.objects.count()

    with pytest.raises(grilles.TransitionInterdite) as e:
        grilles.archiver(v2, auteur=m.auteur)
    assert e.value.messages == ["Action impossible : la grille est « Brouillon » (attendu : en vigueur)."]
    with pytest.raises(grilles.TransitionInterdite) as e:
        grilles.annuler_programmation(m.grille, auteur=m.auteur)
    assert e.value.messages == ["Action impossible : la grille est « En vigueur » (attendu : programmée)."]
    with pytest.raises(grilles.TransitionInterdite) as e:
        grilles.verifier_modifiable(m.grille)
    assert e.value.messages == [
        "La grille est « En vigueur » : seule une grille en brouillon se modifie. Créez une nouvelle version."
    ]
    with pytest.raises(ValidationError) as e:
        grilles.programmer(v2, date_effet=None, auteur=m.auteur)
    assert e.value.message_dict == {"date_effet": ["Indiquez la date d'entrée en vigueur."]}
    Critere.objects.filter(grille=v2, code="dalo").update(exclu_si=["refugie"])
    with pytest.raises(ValidationError) as e:
        grilles.programmer(v2, date_effet=aujourdhui() + timedelta(days=10), auteur=m.auteur)
    assert e.value.messages == [
        "Critère « Vous êtes reconnu-e prioritaire au titre du droit au logement opposable (Dalo) » : le critère "
        "« refugie » doit le précéder pour l'exclure."
    ]
    assert TransitionGrille.objects.count() == journal
    assert Grille.objects.get(pk=v2.pk).etat == Etat.BROUILLON

    Critere.objects.filter(grille=v2, code="dalo").update(exclu_si=[])
    grilles.programmer(v2, date_effet=aujourdhui() + timedelta(days=10), auteur=m.auteur)
    v3 = grilles.nouvelle_version(m.grille, auteur=m.auteur)
    with pytest.raises(ValidationError) as e:
        grilles.programmer(v3, date_effet=aujourdhui() + timedelta(days=20), auteur=m.auteur)
    assert e.value.message_dict == {
        "date_effet": ["La version 2 est déjà programmée : annulez d'abord sa programmation."]
    }
    with pytest.raises(grilles.TransitionInterdite) as e:
        grilles.programmer(v2, date_effet=aujourdhui() + timedelta(days=20), auteur=m.auteur)
    assert e.value.messages == ["Action impossible : la grille est « Programmée » (attendu : brouillon)."]


def test_chaque_transition_est_journalisee(m):
    v2 = grilles.nouvelle_version(m.grille, auteur=m.auteur)
    grilles.programmer(v2, date_effet=aujourdhui() + timedelta(days=10), auteur=m.auteur)
    assert Grille.objects.get(pk=v2.pk).date_effet == aujourdhui() + timedelta(days=10)
    grilles.annuler_programmation(v2, auteur=m.auteur)
    v2 = Grille.objects.get(pk=v2.pk)
    assert (v2.etat, v2.date_effet) == (Etat.BROUILLON, None)
    # une date d'effet atteinte : mise en vigueur immédiate, l'ancienne est archivée
    grilles.programmer(v2, date_effet=aujourdhui(), auteur=m.auteur)
    assert Grille.objects.get(pk=m.grille.pk).etat == Etat.ARCHIVEE
    assert Grille.objects.get(pk=v2.pk).etat == Etat.EN_VIGUEUR
    with pytest.raises(grilles.TransitionInterdite) as e:
        grilles.activer(m.grille, auteur=m.auteur)
    assert e.value.messages == ["Action impossible : la grille est « Archivée » (attendu : brouillon, programmée)."]
    grilles.archiver(v2, auteur=m.auteur)
    assert Grille.objects.get(pk=v2.pk).etat == Etat.ARCHIVEE
    assert list(
        TransitionGrille.objects.filter(grille=v2)
        .order_by("id")
        .values_list("etat_avant", "etat_apres", "auteur_libelle")
    ) == [
        ("", Etat.BROUILLON, m.auteur.libelle),
        (Etat.BROUILLON, Etat.PROGRAMMEE, m.auteur.libelle),
        (Etat.PROGRAMMEE, Etat.BROUILLON, m.auteur.libelle),
        (Etat.BROUILLON, Etat.EN_VIGUEUR, m.auteur.libelle),
        (Etat.EN_VIGUEUR, Etat.ARCHIVEE, m.auteur.libelle),
    ]
    assert TransitionGrille.objects.filter(grille=m.grille).count() == 2
    # chaque changement de grille en vigueur fait recoter le territoire par une tâche, après le commit
    assert TacheSortante.objects.filter(nom="cotation.tasks.recalculer_fichier").count() >= 1
