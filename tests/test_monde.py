"""Le monde des tests dit vrai : une demande de la fabrique porte ce qu'écrivent les services, dans chaque état."""

import datetime

import time_machine
from django.utils import timezone

from demandes.dossier import choix
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.en_ligne import services as en_ligne
from demandes.models import CleIdentite, Demande, Evenement
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.factories import DemandeFactory, GuichetFactory
from tests.monde.territoires import territoire_nantes

LE = datetime.datetime(2026, 5, 14, 10, 0, tzinfo=datetime.UTC)


def _types(demande) -> list[str]:
    return list(demande.evenements.order_by("date", "id").values_list("type", flat=True))


@time_machine.travel(LE, tick=False)
def test_une_demande_enregistree_porte_numero_reference_echeance_et_historique():
    guichet = GuichetFactory(code="10865")
    demande = DemandeFactory(guichet=guichet, communes=[guichet.commune])

    nu = analyser_numero_unique(demande.numero_unique)
    assert (nu.departement, nu.mois, nu.annee, nu.sequence, nu.guichet) == ("044", 5, 2026, 1, "10865")
    assert demande.reference == "2026050001"
    assert (demande.etat, demande.date_depot, demande.date_expiration) == (
        Demande.Etat.ACTIVE,
        datetime.date(2026, 5, 14),
        datetime.date(2027, 5, 14),
    )
    assert demande.organisme_saisie == guichet.organisme
    [enregistrement] = demande.evenements.all()
    assert (enregistrement.type, enregistrement.etat_avant, enregistrement.etat_apres) == (
        Evenement.Type.ENREGISTREMENT,
        Demande.Etat.BROUILLON,
        Demande.Etat.ACTIVE,
    )
    assert enregistrement.details == {
        "numero_unique": demande.numero_unique,
        "guichet": "10865",
        "reference": "2026050001",
    }
    assert enregistrement.auteur_libelle == guichet.organisme.nom
    assert list(CleIdentite.objects.filter(demande=demande).values_list("role", flat=True)) == ["demandeur"]


@time_machine.travel(LE, tick=False)
def test_la_fabrique_et_les_services_tirent_les_memes_compteurs():
    m = territoire_nantes()
    fabriquee = DemandeFactory(guichet=m.guichet_ehs, communes=[m.reze])
    enregistree = enregistrer(m, nom="DURAND")
    assert analyser_numero_unique(enregistree.numero_unique).sequence == 2
    assert (fabriquee.reference, enregistree.reference) == ("2026050001", "2026050002")


def test_un_brouillon_n_a_ni_numero_ni_historique():
    brouillon = DemandeFactory(brouillon=True)
    assert (brouillon.etat, brouillon.numero_unique, brouillon.reference) == (Demande.Etat.BROUILLON, None, None)
    assert (brouillon.date_depot, brouillon.date_expiration) == (None, None)
    assert not brouillon.evenements.exists()


def test_une_demande_en_ligne_attend_sa_validation_au_guichet():
    m = territoire_nantes()
    demande = DemandeFactory(en_ligne=True, guichet=m.guichet_ehs, communes=[m.reze])
    assert (demande.etat, demande.canal, demande.numero_unique) == (Demande.Etat.A_VALIDER, choix.Canal.EN_LIGNE, None)
    # Avec la pièce d'identité du demandeur, obligatoire pour la valider.
    assert _types(demande) == [Evenement.Type.DEPOT_EN_LIGNE, Evenement.Type.PIECE_AJOUTEE]
    assert list(en_ligne.file_a_valider(m.agent_ehs)) == [demande]
    # Un dossier complet, que le guichet valide comme un dépôt du portail.
    validee = en_ligne.valider_demande_en_ligne(demande, user=m.agent_ehs, identite_verifiee=True)
    assert validee.numero_unique.endswith(m.guichet_ehs.code)


def test_annulee_et_satisfaite_passent_par_les_services_de_transition():
    annulee = DemandeFactory(annulee=True)
    assert (annulee.etat, annulee.motif_annulation, annulee.date_fin) == (
        Demande.Etat.ANNULEE,
        choix.MotifAnnulation.RENONCIATION,
        timezone.localdate(),
    )
    assert _types(annulee) == [Evenement.Type.ENREGISTREMENT, Evenement.Type.ANNULATION]

    fin = timezone.localdate() - datetime.timedelta(days=10)
    satisfaite = DemandeFactory(satisfaite=True, date_fin=fin)
    assert (satisfaite.etat, satisfaite.date_fin) == (Demande.Etat.SATISFAITE, fin)
    assert _types(satisfaite) == [Evenement.Type.ENREGISTREMENT, Evenement.Type.SATISFACTION]


def test_avec_co_demandeur_le_menage_compte_deux_titulaires():
    demande = DemandeFactory(avec_co_demandeur=True, co_demandeur__prenom="Linh")
    assert demande.nb_personnes == 2
    assert sorted(demande.personnes.values_list("role", "prenom")) == [
        ("codemandeur", "Linh"),
        ("demandeur", demande.prenom),
    ]
    assert set(CleIdentite.objects.filter(demande=demande).values_list("role", flat=True)) == {
        "demandeur",
        "codemandeur",
    }


def test_le_dossier_de_test_est_complet():
    """La saisie type passe la validation complète des services (elle sert à enregistrer partout)."""
    m = territoire_nantes()
    demande = enregistrer(m, codemandeur=("MARTIN", "Paul", datetime.date(1983, 2, 1)))
    assert demande.etat == Demande.Etat.ACTIVE
    assert dossier(communes=[m.reze]).demandeur.nom == "MARTIN"
