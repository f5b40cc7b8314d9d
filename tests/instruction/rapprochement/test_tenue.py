"""La table de rapprochement reste en phase avec les demandes, leurs labels, leur cotation et leurs
propositions, quelle que soit l'écriture (services, recalcul SQL) ; le remplissage complet donne les mêmes
lignes que les triggers."""

import datetime
from decimal import Decimal

from django.db import connection, transaction

from cotation.models import ResultatCotation
from demandes.cycle import services
from demandes.dossier import calculs
from demandes.dossier.saisie import charger_dossier
from demandes.dossier.workflow import ecrire_evenement
from demandes.labels import services as labels
from demandes.models import Evenement, LocalisationSouhaitee
from instruction.models import LigneCandidat
from instruction.rapprochement import tenue_sql
from tests.instruction.rapprochement.aides import COUPLE
from tests.monde.dossiers import enregistrer

CHAMPS = [f.attname for f in LigneCandidat._meta.concrete_fields if f.attname != "id"]


def instantane() -> list[tuple]:
    return sorted(
        tuple(tuple(v) if isinstance(v, list) else v for v in ligne)
        for ligne in LigneCandidat.objects.values_list(*CHAMPS)
    )


def test_enregistrement_une_ligne_par_commune_avec_les_valeurs_calculees_par_python(m):
    demande = enregistrer(m, communes=[m.nantes, m.reze, m.ancenis], codemandeur=COUPLE, rfr=Decimal("21000"))
    lignes = {ligne.commune_id: ligne for ligne in LigneCandidat.objects.filter(demande=demande)}
    assert set(lignes) == {m.nantes.pk, m.reze.pk, m.ancenis.pk}
    personnes = list(demande.personnes.all())
    revenu, n1 = calculs.revenu_retenu(personnes)
    nantes = lignes[m.nantes.pk]
    assert (nantes.revenu, nantes.revenu_n1) == (revenu, n1)
    assert nantes.rang_plafond == calculs.rang_plafond(personnes, datetime.date.today())
    assert nantes.nb_personnes == 2
    assert (nantes.rang, lignes[m.reze.pk].rang, lignes[m.ancenis.pk].rang) == (1, 2, 3)
    cotation = ResultatCotation.objects.get(demande=demande, territoire=m.nantes.epci_id)
    assert nantes.points == cotation.total
    assert lignes[m.ancenis.pk].points is None  # la COMPA n'a pas de grille


def test_modification_labels_cotation_propositions_et_annulation(m):
    demande = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE)
    dossier = charger_dossier(demande)
    dossier.demande.typologies = ["T2", "T3"]
    dossier.localisations.append(LocalisationSouhaitee(commune=m.reze))
    services.modifier_demande(dossier, auteur=m.auteur)
    assert sorted(LigneCandidat.objects.filter(demande=demande).values_list("commune_id", flat=True)) == sorted(
        [m.nantes.pk, m.reze.pk]
    )
    assert LigneCandidat.objects.get(demande=demande, commune=m.nantes).typologies == ["T2", "T3"]

    label = labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
    ligne = LigneCandidat.objects.get(demande=demande, commune=m.nantes)
    assert ligne.labels == [m.cp_dalo.pk]
    assert ligne.points == ResultatCotation.objects.get(demande=demande, territoire=m.nantes.epci_id).total
    labels.retirer_label(label, user=m.agent_ddets, motif="Erreur de saisie")
    assert LigneCandidat.objects.get(demande=demande, commune=m.nantes).labels == []

    # Recalcul de la cotation écrit en SQL (par lots, hors des services) : les points suivent.
    ResultatCotation.objects.filter(demande=demande).update(total=77)
    assert set(LigneCandidat.objects.filter(demande=demande).values_list("points", flat=True)) == {77}

    for type_ in (Evenement.Type.PROPOSITION, Evenement.Type.REFUS_PROPOSITION, Evenement.Type.PROPOSITION):
        ecrire_evenement(demande, type_, m.auteur, precisions="Test")
    ecrire_evenement(demande, Evenement.Type.REFUS_POSITIONNEMENT, m.auteur, precisions="Test")
    ligne = LigneCandidat.objects.get(demande=demande, commune=m.nantes)
    assert (ligne.nb_propositions, ligne.nb_refus) == (2, 2)
    # Seed 000 : « Refus demandeur … Non réponse » — une proposition restée sans réponse est un refus.
    ecrire_evenement(demande, Evenement.Type.NON_REPONSE_PROPOSITION, m.auteur, precisions="Test")
    assert LigneCandidat.objects.get(demande=demande, commune=m.nantes).nb_refus == 3

    assert instantane() == (tenue_sql.remplir_tout() and instantane())

    services.annuler_demande(demande, motif="renonciation", auteur=m.auteur)
    assert not LigneCandidat.objects.filter(demande=demande).exists()


def test_les_noms_des_titulaires_suivent_les_ecritures_du_menage(m):
    demande = enregistrer(m, communes=[m.nantes], nom="Lefèvre", codemandeur=COUPLE)
    ligne = LigneCandidat.objects.get(demande=demande)
    assert (ligne.nom_demandeur, ligne.nom_codemandeur) == ("LEFEVRE", "MARTIN")

    dossier = charger_dossier(demande)
    codemandeur = next(s.personne for s in dossier.personnes if s.personne.role == "codemandeur")
    codemandeur.nom = "Martin-Doré"
    services.modifier_demande(dossier, auteur=m.auteur)

    ligne = LigneCandidat.objects.get(demande=demande)
    assert (ligne.nom_demandeur, ligne.nom_codemandeur) == ("LEFEVRE", "MARTIN DORE")
    assert instantane() == (tenue_sql.remplir_tout() and instantane())


def test_le_remplissage_complet_donne_les_lignes_des_triggers(m):
    enregistrer(m, communes=[m.nantes, m.reze], codemandeur=COUPLE)
    handicap = enregistrer(m, communes=[m.reze], nom="ROBERT", adapte_handicap=True, rfr=None)
    labels.poser_label(handicap, m.als_type, user=m.agent_als)
    avant = instantane()
    assert len(avant) == 3
    assert tenue_sql.remplir_tout() == 3
    assert instantane() == avant


def _reglage() -> str:
    with connection.cursor() as curseur:
        curseur.execute("SELECT coalesce(current_setting('fdls.recherche_differee', true), '')")
        return curseur.fetchone()[0]


def test_l_enregistrement_recalcule_ses_lignes_une_fois_puis_rearme_les_triggers(m):
    """L'enregistrement désarme les triggers le temps de ses écritures (fdls.socle.derivees_sql) : à la fin, les
    lignes de la liste et du rapprochement sont celles des triggers, et la suite de la transaction les retrouve
    armés."""
    with transaction.atomic():
        demande = enregistrer(m, communes=[m.nantes, m.reze], codemandeur=COUPLE)
        assert _reglage() == "off"
        lignes = LigneCandidat.objects.filter(demande=demande)
        assert {ligne.commune_id for ligne in lignes} == {m.nantes.pk, m.reze.pk}
        nantes = lignes.get(commune=m.nantes)
        assert nantes.nom_demandeur == demande.personnes.get(role="demandeur").nom.upper()
        assert nantes.points == ResultatCotation.objects.get(demande=demande, territoire=m.nantes.epci_id).total
        with connection.cursor() as curseur:
            curseur.execute("SELECT cle FROM demandes_lignerecherche WHERE demande_id = %s", [demande.pk])
            cles = {cle for (cle,) in curseur.fetchall()}
        assert cles == {
            f"D{demande.departement_id}",
            f"G{demande.guichet_id}",
            f"C{m.nantes.pk}",
            f"C{m.reze.pk}",
            f"E{m.nantes.epci_id}",
        }
        # Triggers réarmés : un label posé ensuite, dans la même transaction, est dans la ligne.
        labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
        assert LigneCandidat.objects.get(demande=demande, commune=m.nantes).labels == [m.cp_dalo.pk]
        assert instantane() == (tenue_sql.remplir_tout() and instantane())


def test_dans_un_chargement_differe_l_enregistrement_laisse_le_remplissage_au_chargement(m):
    with transaction.atomic():
        with connection.cursor() as curseur:
            curseur.execute("SET LOCAL fdls.recherche_differee = on")
        demande = enregistrer(m, communes=[m.nantes])
        assert _reglage() == "on"
        assert not LigneCandidat.objects.filter(demande=demande).exists()
        assert tenue_sql.remplir_tout() == 1
        assert LigneCandidat.objects.filter(demande=demande).count() == 1
