"""Chaque raison d'exclusion, en français et chiffrée ; la demande exclue n'est pas dans la liste."""

import datetime
from decimal import Decimal

from demandes.cycle import services
from demandes.labels import services as labels
from tests.instruction.rapprochement.aides import COUPLE, candidats, raisons
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory


def exclue(vacance, m, demande, **filtres) -> list[str]:
    assert demande.pk not in candidats(vacance, m.agent_bailleur, **filtres)
    return raisons(vacance, m.agent_bailleur, demande, **filtres)


def test_un_couple_qui_cherche_un_t3_a_nantes_est_candidat_a_son_rang(m, vacance):
    demande = enregistrer(m, communes=[m.reze, m.nantes], codemandeur=COUPLE)
    assert candidats(vacance, m.agent_bailleur) == [demande.pk]
    assert raisons(vacance, m.agent_bailleur, demande) == []


def test_commune_non_demandee(m, vacance):
    demande = enregistrer(m, communes=[m.reze, m.ancenis], codemandeur=COUPLE)
    assert exclue(vacance, m, demande) == ["commune Nantes non demandée (choix : Rezé, Ancenis-Saint-Géréon)"]


def test_typologie_non_demandee(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, typologies=["T2", "T4"])
    assert exclue(vacance, m, demande) == ["typologie T3 non demandée (demande : T2, T4)"]


def test_categorie_non_recherchee(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, categorie_recherchee="maison")
    assert exclue(vacance, m, demande) == ["appartement non recherchée (la demande cherche : maison)"]


def test_sous_occupation(m, vacance):
    demande = enregistrer(m, communes=[m.nantes])
    assert exclue(vacance, m, demande) == ["ménage de 1 personne : sous-occupation d'un T3 (2 personnes au moins)"]


def test_sur_occupation(m, vacance):
    enfants = [(p, datetime.date(2012 + i, 1, 1)) for i, p in enumerate(["Léa", "Tom", "Zoé", "Noé"])]
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, occupants=enfants)
    assert exclue(vacance, m, demande) == ["ménage de 6 personnes : sur-occupation d'un T3 (5 personnes au plus)"]


def test_ressources_au_dessus_du_plafond_plus(m, vacance):
    # Couple (catégorie 2) : plafond PLUS 2026, autres régions, 31 254 € ; 35 630 € = 14 % au-dessus.
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, rfr=Decimal("35630"))
    annee = datetime.date.today().year
    assert exclue(vacance, m, demande) == [
        f"ressources 14 % au-dessus du plafond PLUS catégorie 2 (revenu fiscal {annee - 2} : 35\u202f630\u00a0€ "
        f"pour un plafond {annee} de 31\u202f254\u00a0€)"
    ]


def test_revenu_fiscal_non_renseigne(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, rfr=None)
    assert exclue(vacance, m, demande) == ["revenu fiscal de référence non renseigné : plafond PLUS non vérifiable"]


def test_rez_de_chaussee_exige(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, rez_de_chaussee=True)
    assert exclue(vacance, m, demande) == ["exige un rez-de-chaussée (logement au 2e étage)"]


def test_etage_sans_ascenseur_refuse(m):
    programme = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes)
    vacance = DisponibiliteFactory(logement=LogementFactory(programme=programme, etage=3, ascenseur=False))
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, sans_ascenseur_accepte=False)
    assert exclue(vacance, m, demande) == [
        "n'accepte pas un étage sans ascenseur (logement au 3e étage, sans ascenseur)"
    ]


def test_logement_adapte_au_handicap_requis(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, adapte_handicap=True)
    assert exclue(vacance, m, demande) == ["a besoin d'un logement adapté au handicap (logement : non accessible)"]


def test_hors_du_contingent_du_reservataire(m, logement):
    vacance = DisponibiliteFactory(logement=logement, reservataire=m.als)
    sans = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE)
    avec = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="BERNARD")
    labels.poser_label(avec, m.als_type, user=m.agent_als)
    assert candidats(vacance, m.agent_bailleur) == [avec.pk]
    assert raisons(vacance, m.agent_bailleur, sans) == [
        "hors du contingent de Action Logement Services, dont c'est le tour (aucun de ses labels sur la demande)"
    ]


def test_demande_radiee(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE)
    services.annuler_demande(demande, motif="renonciation", auteur=m.auteur)
    demande.refresh_from_db()
    assert exclue(vacance, m, demande) == [f"demande radiée (annulée le {datetime.date.today():%d/%m/%Y})"]


def test_plusieurs_raisons_ensemble(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], typologies=["T1"], rez_de_chaussee=True)
    assert exclue(vacance, m, demande) == [
        "typologie T3 non demandée (demande : T1)",
        "ménage de 1 personne : sous-occupation d'un T3 (2 personnes au moins)",
        "exige un rez-de-chaussée (logement au 2e étage)",
    ]


def test_le_filtre_de_nom_lit_le_demandeur_et_le_co_demandeur(m, vacance):
    demande = enregistrer(m, communes=[m.nantes], nom="Lefèvre", codemandeur=COUPLE)  # co-demandeur MARTIN
    assert candidats(vacance, m.agent_bailleur, nom="lefe") == [demande.pk]
    assert candidats(vacance, m.agent_bailleur, nom="Mart") == [demande.pk]
    assert exclue(vacance, m, demande, nom="dur") == ["nom LEFÈVRE (filtre : « DUR… », demandeur ou co-demandeur)"]


def test_un_debut_de_nom_de_trois_lettres_garde_le_classement_et_chaque_demande_une_fois(m, vacance):
    """Trois lettres : lecture par l'index (commune, début du nom, classement) en deux parts — demandeur ; co-
    demandeur dont le demandeur ne commence pas ainsi — fusionnées dans l'ordre du classement."""
    depot = datetime.date.today() - datetime.timedelta(days=300)
    demandeur = enregistrer(m, communes=[m.nantes], nom="Marchand", codemandeur=COUPLE, date_depot=depot)
    co_demandeur = enregistrer(m, communes=[m.nantes], nom="Bernard", codemandeur=COUPLE)  # co-demandeur MARTIN
    les_deux = enregistrer(
        m, communes=[m.nantes], nom="Marin", codemandeur=COUPLE, date_depot=depot - datetime.timedelta(days=30)
    )
    enregistrer(m, communes=[m.nantes], nom="Durand", codemandeur=("DUPONT", "Lou", datetime.date(1984, 2, 3)))
    tous = candidats(vacance, m.agent_bailleur)
    attendus = [pk for pk in tous if pk in {demandeur.pk, co_demandeur.pk, les_deux.pk}]
    assert len(tous) == 4
    assert len(attendus) == 3
    assert candidats(vacance, m.agent_bailleur, nom="mar") == attendus  # l'ordre du classement, sans doublon
    assert candidats(vacance, m.agent_bailleur, nom="ma") == attendus  # deux lettres : l'index du classement
    assert candidats(vacance, m.agent_bailleur, nom="Mari") == [les_deux.pk]
    assert candidats(vacance, m.agent_bailleur, nom="marc") == [demandeur.pk]
    assert candidats(vacance, m.agent_bailleur, nom="mart") == attendus  # le co-demandeur MARTIN de chacune
    assert candidats(vacance, m.agent_bailleur, nom="dur") == [pk for pk in tous if pk not in attendus]
