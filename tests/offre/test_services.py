"""Services du parc : programmes, logements, vacances et leur table de transitions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offre import services
from offre.models import (
    Disponibilite,
    DisponibiliteEvenement,
    EtatDisponibilite,
    Logement,
)
from tests.monde.factories import (
    AgentFactory,
    BailleurFactory,
    CommuneFactory,
    DisponibiliteFactory,
    LogementFactory,
    ProgrammeFactory,
    QuartierFactory,
    agent_bailleur,
)

CHAMPS_T3 = {
    "code": "0013",
    "typologie": "T3",
    "categorie": "appartement",
    "surface": Decimal("68.5"),
    "etage": 3,
    "loyer": Decimal("412.30"),
    "charges": Decimal("85"),
    "financement": "PLUS",
}


def test_creer_un_programme_deduit_le_departement_et_le_qpv():
    agent = agent_bailleur()
    malakoff = QuartierFactory(nom="Malakoff", qpv=True)

    programme = services.creer_programme(
        auteur=agent,
        champs={"code": "0629", "nom": "KALLIMA 2", "commune": malakoff.commune, "quartier": malakoff, "qpv": False},
    )

    assert programme.bailleur == agent.organisme
    assert programme.departement_id == malakoff.commune.departement_id
    assert programme.qpv is True


def test_un_code_programme_deja_pris_est_une_erreur_sur_le_code():
    agent = agent_bailleur()
    ProgrammeFactory(bailleur=agent.organisme, code="0629")
    with pytest.raises(ValidationError) as erreur:
        services.creer_programme(auteur=agent, champs={"code": "0629", "nom": "Autre", "commune": CommuneFactory()})
    assert "déjà un programme de code 0629" in erreur.value.message_dict["code"][0]


def test_deplacer_un_programme_deplace_ses_logements():
    agent = agent_bailleur()
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=agent.organisme))
    qpv = QuartierFactory(qpv=True)

    services.modifier_programme(
        auteur=agent, programme=logement.programme, champs={"commune": qpv.commune, "quartier": qpv}
    )

    logement.refresh_from_db()
    assert (logement.commune_id, logement.quartier_id, logement.qpv) == (qpv.commune_id, qpv.pk, True)


def test_creer_un_logement_copie_la_localisation_du_programme():
    agent = agent_bailleur()
    programme = ProgrammeFactory(bailleur=agent.organisme, code="0629", nom="KALLIMA 2")

    logement = services.creer_logement(auteur=agent, programme=programme, champs=CHAMPS_T3)

    assert logement.reference == "KALLIMA 2 (0629 - 0013)"
    assert (logement.bailleur_id, logement.commune_id) == (agent.organisme_id, programme.commune_id)


@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        ({"loyer": Decimal("4000")}, "loyer", "3000"),
        ({"loyer": Decimal("30")}, "loyer", "Loyer impossible"),
        ({"surface": Decimal("20"), "loyer": Decimal("900")}, "loyer", "Loyer impossible"),
        ({"categorie": "maison", "etage": 2}, "etage", "Une maison"),
        ({"surface": Decimal("5")}, "surface", "9"),
        ({"typologie": "T9"}, "typologie", "choix valide"),
    ],
)
def test_les_valeurs_impossibles_sont_refusees(changements, champ, message):
    agent = agent_bailleur()
    programme = ProgrammeFactory(bailleur=agent.organisme)
    with pytest.raises(ValidationError) as erreur:
        services.creer_logement(auteur=agent, programme=programme, champs={**CHAMPS_T3, **changements})
    assert message in " ".join(erreur.value.message_dict[champ])
    assert not Logement.objects.exists()


def test_un_code_logement_en_double_est_refuse():
    agent = agent_bailleur()
    programme = ProgrammeFactory(bailleur=agent.organisme, code="0629")
    services.creer_logement(auteur=agent, programme=programme, champs=CHAMPS_T3)
    with pytest.raises(ValidationError) as erreur:
        services.creer_logement(auteur=agent, programme=programme, champs=CHAMPS_T3)
    assert "déjà un logement de code 0013" in erreur.value.message_dict["code"][0]


def test_seul_l_instructeur_du_bailleur_proprietaire_ecrit():
    logement = LogementFactory()
    autre = agent_bailleur()
    with pytest.raises(PermissionDenied):
        services.modifier_logement(auteur=autre, logement=logement, champs={"loyer": Decimal("300")})
    guichet = AgentFactory(organisme=logement.bailleur)  # rôle agent de guichet
    with pytest.raises(PermissionDenied):
        services.creer_programme(auteur=guichet, champs={"code": "1", "nom": "X", "commune": CommuneFactory()})
    logement.refresh_from_db()
    assert logement.loyer == Decimal("412.30")


def test_declarer_une_vacance_la_rend_a_pourvoir_et_la_journalise():
    agent = agent_bailleur()
    reservataire = BailleurFactory(type="etat", nom="DDETS")
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=agent.organisme))

    disponibilite = services.declarer_disponibilite(
        auteur=agent,
        logement=logement,
        date_disponibilite=date(2026, 12, 1),
        motif="relocation",
        reservataire=reservataire,
    )

    assert disponibilite.etat == EtatDisponibilite.A_POURVOIR
    logement.refresh_from_db()
    assert logement.vacance == "a_pourvoir"
    evenement = disponibilite.evenements.get()
    assert (evenement.etat_avant, evenement.etat_apres, evenement.auteur, evenement.organisme) == (
        "",
        "a_pourvoir",
        agent,
        agent.organisme,
    )
    with pytest.raises(ValidationError, match="déjà une vacance"):
        services.declarer_disponibilite(
            auteur=agent, logement=logement, date_disponibilite=date(2026, 12, 2), motif="relocation"
        )
    assert Disponibilite.objects.count() == 1


def test_un_bailleur_ne_peut_designer_un_autre_bailleur_comme_reservataire():
    agent = agent_bailleur()
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=agent.organisme))
    with pytest.raises(ValidationError):
        services.declarer_disponibilite(
            auteur=agent,
            logement=logement,
            date_disponibilite=date(2026, 12, 1),
            motif="relocation",
            reservataire=BailleurFactory(),
        )


TOUS = list(EtatDisponibilite)
# La table de docs/statuts.md (« Disponibilité d'un logement ») : (avant, après) → motif obligatoire.
PERMISES = {
    ("a_pourvoir", "en_cours"): False,
    ("a_pourvoir", "retiree"): True,
    ("en_cours", "attribuee"): False,
    ("en_cours", "a_pourvoir"): True,
    ("en_cours", "retiree"): True,
}


@pytest.mark.parametrize("avant", TOUS)
@pytest.mark.parametrize("apres", TOUS)
def test_la_table_de_transitions_est_appliquee_et_journalisee(avant, apres):
    agent = agent_bailleur()
    disponibilite = DisponibiliteFactory(logement__programme__bailleur=agent.organisme, etat=avant)
    permise = (avant, apres) in PERMISES

    if not permise:
        with pytest.raises(ValidationError):
            services.changer_etat_disponibilite(auteur=agent, disponibilite=disponibilite, etat=apres, motif="x")
        disponibilite.refresh_from_db()
        assert disponibilite.etat == avant
        assert not DisponibiliteEvenement.objects.exists()
        return
    if PERMISES[avant, apres]:
        with pytest.raises(ValidationError, match="motif"):
            services.changer_etat_disponibilite(auteur=agent, disponibilite=disponibilite, etat=apres)
    services.changer_etat_disponibilite(auteur=agent, disponibilite=disponibilite, etat=apres, motif="Travaux")
    disponibilite.refresh_from_db()
    assert disponibilite.etat == apres
    disponibilite.logement.refresh_from_db()
    assert disponibilite.logement.vacance == (apres if apres in ("a_pourvoir", "en_cours") else "")
    evenement = DisponibiliteEvenement.objects.get()
    assert (evenement.etat_avant, evenement.etat_apres, evenement.commentaire) == (avant, apres, "Travaux")
    assert evenement.auteur == agent
    assert evenement.auteur_libelle == agent.organisme.nom


def test_une_vacance_terminee_permet_d_en_declarer_une_autre():
    agent = agent_bailleur()
    disponibilite = DisponibiliteFactory(logement__programme__bailleur=agent.organisme, etat="en_cours")
    services.changer_etat_disponibilite(auteur=agent, disponibilite=disponibilite, etat="attribuee")
    suivante = services.declarer_disponibilite(
        auteur=agent, logement=disponibilite.logement, date_disponibilite=date(2027, 3, 1), motif="relocation"
    )
    assert suivante.etat == "a_pourvoir"
