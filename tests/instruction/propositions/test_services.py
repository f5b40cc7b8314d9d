"""Services de l'instruction d'une vacance : chaque action, permise et interdite, son événement de la demande
(type et libellé du seed 000), son journal, et l'état de la vacance qui suit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from demandes.dossier.signaux import demande_changee
from demandes.models import Evenement
from fdls.socle.workflow import TransitionInterdite
from instruction.propositions import services
from instruction.propositions.models import (
    Contact,
    Positionnement,
    Proposition,
    TransitionContact,
    TransitionPositionnement,
    TransitionProposition,
    TransitionVisite,
    Visite,
)
from instruction.tasks import constater_non_reponses
from offre.models import DisponibiliteEvenement

Type = Evenement.Type
AUJOURD_HUI = timezone.localdate


def dernier(demande, type_):
    return Evenement.objects.filter(demande=demande, type=type_).order_by("-id").first()


@pytest.fixture
def signaux():
    recus = []

    def noter(sender, *, demande, motif="", **kwargs):
        recus.append((demande.pk, motif))

    demande_changee.connect(noter, dispatch_uid="test-instruction")
    yield recus
    demande_changee.disconnect(dispatch_uid="test-instruction")


def positionner(monde, demande=None, agent=None, **kwargs):
    return services.positionner_candidat(
        auteur=agent or monde.agent_bailleur,
        disponibilite=monde.disponibilite,
        demande=demande or monde.demande(),
        **kwargs,
    )


# ---------------------------------------------------------------- positionnement


def test_le_premier_positionnement_engage_la_vacance_et_s_inscrit_a_l_historique(monde):
    demande = monde.demande()
    positionnement = positionner(monde, demande)

    assert (positionnement.rang, positionnement.etat, positionnement.designation) == (1, "positionne", "bailleur")
    evenement = dernier(demande, Type.POSITIONNEMENT)
    assert evenement.get_type_display() == "Positionnement sur un logement"
    assert evenement.precisions == "Rang 1 - Bailleur - bien KALLIMA 2 (0629 - 0013)"
    assert evenement.auteur_libelle == "Nantes Métropole Habitat"
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "en_cours"
    journal = DisponibiliteEvenement.objects.get(disponibilite=monde.disponibilite, etat_apres="en_cours")
    assert journal.commentaire == "Premier candidat positionné"
    assert TransitionPositionnement.objects.get(positionnement=positionnement).etat_apres == "positionne"

    second = positionner(monde)
    assert second.rang == 2
    assert DisponibiliteEvenement.objects.filter(disponibilite=monde.disponibilite).count() == 1


def test_une_demande_ne_se_positionne_pas_deux_fois_sur_le_meme_logement(monde):
    demande = monde.demande()
    positionner(monde, demande)
    with pytest.raises(ValidationError) as erreur:
        positionner(monde, demande)
    assert erreur.value.message_dict["demande"] == ["Cette demande est déjà positionnée sur ce logement."]


def test_seule_une_demande_active_se_positionne(monde):
    with pytest.raises(ValidationError) as erreur:
        positionner(monde, monde.demande(annulee=True))
    assert "Seule une demande active se positionne" in erreur.value.message_dict["demande"][0]
    assert not Positionnement.objects.exists()


def test_une_vacance_attribuee_ne_recoit_plus_de_candidat(monde):
    monde.disponibilite.etat = "retiree"
    monde.disponibilite.save()
    with pytest.raises(TransitionInterdite):
        positionner(monde)


def test_le_reservataire_de_la_vacance_positionne_sur_sa_designation(monde):
    positionnement = positionner(monde, agent=monde.agent_ddets)
    assert positionnement.designation == "reservataire"
    assert positionnement.reservataire == monde.ddets
    assert "Réservataire : DDETS de Loire-Atlantique" in dernier(positionnement.demande, Type.POSITIONNEMENT).precisions


def test_le_bailleur_positionne_pour_le_reservataire_dont_c_est_le_tour(monde):
    positionnement = positionner(monde, designation="reservataire")
    assert positionnement.reservataire == monde.ddets


def test_un_reservataire_ne_designe_pas_au_nom_du_bailleur(monde):
    with pytest.raises(ValidationError) as erreur:
        positionner(monde, agent=monde.agent_ddets, designation="bailleur")
    assert "designation" in erreur.value.message_dict


@pytest.mark.parametrize("qui", ["agent_autre_bailleur", "agent_guichet"])
def test_ni_un_autre_bailleur_ni_un_guichet_ne_positionnent(monde, qui):
    with pytest.raises(PermissionDenied):
        positionner(monde, agent=getattr(monde, qui))
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "a_pourvoir"


def test_retirer_le_dernier_candidat_remet_la_vacance_a_pourvoir(monde):
    positionnement = positionner(monde)
    with pytest.raises(ValidationError) as erreur:
        services.retirer_positionnement(auteur=monde.agent_bailleur, positionnement=positionnement, motif=" ")
    assert "motif" in erreur.value.message_dict

    services.retirer_positionnement(
        auteur=monde.agent_bailleur, positionnement=positionnement, motif="Ressources au-dessus du plafond"
    )
    positionnement.refresh_from_db()
    assert positionnement.etat == "retire"
    evenement = dernier(positionnement.demande, Type.RETRAIT_POSITIONNEMENT)
    assert evenement.precisions == "Ressources au-dessus du plafond - bien KALLIMA 2 (0629 - 0013)"
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "a_pourvoir"
    assert DisponibiliteEvenement.objects.filter(commentaire="Plus aucun candidat positionné").exists()
    with pytest.raises(TransitionInterdite):
        services.retirer_positionnement(auteur=monde.agent_bailleur, positionnement=positionnement, motif="encore")


def test_retirer_un_candidat_quand_il_en_reste_un_laisse_la_vacance_en_cours(monde):
    premier = positionner(monde)
    positionner(monde)
    services.retirer_positionnement(auteur=monde.agent_bailleur, positionnement=premier, motif="Doublon")
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "en_cours"


# ---------------------------------------------------------------- contact


def test_un_contact_est_un_evenement_contact_demandeur(monde):
    positionnement = positionner(monde)
    contact = services.contacter(
        auteur=monde.agent_bailleur,
        positionnement=positionnement,
        date_contact=AUJOURD_HUI(),
        mode="telephone",
        resultat="interesse",
    )
    evenement = dernier(positionnement.demande, Type.CONTACT)
    assert evenement.get_type_display() == "Contact demandeur"
    assert evenement.precisions == "Contact pré-CAL - Intéressé - Mode : Téléphone - bien KALLIMA 2 (0629 - 0013)"
    assert TransitionContact.objects.get(contact=contact).etat_apres == "enregistre"
    assert contact.organisme == monde.bailleur


def test_un_contact_sans_positionnement_porte_sur_la_demande_et_la_vacance(monde):
    demande = monde.demande()
    contact = services.contacter(
        auteur=monde.agent_ddets,
        disponibilite=monde.disponibilite,
        demande=demande,
        date_contact=AUJOURD_HUI(),
        mode="sms",
        resultat="pas_interesse",
        motif="localisation_quartier",
    )
    assert contact.positionnement is None
    assert dernier(demande, Type.CONTACT).precisions == (
        "Contact pré-CAL - Pas intéressé - Mode : SMS - Motif : Localisation / Quartier - bien KALLIMA 2 (0629 - 0013)"
    )


def test_le_refus_d_etre_positionne_a_son_propre_type_et_change_la_cotation_aussitot(monde, signaux):
    positionnement = positionner(monde)
    signaux.clear()
    services.contacter(
        auteur=monde.agent_bailleur,
        positionnement=positionnement,
        date_contact=AUJOURD_HUI(),
        mode="telephone",
        resultat="refus_positionnement",
        motif="taille",
    )
    demande = positionnement.demande
    assert not Evenement.objects.filter(demande=demande, type=Type.CONTACT).exists()
    assert not Evenement.objects.filter(demande=demande, type=Type.REFUS_PROPOSITION).exists()
    evenement = dernier(demande, Type.REFUS_POSITIONNEMENT)
    assert evenement.get_type_display() == "Refus d'être positionné en CAL après un contact"
    assert evenement.precisions == "Taille du logement / Surface des pièces - bien KALLIMA 2 (0629 - 0013)"
    assert (demande.pk, "Refus d'être positionné en CAL après un contact") in signaux
    positionnement.refresh_from_db()
    assert positionnement.etat == "decline"
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "a_pourvoir"


@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        ({"resultat": "pas_interesse", "motif": ""}, "motif", "Indiquez le motif."),
        ({"date_contact": "demain"}, "date", "La date du contact est dans le futur"),
        ({"date_contact": "avant_depot"}, "date", "précède le dépôt de la demande"),
        ({"mode": "pigeon"}, "mode", "Choisissez le mode du contact"),
    ],
)
def test_un_contact_invalide_est_refuse_avec_un_message_par_champ(monde, changements, champ, message):
    positionnement = positionner(monde)
    dates = {"demain": AUJOURD_HUI() + timedelta(days=1), "avant_depot": AUJOURD_HUI() - timedelta(days=1)}
    arguments = {"date_contact": AUJOURD_HUI(), "mode": "telephone", "resultat": "interesse", **changements}
    arguments["date_contact"] = dates.get(arguments["date_contact"], arguments["date_contact"])
    with pytest.raises(ValidationError) as erreur:
        services.contacter(auteur=monde.agent_bailleur, positionnement=positionnement, **arguments)
    assert message in " ".join(erreur.value.message_dict[champ])
    assert not Contact.objects.exists()


# ---------------------------------------------------------------- propositions


def proposer(monde, positionnement=None, **kwargs):
    positionnement = positionnement or positionner(monde)
    return services.proposer_logement(auteur=monde.agent_bailleur, positionnement=positionnement, **kwargs)


def test_proposer_ecrit_creation_proposition_et_une_seule_attend_sa_reponse(monde):
    proposition = proposer(monde)
    assert proposition.etat == "envoyee"
    assert proposition.date_limite == AUJOURD_HUI() + timedelta(days=10)
    evenement = dernier(proposition.demande, Type.PROPOSITION)
    assert evenement.get_type_display() == "Proposition de logement"
    assert evenement.precisions.startswith(f"Création proposition {proposition.pk} - bien KALLIMA 2 (0629 - 0013)")
    with pytest.raises(TransitionInterdite):
        proposer(monde, proposition.positionnement)


def test_une_date_limite_trop_lointaine_est_refusee(monde):
    with pytest.raises(ValidationError) as erreur:
        proposer(monde, date_limite=AUJOURD_HUI() + timedelta(days=200))
    assert "au plus 90 jours" in erreur.value.message_dict["date_limite"][0]
    assert not Proposition.objects.exists()


def test_accepter_retient_le_candidat(monde):
    proposition = proposer(monde)
    services.accepter_proposition(auteur=monde.agent_bailleur, proposition=proposition)
    proposition.refresh_from_db()
    assert (proposition.etat, proposition.date_reponse) == ("acceptee", AUJOURD_HUI())
    assert proposition.positionnement.etat == "retenu"
    evenement = dernier(proposition.demande, Type.ACCEPTATION_PROPOSITION)
    assert evenement.precisions == f"Proposition {proposition.pk} acceptée - bien KALLIMA 2 (0629 - 0013)"
    assert list(TransitionProposition.objects.filter(proposition=proposition).values_list("etat_apres", flat=True)) == [
        "envoyee",
        "acceptee",
    ]
    with pytest.raises(TransitionInterdite):
        services.refuser_proposition(auteur=monde.agent_bailleur, proposition=proposition, motif="taille")


def test_refuser_exige_un_motif_et_ecrit_le_refus_du_seed(monde, signaux):
    proposition = proposer(monde)
    with pytest.raises(ValidationError) as erreur:
        services.refuser_proposition(auteur=monde.agent_bailleur, proposition=proposition, motif="")
    assert erreur.value.message_dict["motif"] == ["Indiquez le motif."]
    signaux.clear()

    services.refuser_proposition(auteur=monde.agent_bailleur, proposition=proposition, motif="taille")
    proposition.refresh_from_db()
    assert (proposition.etat, proposition.motif_refus) == ("refusee", "taille")
    evenement = dernier(proposition.demande, Type.REFUS_PROPOSITION)
    assert evenement.get_type_display() == "Refus du demandeur d'une proposition de logement"
    assert evenement.precisions == "Taille du logement / Surface des pièces"
    # Refus d'une proposition avant la CAL : pas de décote (annexe 1 : seuls les refus d'un logement attribué).
    assert not any(pk == proposition.demande_id for pk, _ in signaux)
    assert proposition.positionnement.etat == "clos"
    monde.disponibilite.refresh_from_db()
    assert monde.disponibilite.etat == "a_pourvoir"


def test_l_absence_de_reponse_ne_se_constate_qu_apres_la_date_limite(monde):
    proposition = proposer(monde, date_limite=AUJOURD_HUI() + timedelta(days=5))
    with pytest.raises(TransitionInterdite) as erreur:
        services.constater_non_reponse(proposition=proposition, le=AUJOURD_HUI() + timedelta(days=5))
    assert "après cette date" in erreur.value.messages[0]

    services.constater_non_reponse(proposition=proposition, le=AUJOURD_HUI() + timedelta(days=6))
    proposition.refresh_from_db()
    assert proposition.etat == "sans_reponse"
    evenement = dernier(proposition.demande, Type.NON_REPONSE_PROPOSITION)
    assert evenement.auteur_libelle == "Traitement automatisé"
    assert "Non réponse" in evenement.precisions
    assert proposition.positionnement.etat == "clos"


def test_le_job_de_nuit_est_idempotent(monde):
    echue = proposer(monde, date_limite=AUJOURD_HUI() + timedelta(days=2))
    a_temps = proposer(monde, date_limite=AUJOURD_HUI() + timedelta(days=20))
    repondue = proposer(monde, date_limite=AUJOURD_HUI() + timedelta(days=1))
    services.accepter_proposition(auteur=monde.agent_bailleur, proposition=repondue)
    le = AUJOURD_HUI() + timedelta(days=3)

    premier = services.constater_non_reponses_echues(le=le)
    second = services.constater_non_reponses_echues(le=le)

    assert (premier.constatees, second.constatees) == (1, 0)
    assert Proposition.objects.get(pk=echue.pk).etat == "sans_reponse"
    assert Proposition.objects.get(pk=a_temps.pk).etat == "envoyee"
    assert Proposition.objects.get(pk=repondue.pk).etat == "acceptee"
    assert Evenement.objects.filter(type=Type.NON_REPONSE_PROPOSITION).count() == 1


def test_la_tache_du_beat_appelle_le_job(monde):
    assert constater_non_reponses.apply().get() == {"constatees": 0, "deja_traitees": 0}


# ---------------------------------------------------------------- visites


def test_une_visite_prevue_puis_realisee_avec_son_bilan(monde):
    positionnement = positionner(monde)
    plus_tard = timezone.localtime() + timedelta(days=3)
    future = services.planifier_visite(
        auteur=monde.agent_bailleur, positionnement=positionnement, date_prevue=plus_tard
    )
    with pytest.raises(ValidationError) as erreur:
        services.realiser_visite(auteur=monde.agent_bailleur, visite=future, bilan="Bien")
    assert "prévue plus tard" in erreur.value.message_dict["bilan"][0]
    services.annuler_visite(auteur=monde.agent_bailleur, visite=future, motif="Candidat malade")

    ce_matin = timezone.localtime().replace(hour=0, minute=5)
    visite = services.planifier_visite(auteur=monde.agent_bailleur, positionnement=positionnement, date_prevue=ce_matin)
    with pytest.raises(ValidationError):
        services.realiser_visite(auteur=monde.agent_bailleur, visite=visite, bilan="")
    services.realiser_visite(auteur=monde.agent_bailleur, visite=visite, bilan="Refus - Taille du logement")
    visite.refresh_from_db()
    assert (visite.etat, visite.bilan) == ("realisee", "Refus - Taille du logement")
    precisions = list(
        Evenement.objects.filter(demande=positionnement.demande, type=Type.VISITE)
        .order_by("id")
        .values_list("precisions", flat=True)
    )
    assert precisions[0].startswith(f"Visite prévue le {plus_tard:%d/%m/%Y à %H:%M}")
    assert precisions[1].startswith(f"Visite du {plus_tard:%d/%m/%Y} annulée : Candidat malade")
    assert precisions[3] == (
        f"Visite réalisée le {ce_matin:%d/%m/%Y} - Bilan : Refus - Taille du logement - bien KALLIMA 2 (0629 - 0013)"
    )
    assert TransitionVisite.objects.filter(visite=visite).count() == 2
    with pytest.raises(TransitionInterdite):
        services.realiser_visite(auteur=monde.agent_bailleur, visite=visite, bilan="encore")


def test_une_visite_dans_plus_d_un_an_est_refusee(monde):
    positionnement = positionner(monde)
    with pytest.raises(ValidationError) as erreur:
        services.planifier_visite(
            auteur=monde.agent_bailleur,
            positionnement=positionnement,
            date_prevue=timezone.localtime() + timedelta(days=400),
        )
    assert "trop lointaine" in erreur.value.message_dict["date_prevue"][0]
    assert not Visite.objects.exists()
