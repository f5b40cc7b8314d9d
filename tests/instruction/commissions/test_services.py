"""Services des commissions d'attribution : ordre du jour (au moins trois demandes), chaque décision de R441-3
et son historique (libellé du seed 000, détails du contrat), refus et passage au rang suivant, condition
suspensive levée ou caduque (job idempotent), bail signé et sa cascade, cotation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from cotation.calcul.faits import Faits, noter_evenements
from cotation.calcul.regles import passage_cal_non_premier
from demandes.cycle.services import radier_sans_reponse
from demandes.models import Demande, Evenement
from demandes.relances import courriers, traitements
from fdls.socle.workflow import TransitionInterdite
from instruction.commissions import services
from instruction.commissions.models import Bail, Candidature, TransitionCandidature
from instruction.commissions.services import Saisie
from instruction.propositions import services as propositions
from instruction.propositions.models import Positionnement
from instruction.tasks import constater_caducites
from offre.models import EtatDisponibilite
from tests.monde.factories import DisponibiliteFactory

Type = Evenement.Type
C = Candidature.Etat
AUJOURD_HUI = timezone.localdate


def candidatures(examen):
    return list(examen.candidatures.order_by("ordre"))


def decider(cal, candidature, **saisie):
    return services.decider(auteur=cal.monde.agent_bailleur, candidature=candidature, saisie=Saisie(**saisie))


def evenement(demande, type_):
    return Evenement.objects.filter(demande=demande, type=type_).order_by("-id").first()


def test_l_ordre_du_jour_reprend_les_candidats_positionnes_par_rang(cal):
    examen = cal.examen()
    assert [c.demande_id for c in candidatures(examen)] == [p.demande_id for p in cal.positionnements]
    assert all(c.etat == C.INSCRITE for c in candidatures(examen))
    assert TransitionCandidature.objects.filter(candidature__examen=examen, etat_apres=C.INSCRITE).count() == 3


def test_moins_de_trois_demandes_exige_la_raison_de_l_exception(cal):
    Positionnement.objects.filter(pk=cal.positionnements[2].pk).update(etat=Positionnement.Etat.RETIRE)
    with pytest.raises(ValidationError) as erreur:
        cal.examen()
    assert "au moins trois demandes" in str(erreur.value.message_dict["moins_de_trois"])
    examen = cal.examen(moins_de_trois="peu_de_candidats")
    assert examen.moins_de_trois == "peu_de_candidats"
    assert examen.candidatures.count() == 2


def test_un_agent_d_un_autre_bailleur_ne_prepare_pas_la_seance(cal):
    with pytest.raises(PermissionDenied):
        services.inscrire_logement(
            auteur=cal.monde.agent_autre_bailleur, seance=cal.seance, disponibilite=cal.monde.disponibilite
        )


def test_decisions_a_a_e_et_leur_historique_au_libelle_du_seed(cal):
    a, b, c = candidatures(cal.examen())
    decider(cal, a, decision="attribution_rang", rang=1)
    decider(
        cal,
        b,
        decision="attribution_condition",
        rang=2,
        piece_manquante="avis_imposition",
        date_limite=AUJOURD_HUI() + timedelta(days=10),
    )
    decider(cal, c, decision="non_attribution", motif="ressources_plafonds")
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.etat, b.etat, c.etat) == (C.ATTRIBUEE, C.SOUS_CONDITION, C.NON_ATTRIBUEE)
    ev = evenement(b.demande, Type.DECISION_CAL)
    seance = f"séance du {cal.seance.date:%d/%m/%Y}"
    assert ev.precisions.startswith(
        f"Commission 0001 - {seance} - Décision : Attribution sous condition suspensive"
        " - Motif : Attribution sous condition suspensive (pièces manquantes)"
    )
    assert " - Rang : 2 - bien KALLIMA 2 (0629 - 0013)" in ev.precisions
    d = ev.details
    assert d["commission"] == "0001"
    assert d["seance"] == cal.seance.date.isoformat()
    assert d["decision"] == "attribution_condition"
    assert d["rang"] == 2
    assert d["motif"] == "Attribution sous condition suspensive (pièces manquantes)"
    assert d["bien"] == "KALLIMA 2 (0629 - 0013)"
    assert d["disponibilite"] == cal.monde.disponibilite.pk
    assert d["logement"] == cal.monde.disponibilite.logement_id
    assert d["piece_manquante"] == "Avis d'imposition"
    assert d["date_limite"] == b.date_limite.isoformat()
    assert evenement(c.demande, Type.DECISION_CAL).details["rang"] is None
    assert "Motif : Ressources supérieures aux plafonds" in evenement(c.demande, Type.DECISION_CAL).precisions
    # Passage en CAL avec le rang de la décision : la règle de cotation le lit.
    assert evenement(b.demande, Type.PASSAGE_CAL).details["rang"] == 2
    assert (
        evenement(c.demande, Type.PASSAGE_CAL).precisions
        == f"Commission 0001 - {seance} - bien KALLIMA 2 (0629 - 0013)"
    )
    c.positionnement.refresh_from_db()
    assert c.positionnement.etat == Positionnement.Etat.CLOS


def test_non_attribution_sans_motif_et_rang_en_double_refuses(cal):
    a, b, c = candidatures(cal.examen())
    with pytest.raises(ValidationError) as erreur:
        decider(cal, a, decision="non_attribution")
    assert "motif" in erreur.value.message_dict
    decider(cal, a, decision="attribution_rang", rang=1)
    with pytest.raises(ValidationError) as erreur:
        decider(cal, b, decision="attribution", rang=None)
    assert "déjà donné" in str(erreur.value.message_dict["rang"])
    with pytest.raises(ValidationError) as erreur:
        decider(cal, c, decision="attribution_condition", rang=3, piece_manquante="")
    assert {"piece_manquante", "date_limite"} <= set(erreur.value.message_dict)
    with pytest.raises(TransitionInterdite):
        decider(cal, a, decision="non_attribution", motif="autre")


def test_irrecevabilite_avertit_et_radie_un_mois_plus_tard(cal):
    a, *_ = candidatures(cal.examen())
    decider(cal, a, decision="irrecevabilite", motif="sejour")
    demande = Demande.objects.get(pk=a.demande_id)
    assert demande.avertie_le == AUJOURD_HUI()
    assert demande.avertissement_motif == "irrecevabilite"
    assert "Irrecevabilité" in evenement(demande, Type.AVERTISSEMENT).precisions
    assert radier_sans_reponse(demande, le=AUJOURD_HUI() + timedelta(days=20)) is None
    radiee = radier_sans_reponse(demande, le=AUJOURD_HUI() + timedelta(days=32))
    assert radiee.etat == Demande.Etat.ANNULEE
    assert radiee.motif_annulation == "irrecevabilite"
    assert "R441-2-8 d)" in evenement(demande, Type.RADIATION_SANS_REPONSE).precisions


def test_la_lettre_d_avertissement_dit_l_irrecevabilite(cal):
    a, *_ = candidatures(cal.examen())
    decider(cal, a, decision="irrecevabilite", motif="sejour")
    traitements.editer_avertissements(AUJOURD_HUI())
    lettre = PdfReader(courriers.dossier_avertissements(AUJOURD_HUI()) / f"avertissement-{a.demande_id}.pdf")
    texte = " ".join(lettre.pages[0].extract_text().split())
    assert "irrecevable" in texte
    assert "R441-2-8, d" in texte
    assert "Nous n'avons pas reçu votre réponse" not in texte


def test_refus_passe_au_suivant_puis_bail_signe_en_cascade(cal):
    a, b, c = candidatures(cal.examen())
    decider(cal, a, decision="attribution_rang", rang=1)
    decider(cal, b, decision="attribution_rang", rang=2)
    decider(cal, c, decision="attribution_rang", rang=3)
    agent = cal.monde.agent_bailleur
    services.refuser_attribution(auteur=agent, candidature=a, motif="loyer")
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.etat, b.etat) == (C.REFUSEE, C.ATTRIBUEE)
    refus = evenement(a.demande, Type.REFUS_ATTRIBUTION)
    assert refus.precisions.startswith("Loyer / Charges trop élevés")
    assert refus.details["rang"] == 1
    services.accepter_attribution(auteur=agent, candidature=b)
    bail = services.signer_bail(
        auteur=agent, candidature=b, signe_le=AUJOURD_HUI(), entree_le=AUJOURD_HUI() + timedelta(days=5)
    )
    b.refresh_from_db(), c.refresh_from_db()
    assert (b.etat, c.etat) == (C.BAIL_SIGNE, C.ECARTEE)
    assert Demande.objects.get(pk=b.demande_id).etat == Demande.Etat.SATISFAITE
    satisfaction = evenement(b.demande, Type.SATISFACTION)
    logement = cal.monde.disponibilite.logement
    attendu = {
        "disponibilite": cal.monde.disponibilite.pk,
        "logement": logement.pk,
        "bien": "KALLIMA 2 (0629 - 0013)",
        "bailleur": "Nantes Métropole Habitat",
        "commune": logement.commune_id,
        "typologie": logement.typologie,
        "financement": logement.financement,
        "qpv": logement.qpv,
        "reservataire": cal.monde.ddets.pk,
        "contingent": "Contingent préfectoral",
        "bail_signe_le": AUJOURD_HUI().isoformat(),
        "entree_le": (AUJOURD_HUI() + timedelta(days=5)).isoformat(),
        "rang": 2,
    }
    assert {k: satisfaction.details[k] for k in attendu} == attendu
    assert "R441-2-8 a)" in satisfaction.precisions
    non = evenement(c.demande, Type.NON_ATTRIBUTION)
    assert non.precisions == "Non-attribution : bail signé par le candidat classé devant"
    assert non.details["rang"] == 3
    cal.monde.disponibilite.refresh_from_db()
    assert cal.monde.disponibilite.etat == EtatDisponibilite.ATTRIBUEE
    assert Bail.objects.get() == bail
    assert bail.reservataire == cal.monde.ddets
    # Un second bail sur le même logement est refusé.
    with pytest.raises(TransitionInterdite):
        services.signer_bail(auteur=agent, candidature=c, signe_le=AUJOURD_HUI(), entree_le=AUJOURD_HUI())


def test_condition_levee_a_temps_le_candidat_reprend_son_tour(cal):
    a, b, c = candidatures(cal.examen())
    limite = AUJOURD_HUI() + timedelta(days=10)
    decider(cal, a, decision="attribution_condition", rang=1, piece_manquante="identite", date_limite=limite)
    decider(cal, b, decision="attribution_rang", rang=2)
    decider(cal, c, decision="report")
    b.refresh_from_db()
    assert b.etat == C.EN_ATTENTE  # le premier classé garde son tour tant que la condition court
    services.lever_condition(auteur=cal.monde.agent_bailleur, candidature=a, recue_le=AUJOURD_HUI())
    a.refresh_from_db()
    assert a.etat == C.ATTRIBUEE
    assert a.piece_recue_le == AUJOURD_HUI()


def test_le_job_des_conditions_echues_est_idempotent(cal):
    a, b, c = candidatures(cal.examen())
    limite = AUJOURD_HUI() + timedelta(days=3)
    decider(cal, a, decision="attribution_condition", rang=1, piece_manquante="identite", date_limite=limite)
    decider(cal, b, decision="attribution_rang", rang=2)
    decider(cal, c, decision="non_attribution", motif="inadapte")
    apres = limite + timedelta(days=1)
    assert services.constater_caducites_echues(le=limite).constatees == 0
    premier = services.constater_caducites_echues(le=apres)
    second = services.constater_caducites_echues(le=apres)
    assert (premier.constatees, second.constatees) == (1, 0)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.etat, b.etat) == (C.CADUQUE, C.ATTRIBUEE)
    assert TransitionCandidature.objects.filter(candidature=a, etat_apres=C.CADUQUE).count() == 1
    assert constater_caducites.run() == {"constatees": 0, "deja_traitees": 0}


def test_la_cotation_donne_4_points_au_candidat_classe_deuxieme(cal):
    a, b, c = candidatures(cal.examen())
    decider(cal, a, decision="attribution_rang", rang=1)
    decider(cal, b, decision="attribution_rang", rang=2)
    decider(cal, c, decision="non_attribution", motif="inadapte")

    class Critere:
        duree_mois = 12
        points = 4

    def evaluation(candidature):
        faits = Faits()
        lignes = Evenement.objects.filter(demande=candidature.demande, type=Type.PASSAGE_CAL).values_list(
            "type", "date", "details__rang"
        )
        noter_evenements(faits, lignes)
        return passage_cal_non_premier(faits, Critere(), AUJOURD_HUI())

    assert evaluation(b).retenu
    assert evaluation(b).points == 4
    assert not evaluation(a).retenu


def test_la_demande_satisfaite_quitte_ses_autres_logements(cal):
    m = cal.monde
    autre = DisponibiliteFactory(
        logement__programme__bailleur=m.bailleur,
        logement__programme__commune=m.commune,
        logement__programme__nom="KALLIMA 3",
    )
    premier = cal.positionnements[0].demande
    suivant = m.demande()
    for demande in (premier, suivant, m.demande()):
        propositions.positionner_candidat(auteur=m.agent_bailleur, disponibilite=autre, demande=demande)
    ici = candidatures(cal.examen())
    ailleurs = candidatures(services.inscrire_logement(auteur=m.agent_bailleur, seance=cal.seance, disponibilite=autre))
    decider(cal, ailleurs[0], decision="attribution_rang", rang=1)
    decider(cal, ailleurs[1], decision="attribution_rang", rang=2)
    decider(cal, ailleurs[2], decision="non_attribution", motif="inadapte")
    decider(cal, ici[0], decision="attribution")
    for c in ici[1:]:
        decider(cal, c, decision="non_attribution", motif="inadapte")
    services.signer_bail(auteur=m.agent_bailleur, candidature=ici[0], signe_le=AUJOURD_HUI(), entree_le=AUJOURD_HUI())
    ailleurs[0].refresh_from_db(), ailleurs[1].refresh_from_db()
    assert (ailleurs[0].etat, ailleurs[1].etat) == (C.RETIREE, C.ATTRIBUEE)
    assert Positionnement.objects.get(disponibilite=autre, demande=premier).etat == Positionnement.Etat.CLOS
