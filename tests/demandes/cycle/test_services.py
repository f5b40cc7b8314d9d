"""Cycle de vie d'une demande par les services : numéro, historique, transitions."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.utils import ProgrammingError

from demandes.cycle import services
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.models import CleIdentite, Demande, Evenement, LocalisationSouhaitee, Personne, Ressource
from tests.monde.dossiers import dossier
from tests.monde.factories import CommuneFactory, DepartementFactory, GuichetFactory
from tests.monde.fichiers import piece_identite


@pytest.fixture
def guichet(territoire_reze):
    return territoire_reze.guichet


@pytest.fixture
def agent(territoire_reze):
    return territoire_reze.agent


@time_machine.travel(datetime.datetime(2026, 5, 14, 10, 0), tick=False)
def test_enregistrer_attribue_numero_reference_et_historique(guichet, agent):
    commune = guichet.commune
    d = services.enregistrer_demande(
        dossier(communes=[commune]),
        auteur=services.Auteur.agent(agent),
        guichet=guichet,
        piece_identite=piece_identite(),
    )
    d.refresh_from_db()
    nu = analyser_numero_unique(d.numero_unique)
    assert (nu.departement, nu.mois, nu.annee, nu.sequence, nu.guichet) == (
        commune.departement_id.zfill(3),
        5,
        2026,
        1,
        "10865",
    )
    assert d.reference == "2026050001"
    assert d.etat == Demande.Etat.ACTIVE
    assert d.date_depot == datetime.date(2026, 5, 14)
    assert d.date_expiration == datetime.date(2027, 5, 14)
    assert d.localisations.get().date_anciennete == datetime.date(2026, 5, 14)
    evenement = d.evenements.get(type="enregistrement")
    assert evenement.type == Evenement.Type.ENREGISTREMENT
    assert evenement.auteur == agent
    assert evenement.organisme == guichet.organisme
    second = services.enregistrer_demande(
        dossier(communes=[commune], nom="DURAND"),
        auteur=services.Auteur.agent(agent),
        guichet=guichet,
        piece_identite=piece_identite(),
    )
    assert analyser_numero_unique(second.numero_unique).sequence == 2
    assert second.reference == "2026050002"


def test_le_numero_rendu_par_un_rollback_est_reattribue(guichet, agent):
    commune = guichet.commune
    incomplet = dossier(communes=[commune], typologies=[])
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_demande(
            incomplet, auteur=services.Auteur.agent(agent), guichet=guichet, piece_identite=piece_identite()
        )
    assert "typologies" in erreur.value.message_dict
    d = services.enregistrer_demande(
        dossier(communes=[commune]),
        auteur=services.Auteur.agent(agent),
        guichet=guichet,
        piece_identite=piece_identite(),
    )
    assert analyser_numero_unique(d.numero_unique).sequence == 1
    assert Demande.objects.count() == 1


def test_modification_historise_chaque_champ_avec_ancienne_et_nouvelle_valeur(guichet, agent):
    auteur = services.Auteur.agent(agent)
    d = services.enregistrer_demande(
        dossier(communes=[guichet.commune]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )
    saisi = services.charger_dossier(Demande.objects.get(pk=d.pk))
    saisi.demande.loyer_actuel = 640
    saisi.demande.typologies = ["T3", "T4"]
    saisi.personnes[0].personne.prenom = "Clara"
    changements = services.modifier_demande(saisi, auteur=auteur)
    champs = {(c["champ"], c["ancien"], c["nouveau"]) for c in changements}
    assert ("Loyer avec charges (€/mois)", "—", "640") in champs or (
        "Loyer avec charges (€/mois)",
        "—",
        "640,00",
    ) in champs
    assert ("Prénom", "Claire", "Clara") in champs
    assert ("Typologies recherchées", "T3 - 3 pièces", "T3 - 3 pièces, T4 - 4 pièces") in champs
    modif = d.evenements.get(type=Evenement.Type.MODIFICATION)
    assert modif.details["changements"] == changements
    assert Demande.objects.get(pk=d.pk).prenom == "Clara"
    # Rien de changé : pas d'événement.
    assert services.modifier_demande(services.charger_dossier(Demande.objects.get(pk=d.pk)), auteur=auteur) == []
    assert d.evenements.filter(type=Evenement.Type.MODIFICATION).count() == 1


def test_renouveler_garde_le_depot_et_repousse_l_echeance(guichet, agent):
    auteur = services.Auteur.agent(agent)
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9), tick=False):
        d = services.enregistrer_demande(
            dossier(communes=[guichet.commune]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
        )
    with time_machine.travel(datetime.datetime(2026, 2, 10, 9), tick=False):
        services.renouveler_demande(d, auteur=auteur)
    d.refresh_from_db()
    assert d.date_depot == datetime.date(2025, 3, 1)
    assert d.date_renouvellement == datetime.date(2026, 2, 10)
    assert d.date_expiration == datetime.date(2027, 2, 10)


def test_annulation_automatique_puis_reactivation_dans_le_delai(guichet, agent):
    auteur = services.Auteur.agent(agent)
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9), tick=False):
        d = services.enregistrer_demande(
            dossier(communes=[guichet.commune]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
        )
    assert services.annuler_pour_non_renouvellement(d, le=datetime.date(2026, 3, 1)) is None  # pas encore échue
    services.annuler_pour_non_renouvellement(d, le=datetime.date(2026, 3, 2))
    d.refresh_from_db()
    assert (d.etat, d.motif_annulation) == ("annulee", "non_renouvellement")
    automatique = d.evenements.get(type=Evenement.Type.ANNULATION_AUTOMATIQUE)
    assert automatique.auteur_libelle == "Traitement automatisé"
    assert automatique.auteur is None
    with pytest.raises(services.TransitionInterdite):
        services.reactiver_demande(d, auteur=auteur, motif="Oubli", le=datetime.date(2026, 5, 1))
    services.reactiver_demande(d, auteur=auteur, motif="Renouvellement reçu en retard", le=datetime.date(2026, 3, 20))
    d.refresh_from_db()
    assert d.etat == "active"
    assert d.date_depot == datetime.date(2025, 3, 1)
    assert d.date_expiration == datetime.date(2027, 3, 20)


def test_transitions_interdites_et_motifs_obligatoires(guichet, agent):
    auteur = services.Auteur.agent(agent)
    d = services.enregistrer_demande(
        dossier(communes=[guichet.commune]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )
    with pytest.raises(ValidationError) as erreur:
        services.annuler_demande(d, motif="", auteur=auteur)
    assert "motif" in erreur.value.message_dict
    with pytest.raises(ValidationError) as erreur:
        services.annuler_demande(d, motif="autre", commentaire="Déménagé", auteur=auteur)
    assert "R441-2-8" in erreur.value.message_dict["motif"][0]
    services.satisfaire_demande(d, auteur=auteur, precisions="Bail signé – KALLIMA 2 (0629 - 0013)")
    with pytest.raises(services.TransitionInterdite, match="satisfaite"):
        services.renouveler_demande(d, auteur=auteur)
    with pytest.raises(services.TransitionInterdite):
        services.annuler_demande(d, motif="renonciation", auteur=auteur)
    assert [e.type for e in d.evenements.order_by("date", "id")] == ["enregistrement", "piece_ajoutee", "satisfaction"]


def test_guichet_relai_ne_peut_pas_enregistrer(agent):
    relai = GuichetFactory(type="relai")
    with pytest.raises(ValidationError, match="relai"):
        services.enregistrer_demande(
            dossier(communes=[relai.commune]),
            auteur=services.Auteur.agent(agent),
            guichet=relai,
            piece_identite=piece_identite(),
        )


def test_commune_hors_departement_refusee_avec_message(guichet, agent):
    ailleurs = CommuneFactory(
        code_insee="35238", nom="Rennes", departement=DepartementFactory(code="35", nom="Ille-et-Vilaine")
    )
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_demande(
            dossier(communes=[guichet.commune, ailleurs]),
            auteur=services.Auteur.agent(agent),
            guichet=guichet,
            piece_identite=piece_identite(),
        )
    assert "localisations[1].commune" in erreur.value.message_dict
    assert Demande.objects.count() == 0


def test_historique_immuable_en_base(guichet, agent):
    d = services.enregistrer_demande(
        dossier(communes=[guichet.commune]),
        auteur=services.Auteur.agent(agent),
        guichet=guichet,
        piece_identite=piece_identite(),
    )
    evenement = d.evenements.get(type="enregistrement")
    with pytest.raises(ProgrammingError, match="immuable"), connection.cursor() as curseur:
        curseur.execute("UPDATE demandes_evenement SET precisions = 'x' WHERE id = %s", [evenement.pk])


def test_l_enregistrement_ecrit_tout_le_menage_et_pose_les_identifiants_sur_le_dossier(guichet, agent):
    """L'enregistrement écrit la demande et son ménage en une instruction : chaque ligne saisie est en
    base, à son rang, et chaque objet du dossier porte l'identifiant de sa ligne."""

    autre = CommuneFactory(departement=guichet.commune.departement)
    saisi = dossier(
        communes=[guichet.commune, autre],
        codemandeur=("DUPONT", "Marc", datetime.date(1983, 2, 1)),
        occupants=[("Léa", datetime.date(2015, 6, 1))],
    )
    saisi.personnes[1].ressources = [
        Ressource(type="salaire", montant=Decimal("1200.50")),
        Ressource(type="prime_activite", montant=Decimal("80")),
    ]
    d = services.enregistrer_demande(
        saisi, auteur=services.Auteur.agent(agent), guichet=guichet, piece_identite=piece_identite()
    )
    personnes = list(Personne.objects.filter(demande=d).order_by("rang"))
    assert [(p.pk, p.rang, p.role, p.nom) for p in personnes] == [
        (s.personne.pk, i, s.personne.role, s.personne.nom) for i, s in enumerate(saisi.personnes)
    ]
    ressources = set(Ressource.objects.filter(personne__demande=d).values_list("pk", "personne_id", "type", "montant"))
    assert ressources == {
        (r.pk, s.personne.pk, r.type, r.montant) for s in saisi.personnes for r in s.ressources if r.montant is not None
    }
    assert len(ressources) == 3
    assert list(
        LocalisationSouhaitee.objects.filter(demande=d).order_by("rang").values_list("pk", "rang", "commune_id")
    ) == [(loc.pk, i, loc.commune_id) for i, loc in enumerate(saisi.localisations, start=1)]
    assert LocalisationSouhaitee.objects.filter(demande=d, date_anciennete=d.date_depot).count() == 2
    assert sorted(CleIdentite.objects.filter(demande=d).values_list("role", "nom")) == [
        ("codemandeur", "DUPONT"),
        ("demandeur", "MARTIN"),
    ]
    relue = Demande.objects.get(pk=d.pk)
    assert (relue.created_at, relue.nom, relue.typologies) == (d.created_at, "MARTIN", ["T3"])
