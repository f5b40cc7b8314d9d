"""Accord de ``importation.ecriture_sql`` avec l'ORM : ce que le COPY écrit se relit tel quel, un logement existant
est mis à jour par son code, un programme déplacé entraîne ses logements."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from offre.importation import ecriture_sql
from offre.models import Logement
from tests.monde.factories import CommuneFactory, LogementFactory, ProgrammeFactory, QuartierFactory

DESCRIPTION = {
    "typologie": "T2",
    "categorie": "maison",
    "nature": "parking",
    "surface": Decimal("48.5"),
    "etage": 0,
    "ascenseur": False,
    "accessibilite": "adaptable",
    "loyer": Decimal("390.10"),
    "charges": Decimal("41.00"),
    "financement": "PLAI",
    "reservataire_id": None,
    "dpe": "C",
    "loyer_accessible": True,
    "labels": ["ASV"],
}


def _lu(logement_id) -> dict:
    champs = ["programme_id", "code", *ecriture_sql.COLONNES_LOGEMENT_COPIEES]
    return Logement.objects.filter(pk=logement_id).values(*champs).get()


def test_le_copy_ecrit_et_met_a_jour_ce_que_l_orm_relit():
    programme = ProgrammeFactory()
    existant = LogementFactory(programme=programme, code="0001")
    assert ecriture_sql.logements_existants([programme.pk]) == set(
        Logement.objects.filter(programme=programme).values_list("programme_id", "code")
    )
    maintenant = timezone.now()
    localisation = (programme.bailleur_id, programme.commune_id, programme.departement_id, None, False)
    lignes = [
        (programme.pk, "0001", *localisation, *DESCRIPTION.values(), maintenant, maintenant),
        (programme.pk, "0002", *localisation, *{**DESCRIPTION, "typologie": "T5"}.values(), maintenant, maintenant),
    ]
    assert ecriture_sql.ecrire_logements(lignes) == 2
    assert Logement.objects.filter(programme=programme).count() == 2
    for ligne in lignes:
        logement = Logement.objects.get(programme=programme, code=ligne[1])
        attendu = dict(zip(["programme_id", "code", *ecriture_sql.COLONNES_LOGEMENT_COPIEES], ligne[:-2], strict=True))
        assert _lu(logement.pk) == attendu
    existant.refresh_from_db()
    assert (existant.typologie, existant.created_at < maintenant) == ("T2", True)  # mis à jour, pas recréé


def test_un_programme_deplace_entraine_tous_ses_logements():
    programme = ProgrammeFactory()
    logements = [LogementFactory(programme=programme) for _ in range(2)]
    ailleurs = LogementFactory()  # un autre programme : intouché
    quartier = QuartierFactory(commune=CommuneFactory())
    programme.commune, programme.departement = quartier.commune, quartier.commune.departement
    programme.quartier, programme.qpv = quartier, True
    programme.save()
    ecriture_sql.suivre_programmes([programme.pk])
    for logement in logements:
        logement.refresh_from_db()
        assert (logement.commune_id, logement.departement_id, logement.quartier_id, logement.qpv) == (
            programme.commune_id,
            programme.departement_id,
            quartier.pk,
            True,
        )
    avant = (ailleurs.commune_id, ailleurs.quartier_id)
    ailleurs.refresh_from_db()
    assert (ailleurs.commune_id, ailleurs.quartier_id) == avant
