"""Labels (priorités, éligibilités, contingents) : droits par rôle et par organisme, historique,
label automatique du 1er quartile (unitaire et par lots, idempotents), filtre des listes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from demandes.cycle import services
from demandes.dossier import calculs
from demandes.labels import services as labels
from demandes.models import Demande, Evenement, Label, SeuilPremierQuartile, TypeLabel
from fdls.audit.models import Consultation
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes()


def evenements(demande, type_):
    return list(Evenement.objects.filter(demande=demande, type=type_).order_by("id"))


# ---------------------------------------------------------------- droits


def test_la_ddets_pose_un_label_cp_qui_entre_dans_l_historique(m):
    demande = enregistrer(m, date_depot=datetime.date(2024, 1, 15))
    label = labels.poser_label(
        demande, m.cp_dalo, user=m.agent_ddets, date_pose=datetime.date(2024, 3, 1), commentaire="Décision COMED"
    )
    assert (label.organisme, label.auteur, label.date_pose) == (m.ddets, m.agent_ddets, datetime.date(2024, 3, 1))
    assert label.actif
    [evt] = evenements(demande, Evenement.Type.LABEL)
    assert evt.precisions == "Ajout : CP - Dalo – Décision COMED"
    assert (evt.organisme, evt.auteur, evt.details["label"]) == (m.ddets, m.agent_ddets, "cp-dalo")


@pytest.mark.parametrize("type_attr", ["als_type", "mairie_reze"])
def test_la_ddets_ne_pose_que_les_labels_cp_et_le_refus_est_journalise(m, type_attr):
    demande = enregistrer(m)
    with pytest.raises(labels.LabelRefuse) as refus:
        labels.poser_label(demande, getattr(m, type_attr), user=m.agent_ddets)
    assert "La DDETS n'ajoute et ne retire que les labels du contingent préfectoral" in refus.value.message
    assert not Label.objects.filter(demande=demande).exists()
    assert not evenements(demande, Evenement.Type.LABEL)
    journal = Consultation.objects.get(action=Consultation.Action.REFUS)
    assert (journal.utilisateur, journal.objet_id) == (m.agent_ddets, str(demande.pk))


def test_un_reservataire_pose_son_contingent_et_pas_celui_d_autrui(m):
    demande = enregistrer(m)
    labels.poser_label(demande, m.mairie_reze, user=m.agent_reze)
    labels.poser_label(demande, m.als_type, user=m.agent_als)
    with pytest.raises(labels.LabelRefuse, match="contingent de Ville de Rezé"):
        labels.poser_label(demande, m.mairie_reze, user=m.agent_als)
    with pytest.raises(labels.LabelRefuse, match="« CP - Dalo » est posé par les organismes de type"):
        labels.poser_label(demande, m.cp_dalo, user=m.agent_reze)
    assert sorted(Label.objects.filter(demande=demande).values_list("type__code", flat=True)) == [
        "eligibilite-als",
        m.mairie_reze.code,
    ]


def test_les_listes_proposees_ne_contiennent_que_les_labels_posables(m):
    codes = lambda user: {t.code for t in labels.types_posables(user)}  # noqa: E731
    cp = set(TypeLabel.objects.filter(type_organisme_autorise="etat", automatique=False).values_list("code", flat=True))
    assert codes(m.agent_ddets) == cp
    assert codes(m.agent_als) == {"eligibilite-als"}
    assert codes(m.agent_reze) == {m.mairie_reze.code}
    assert codes(m.agent_bailleur) == set()
    assert codes(m.agent_ehs) == set()


@pytest.mark.parametrize("agent_attr", ["agent_bailleur", "agent_ehs"])
def test_bailleur_et_guichet_ne_posent_pas_de_label(m, agent_attr):
    demande = enregistrer(m)
    with pytest.raises(labels.LabelRefuse, match="Seuls les agents réservataires"):
        labels.poser_label(demande, m.cp_dalo, user=getattr(m, agent_attr))


def test_un_label_automatique_ne_se_pose_ni_ne_se_retire_a_la_main(m):
    demande = enregistrer(m, salaire=Decimal("500"))
    with pytest.raises(labels.LabelRefuse, match="calculé automatiquement"):
        labels.poser_label(demande, m.quartile, user=m.agent_ddets)
    labels.recalculer_labels_automatiques(demande)
    label = Label.objects.get(demande=demande, type=m.quartile)
    with pytest.raises(labels.LabelRefuse, match="calculé automatiquement"):
        labels.retirer_label(label, user=m.agent_ddets)
    assert Label.objects.get(pk=label.pk).actif


def test_une_demande_hors_territoire_est_refusee(m):
    demande = enregistrer(m)
    with pytest.raises(labels.LabelRefuse, match="territoire"):
        labels.poser_label(demande, m.cp_dalo, user=m.agent_lointain)


def test_date_de_label_ni_avant_le_depot_ni_avant_1900(m):
    demande = enregistrer(m, date_depot=datetime.date(2024, 3, 12))
    with pytest.raises(ValidationError) as erreur:
        labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets, date_pose=datetime.date(2024, 3, 11))
    assert erreur.value.message_dict == {
        "date_pose": ["La date de début du label ne peut précéder le dépôt de la demande (12/03/2024)."]
    }
    with pytest.raises(ValidationError) as erreur:
        labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets, date_pose=datetime.date(1899, 12, 31))
    assert "antérieure à 1900" in erreur.value.message_dict["date_pose"][0]
    label = labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets, date_pose=datetime.date(2024, 3, 12))
    with pytest.raises(ValidationError) as erreur:
        labels.retirer_label(label, user=m.agent_ddets, date_retrait=datetime.date(2024, 3, 1))
    assert erreur.value.message_dict == {
        "date_retrait": ["La date de retrait du label ne peut précéder la pose du label (12/03/2024)."]
    }
    assert Label.objects.filter(demande=demande).count() == 1


def test_pas_de_label_sur_une_demande_annulee_ni_en_double_ni_date_future(m):
    demande = enregistrer(m)
    labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    with pytest.raises(ValidationError) as erreur:
        labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    assert "déjà posé sur cette demande" in erreur.value.message_dict["type"][0]
    with pytest.raises(ValidationError) as erreur:
        labels.poser_label(
            demande, m.als_type, user=m.agent_als, date_pose=datetime.date.today() + datetime.timedelta(days=3)
        )
    assert erreur.value.message_dict["date_pose"][0].startswith("La date de début du label ne peut être dans le futur")
    services.annuler_demande(demande, motif="renonciation", auteur=services.Auteur.agent(m.agent_ehs))
    with pytest.raises(ValidationError, match="active"):
        labels.poser_label(demande, m.als_type, user=m.agent_als)
    assert Label.objects.filter(demande=demande).count() == 1


def test_retrait_garde_l_historique_et_permet_une_nouvelle_pose(m):
    demande = enregistrer(m)
    label = labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    with pytest.raises(labels.LabelRefuse):
        labels.retirer_label(label, user=m.agent_als)
    retire = labels.retirer_label(label, user=m.agent_ddets, motif="Relogé")
    assert (retire.date_retrait, retire.retire_par, retire.motif_retrait) == (
        datetime.date.today(),
        m.agent_ddets,
        "Relogé",
    )
    with pytest.raises(ValidationError, match="déjà été retiré"):
        labels.retirer_label(label, user=m.agent_ddets)
    labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    tous = labels.labels_de(demande)
    assert [lab.type.code for lab in tous["actifs"]] == ["cp-dalo"]
    assert [lab.pk for lab in tous["retires"]] == [label.pk]
    assert [e.precisions for e in evenements(demande, Evenement.Type.LABEL_RETRAIT)] == ["Retrait : CP - Dalo – Relogé"]
    assert len(evenements(demande, Evenement.Type.LABEL)) == 2


# ---------------------------------------------------------------- 1er quartile


def test_premier_quartile_pose_puis_retire_et_reste_idempotent(m):
    # 500 €/mois × 12 / 1 UC = 6 000 € < seuil de Nantes Métropole (10 000 €/UC).
    demande = enregistrer(m, salaire=Decimal("500"))
    # L'enregistrement pose le label dans sa transaction ; le recalcul ne fait rien de plus.
    label = Label.objects.get(demande=demande, type=m.quartile)
    assert label.actif
    assert labels.recalculer_labels_automatiques(demande).poses == 0
    assert (label.auteur, label.auteur_libelle, label.organisme) == (None, "Traitement automatisé", None)
    assert len(evenements(demande, Evenement.Type.LABEL)) == 1

    # Le ménage déclare désormais 1 500 €/mois : 18 000 €/UC, le label est retiré (et gardé).
    saisie = services.charger_dossier(demande)
    saisie.personnes[0].ressources[0].montant = Decimal("1500")
    services.modifier_demande(saisie, auteur=services.Auteur.agent(m.agent_ehs))  # retire le label
    bilan = labels.recalculer_labels_automatiques(demande)
    assert (bilan.poses, bilan.retraits) == (0, 0)
    label.refresh_from_db()
    assert not label.actif
    assert label.retire_par_libelle == "Traitement automatisé"
    assert [e.auteur_libelle for e in evenements(demande, Evenement.Type.LABEL_RETRAIT)] == ["Traitement automatisé"]


def _varietes(m):
    """Des ménages aux deux côtés du seuil, dont la frontière exacte, les enfants et une commune sans seuil."""
    enfant = datetime.date.today() - datetime.timedelta(days=365 * 5)
    ado = datetime.date.today() - datetime.timedelta(days=365 * 15 + 10)
    return [
        enregistrer(m, salaire=Decimal("500")),  # 6 000 €/UC
        enregistrer(m, nom="DURAND", salaire=Decimal("1450")),  # 17 400 €/UC
        enregistrer(m, nom="PETIT", salaire=Decimal("833.33")),  # 9 999,96 → 10 000 : pas « inférieur »
        enregistrer(m, nom="ROBERT", salaire=Decimal("833.00")),  # 9 996 €/UC
        enregistrer(m, nom="LEROY", salaire=None),  # aucune ressource : 0 €/UC
        enregistrer(m, nom="MOREAU", salaire=Decimal("1400"), occupants=[("Léa", enfant), ("Tom", ado)]),  # 1,8 UC
        enregistrer(m, nom="FAURE", salaire=Decimal("1400"), occupants=[("Léa", enfant)], enfants_a_naitre=1),
        enregistrer(m, nom="GIRARD", salaire=Decimal("300"), communes=[m.ancenis, m.reze]),  # 1er choix sans seuil
    ]


def test_le_recalcul_par_lots_donne_le_meme_resultat_que_la_synthese(m):
    demandes = _varietes(m)
    bilan = labels.recalculer_labels_automatiques_fichier(taille_paquet=3)
    assert bilan.paquets >= 3
    par_lots = set(Label.objects.actifs().filter(type=m.quartile).values_list("demande_id", flat=True))
    attendus = {
        d.pk
        for d in demandes
        if labels.REGLES_AUTOMATIQUES["cp-premier-quartile"](calculs.synthese(services.charger_dossier(d)))
    }
    assert par_lots == attendus
    # 500 €, 833 €, aucune ressource, et 1 400 € pour 1,8 UC (9 333 €/UC) ; pas 1 400 € pour 1,6 UC (10 500 €/UC).
    assert len(attendus) == 4
    # Idempotent, et d'accord avec le calcul unitaire qui ne trouve plus rien à faire.
    again = labels.recalculer_labels_automatiques_fichier(taille_paquet=3)
    assert (again.poses, again.retraits) == (0, 0)
    assert all(labels.recalculer_labels_automatiques(d).poses == 0 for d in demandes)
    assert Evenement.objects.filter(type=Evenement.Type.LABEL, demande__in=demandes).count() == 4


def test_le_recalcul_par_lots_retire_un_label_devenu_faux(m):
    demande = enregistrer(m, salaire=Decimal("500"))
    assert Label.objects.actifs().filter(demande=demande).exists()
    # Nouvel arrêté : le seuil de l'EPCI baisse à 5 000 €/UC, la demande (6 000 €/UC) n'est plus sous le seuil.
    SeuilPremierQuartile.objects.create(epci=m.reze.epci, annee=2021, montant=Decimal("5000"), source="test")
    bilan = labels.recalculer_labels_automatiques_fichier()
    assert (bilan.poses, bilan.retraits) == (0, 1)
    assert not Label.objects.actifs().filter(demande=demande).exists()
    [evt] = evenements(demande, Evenement.Type.LABEL_RETRAIT)
    assert evt.details["label"] == "cp-premier-quartile"


# ---------------------------------------------------------------- filtre


def test_filtrer_par_label_type_famille_et_organisme(m):
    a, b, c = enregistrer(m), enregistrer(m, nom="DURAND"), enregistrer(m, nom="PETIT")
    labels.poser_label(a, m.cp_dalo, user=m.agent_ddets)
    labels.poser_label(a, m.mairie_reze, user=m.agent_reze)
    labels.poser_label(b, m.als_type, user=m.agent_als)
    retire = labels.poser_label(c, m.cp_dalo, user=m.agent_ddets)
    labels.retirer_label(retire, user=m.agent_ddets)
    base = Demande.objects.all()

    def ids(**criteres):
        return sorted(labels.filtrer_par_label(base, **criteres).values_list("pk", flat=True))

    assert ids(type_label="cp-dalo") == [a.pk]  # le label retiré de c ne compte plus
    assert ids(type_label=m.cp_dalo) == ids(type_label=m.cp_dalo.pk) == [a.pk]
    assert ids(famille="contingent") == [a.pk]
    assert ids(famille="eligibilite") == [b.pk]
    assert ids(organisme=m.ville_reze) == [a.pk]
    assert ids(organisme=m.ddets.pk) == [a.pk]
    assert ids(famille="priorite", organisme=m.als) == []
    assert ids() == sorted(base.values_list("pk", flat=True))
    # Une demande à plusieurs labels n'apparaît qu'une fois.
    assert labels.filtrer_par_label(base, famille=None, organisme=None, type_label=None).count() == base.count()
    assert list(
        labels.filtrer_par_label(base, organisme=m.ddets).union(labels.filtrer_par_label(base, organisme=m.ville_reze))
    ) == [a]


def test_contingents_communaux_crees_une_fois(m):
    assert m.mairie_reze.libelle == "Mairie de Rezé"
    assert labels.creer_contingents_communaux([m.ville_reze]) == 0


def test_la_base_refuse_une_pose_avant_1900_ou_un_retrait_avant_la_pose(m):
    demande = enregistrer(m, date_depot=datetime.date(2024, 3, 12))
    label = labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets, date_pose=datetime.date(2024, 3, 12))
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.filter(pk=label.pk).update(date_pose=datetime.date(1899, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.filter(pk=label.pk).update(date_retrait=datetime.date(2024, 3, 1))
