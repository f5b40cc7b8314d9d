"""Compteurs d'activité : accord du SQL avec le comptage ORM, idempotence, accueil, écran."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from demandes.models import Demande, Evenement
from observatoire.compteurs.models import CompteurActivite, JourCompte
from observatoire.compteurs.selectors import compteurs_accueil
from observatoire.compteurs.services import compter_activite, compter_jour
from observatoire.tasks import compter_activite as tache_compter
from tests.monde.factories import AgentFactory
from tests.observatoire.monde import fichier_connu

PARIS = ZoneInfo("Europe/Paris")
JOUR = date(2025, 6, 1)


def _evenement(d, type_, jour, organisme, **details):
    return Evenement.objects.create(
        demande=d,
        type=type_,
        date=datetime.combine(jour, time(23, 30), tzinfo=PARIS),  # 23 h 30 à Paris : 21 h 30 UTC, même jour
        details=details,
        auteur_libelle=organisme.nom if organisme else "Traitement automatisé",
        organisme=organisme,
    )


def _fichier_avec_evenements():
    f = fichier_connu()
    m, d = f.m, f.en_cours["E1"]
    _evenement(d, "renouvellement", JOUR, m.ehs)
    _evenement(d, "modification", JOUR, m.ehs)
    _evenement(d, "modification", JOUR, m.ville_reze)
    _evenement(d, "annulation", JOUR, m.ehs, motif="renonciation")
    _evenement(d, "annulation_automatique", JOUR, None, motif="non_renouvellement")
    _evenement(d, "proposition", JOUR, m.bailleur)
    _evenement(d, "decision_cal", JOUR, m.bailleur, decision="attribution_rang")
    _evenement(d, "decision_cal", JOUR, m.bailleur, decision="non_attribution")
    _evenement(d, "modification", JOUR + timedelta(days=1), m.ehs)  # 2 juin : pas ce jour-là
    return f


def _orm(jour: date) -> Counter:
    """Le même comptage en Python sur l'ORM : (organisme, indicateur, motif) -> nombre."""
    debut = datetime.combine(jour, time.min, tzinfo=PARIS)
    correspondance = {
        "enregistrement": "enregistrees",
        "validation": "enregistrees",
        "renouvellement": "renouvelees",
        "modification": "modifiees",
        "annulation": "annulees",
        "annulation_automatique": "annulees",
        "radiation_sans_reponse": "annulees",
        "positionnement": "positionnees",
        "proposition": "propositions",
        "acceptation_proposition": "propositions_acceptees",
        "refus_proposition": "refus_demandeurs",
        "refus_attribution": "refus_demandeurs",
        "refus_positionnement": "refus_demandeurs",
        "satisfaction": "attribuees",
    }
    comptes = Counter()
    for e in Evenement.objects.filter(date__gte=debut, date__lt=debut + timedelta(days=1)):
        indicateur = correspondance.get(e.type)
        if e.type == "decision_cal":
            decision = e.details.get("decision")
            indicateur = {"attribution_rang": "accords_cal", "attribution": "accords_cal"}.get(
                decision, "refus_cal" if decision in ("non_attribution", "irrecevabilite") else None
            )
        if indicateur is None:
            continue
        motif = {
            "annulation": e.details.get("motif", ""),
            "annulation_automatique": "non_renouvellement",
            "radiation_sans_reponse": "non_reponse",
        }.get(e.type, "")
        comptes[(e.organisme_id, indicateur, motif)] += 1
    for d in Demande.objects.filter(etat__in=["active", "satisfaite", "annulee"], date_depot__lte=jour):
        if d.date_fin is None or d.date_fin > jour:
            comptes[(d.guichet.organisme_id, "actives", "")] += 1
    return comptes


def test_les_compteurs_sql_et_le_comptage_orm_sont_d_accord():
    f = _fichier_avec_evenements()
    for jour in (JOUR, date(2025, 3, 15), date(2025, 12, 31)):
        compter_jour(jour)
        lus = Counter(
            {(c.organisme_id, c.indicateur, c.motif): c.valeur for c in CompteurActivite.objects.filter(jour=jour)}
        )
        assert lus == _orm(jour), jour
    juin = Counter(
        {(c.organisme_id, c.indicateur, c.motif): c.valeur for c in CompteurActivite.objects.filter(jour=JOUR)}
    )
    assert juin[(f.m.ehs.pk, "modifiees", "")] == 1
    assert juin[(None, "annulees", "non_renouvellement")] == 1
    assert juin[(f.m.bailleur.pk, "accords_cal", "")] == 1
    assert juin[(f.m.bailleur.pk, "refus_cal", "")] == 1
    # Le 15 mars 2025 : le bail d'A1 ; le 31 décembre : celui d'A6.
    assert CompteurActivite.objects.get(jour=date(2025, 3, 15), indicateur="attribuees").valeur == 1


def _toutes() -> list:
    return sorted(
        CompteurActivite.objects.values_list("jour", "organisme_id", "indicateur", "motif", "valeur"), key=str
    )


@time_machine.travel(datetime(2025, 6, 4, 1, 0, tzinfo=PARIS), tick=False)
def test_le_job_est_idempotent_et_rattrape_les_jours_manquants():
    _fichier_avec_evenements()
    premier = compter_activite(depuis=date(2025, 5, 30))
    lignes = _toutes()
    second = tache_compter()  # beat : le lendemain du dernier jour compté, jusqu'à hier : rien à faire

    assert (premier.jours, second["jours"]) == (5, 0)
    assert _toutes() == lignes
    assert sorted(JourCompte.objects.values_list("jour", flat=True)) == [
        date(2025, 5, 30) + timedelta(d) for d in range(5)
    ]
    # Recompter un jour (forcer) donne les mêmes lignes.
    compter_activite(depuis=JOUR, jusqua=JOUR, forcer=True)
    assert _toutes() == lignes


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=PARIS), tick=False)
def test_l_accueil_et_l_ecran_des_compteurs(client, agent_verifie):
    f = _fichier_avec_evenements()
    compter_activite(depuis=date(2025, 5, 1))
    agent_verifie(f.m.agent_ehs)

    accueil = client.get(reverse("socle:accueil")).content.decode()
    assert "Activité du 01/06/2025" in accueil
    assert '<th scope="row">Demandes renouvelées</th><td class="nombre">1</td><td class="nombre">1</td>' in accueil

    ecran = client.get(
        reverse("observatoire:compteurs"), {"du": "01/06/2025", "au": "01/06/2025", "indicateur": "modifiees"}
    )
    html = ecran.content.decode()
    assert '<th scope="row">Demandes modifiées</th><td class="nombre">1</td><td class="nombre">2</td>' in html
    assert "dont renonciation écrite du demandeur" in html
    assert 'role="img"' in html  # la courbe, à côté de son tableau

    erreur = client.get(reverse("observatoire:compteurs"), {"du": "05/06/2025", "au": "01/06/2025"}).content.decode()
    assert "La date de début doit précéder la date de fin." in erreur
    assert 'value="05/06/2025"' in erreur


def test_un_role_sans_statistiques_n_a_pas_la_carte_d_activite():
    assert compteurs_accueil(AgentFactory(roles=[])) == {}
