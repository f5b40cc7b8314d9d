"""Compteurs d'activité : accord du SQL avec le comptage ORM, stocks aux réponses connues, idempotence, accueil,
écran."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from demandes.models import Demande, Evenement
from fdls.socle.dates import ajouter_mois
from instruction.models import Bail, Candidature, Proposition
from observatoire.compteurs.models import CompteurActivite, JourCompte
from observatoire.compteurs.selectors import compteurs_accueil
from observatoire.compteurs.services import compter_activite, compter_jour
from observatoire.tasks import compter_activite as tache_compter
from tests.monde.factories import AgentFactory
from tests.observatoire.monde import fichier_connu, instruction_connue

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
    # Bail du 28 mai saisi le 1er juin : la date d'entrée dans les lieux est saisie le 1er juin.
    _evenement(d, "satisfaction", JOUR, m.bailleur, bail_signe_le="2025-05-28", entree_le="2025-06-01")
    instruction_connue(f)
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
        "annulation_automatique": "non_renouvelees",
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
            "radiation_sans_reponse": "non_reponse",
        }.get(e.type, "")
        comptes[(e.organisme_id, indicateur, motif)] += 1
    for d in Demande.objects.filter(etat__in=["active", "satisfaite", "annulee"], date_depot__lte=jour):
        if d.date_fin is None or d.date_fin > jour:
            comptes[(d.guichet.organisme_id, "actives", "")] += 1
    for d in Demande.objects.filter(etat="satisfaite", date_fin__lte=jour, date_fin__gt=ajouter_mois(jour, -12)):
        comptes[(d.guichet.organisme_id, "satisfaites", "")] += 1
    comptes.update(_stocks_instruction(jour))
    return comptes


def _stocks_instruction(jour: date) -> Counter:
    """Les stocks de l'instruction relus objet par objet : la suite de chaque décision favorable, datée."""
    E = Candidature.Etat
    demandes = {"validees_cal": set(), "attribuees_en_instance": set()}
    for c in Candidature.objects.filter(
        decision__in=["attribution", "attribution_rang", "attribution_condition"], examen__seance__date__lte=jour
    ).select_related("examen__seance__commission", "demande"):
        bail = Bail.objects.filter(candidature=c).first()
        devant = Bail.objects.filter(disponibilite=c.examen.disponibilite_id).first()
        suite = {
            E.ACCEPTEE: c.reponse_le,
            E.REFUSEE: c.reponse_le,
            E.BAIL_SIGNE: c.reponse_le or (bail and bail.signe_le),
            E.CADUQUE: c.date_limite and c.date_limite + timedelta(days=1),
            E.ECARTEE: devant and devant.signe_le,
            E.RETIREE: c.reponse_le or c.demande.date_fin,
        }.get(c.etat)
        organisme = c.examen.seance.commission.bailleur_id
        if suite is None or suite > jour:
            demandes["validees_cal"].add((organisme, c.demande_id))
        if c.etat in (E.ACCEPTEE, E.BAIL_SIGNE, E.RETIREE) and c.reponse_le and c.reponse_le <= jour:
            fin = {E.BAIL_SIGNE: bail and bail.signe_le, E.RETIREE: c.demande.date_fin}.get(c.etat)
            if fin is None or fin > jour:
                demandes["attribuees_en_instance"].add((organisme, c.demande_id))
    comptes = Counter()
    for indicateur, paires in demandes.items():
        for organisme, _ in paires:
            comptes[(organisme, indicateur, "")] += 1
    for p in Proposition.objects.filter(date_envoi__lte=jour):
        if (
            p.etat == "envoyee"
            or (p.etat == "sans_reponse" and p.date_limite >= jour)
            or (p.date_reponse and p.date_reponse > jour)
        ):
            comptes[(p.organisme_id, "propositions_en_cours", "")] += 1
    return comptes


def test_les_compteurs_sql_et_le_comptage_orm_sont_d_accord():
    f = _fichier_avec_evenements()
    jours = (JOUR, date(2025, 3, 15), date(2025, 12, 31), date(2025, 5, 20), date(2025, 5, 31), date(2025, 6, 5))
    for jour in jours:
        compter_jour(jour)
        lus = Counter(
            {(c.organisme_id, c.indicateur, c.motif): c.valeur for c in CompteurActivite.objects.filter(jour=jour)}
        )
        assert lus == _orm(jour), jour
    juin = Counter(
        {(c.organisme_id, c.indicateur, c.motif): c.valeur for c in CompteurActivite.objects.filter(jour=JOUR)}
    )
    assert juin[(f.m.ehs.pk, "modifiees", "")] == 1
    assert juin[(None, "non_renouvelees", "")] == 1
    assert juin[(f.m.ehs.pk, "annulees", "renonciation")] == 1
    assert not [cle for cle in juin if cle[1] == "annulees" and cle[2] == "non_renouvellement"]  # pas deux fois
    assert juin[(f.m.bailleur.pk, "attribuees", "")] == 2  # bail d'A2 et bail du 28 mai saisi ce jour-là
    assert juin[(f.m.bailleur.pk, "accords_cal", "")] == 1
    assert juin[(f.m.bailleur.pk, "refus_cal", "")] == 1
    # Le 15 mars 2025 : le bail d'A1 ; le 31 décembre : celui d'A6.
    assert CompteurActivite.objects.get(jour=date(2025, 3, 15), indicateur="attribuees").valeur == 1


def _total(jour: date, indicateur: str) -> int:
    return sum(CompteurActivite.objects.filter(jour=jour, indicateur=indicateur).values_list("valeur", flat=True))


def test_les_stocks_de_l_instruction_aux_reponses_connues():
    f = _fichier_avec_evenements()
    attendus = {
        # jour : (validées en CAL, attribuées en instance, propositions en cours)
        date(2025, 5, 19): (0, 0, 1),  # avant la séance : P4 seule
        date(2025, 5, 20): (7, 0, 2),  # X1 à X7 (C5 et C10 : une demande) ; P2, P4
        date(2025, 5, 31): (5, 1, 4),  # X1, X2, X3, X4 (accepte le 1/6), X6 ; X5 (C5, C10) ; P1 à P4
        JOUR: (4, 2, 2),  # X1, X2, X3, X6 ; X4 et X5 ; P1, P3
        date(2025, 6, 5): (4, 1, 2),  # X1, X2, X3 (pièce attendue ce jour-là), X9 ; X4 ; P1, P5
        date(2025, 6, 10): (3, 1, 2),  # X1, X2, X9 ; X4 ; P1, P5
    }
    for jour, (validees, en_instance, propositions) in attendus.items():
        compter_jour(jour)
        lus = (
            _total(jour, "validees_cal"),
            _total(jour, "attribuees_en_instance"),
            _total(jour, "propositions_en_cours"),
        )
        assert lus == (validees, en_instance, propositions), jour
    # Le bailleur de la commission porte les décisions ; chaque proposition, l'organisme qui l'a faite.
    assert CompteurActivite.objects.get(jour=JOUR, indicateur="validees_cal").organisme_id == f.m.bailleur.pk
    assert set(
        CompteurActivite.objects.filter(jour=date(2025, 6, 10), indicateur="propositions_en_cours").values_list(
            "organisme_id", "valeur"
        )
    ) == {(f.m.bailleur.pk, 1), (f.m.ville_reze.pk, 1)}


def test_les_demandes_satisfaites_sur_douze_mois_glissants():
    f = _fichier_avec_evenements()
    attendus = {
        date(2025, 3, 15): 2,  # A0 (20/12/2024), A1 (ce jour-là)
        JOUR: 4,  # A0, A1, A5, A2 (ce jour-là) ; A7 (juillet) pas encore
        date(2025, 6, 10): 5,  # + X5 (bail du 3 juin)
        date(2025, 12, 19): 8,  # A0 encore : 20/12/2024 est dans les douze mois
        date(2025, 12, 20): 7,  # A0 sort : douze mois jour pour jour
        date(2025, 12, 31): 8,  # + A6 (ce jour-là)
    }
    for jour, satisfaites in attendus.items():
        compter_jour(jour)
        assert _total(jour, "satisfaites") == satisfaites, jour
    assert set(CompteurActivite.objects.filter(indicateur="satisfaites").values_list("organisme_id", flat=True)) == {
        f.m.ehs.pk  # l'organisme du guichet d'enregistrement, comme les actives
    }


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
    ligne = '<th scope="row">{}</th><td class="nombre">{}</td><td class="nombre">{}</td>'
    assert ligne.format("Demandes non renouvelées", 0, 1) in accueil
    assert ligne.format("Demandes annulées", 1, 1) in accueil
    assert ligne.format("Propositions en cours", 0, 2) in accueil
    assert ligne.format("Demandes attribuées en instance (Accord demandeur)", 0, 2) in accueil

    ecran = client.get(
        reverse("observatoire:compteurs"), {"du": "01/06/2025", "au": "01/06/2025", "indicateur": "modifiees"}
    )
    html = ecran.content.decode()
    assert '<th scope="row">Demandes modifiées</th><td class="nombre">1</td><td class="nombre">2</td>' in html
    assert "dont renonciation écrite du demandeur" in html
    # Les non-renouvellements ont leur ligne, hors des annulations : comptés une fois.
    assert ligne.format("Demandes annulées", 1, 1) in html
    assert ligne.format("Demandes non renouvelées", 0, 1) in html
    assert "dont non renouvellement" not in html
    # Stocks au dernier jour de la période, dans l'ordre et les mots du seed.
    assert ligne.format("Demandes satisfaites (au 01/06/2025)", 4, 4) in html
    assert ligne.format("Demandes validées (Accord commission d&#x27;attribution) (au 01/06/2025)", 0, 4) in html
    assert ligne.format("Demandes attribuées en instance (Accord demandeur) (au 01/06/2025)", 0, 2) in html
    assert ligne.format("Propositions en cours (au 01/06/2025)", 0, 2) in html
    assert ligne.format("Dates entrée dans les lieux saisies", 0, 2) in html
    assert (
        html.index("Demandes actives (au")
        < html.index("Propositions en cours (au")
        < html.index("Demandes modifiées</th>")
    )
    assert '<optgroup label="Stocks (fin de journée)">' in html

    stock = client.get(
        reverse("observatoire:compteurs"), {"du": "31/05/2025", "au": "01/06/2025", "indicateur": "validees_cal"}
    ).content.decode()
    jour_par_jour = (
        '<th scope="row">{}</th><td class="nombre">0</td><td class="nombre">{}</td><td class="nombre">{}</td>'
    )
    assert jour_par_jour.format("31/05/2025", 5, 5) in stock
    assert jour_par_jour.format("01/06/2025", 4, 4) in stock
    assert "Total de la période" not in stock  # un stock ne s'additionne pas d'un jour à l'autre
    assert 'role="img"' in html  # la courbe, à côté de son tableau

    erreur = client.get(reverse("observatoire:compteurs"), {"du": "05/06/2025", "au": "01/06/2025"}).content.decode()
    assert "La date de début doit précéder la date de fin." in erreur
    assert 'value="05/06/2025"' in erreur


def test_un_role_sans_statistiques_n_a_pas_la_carte_d_activite():
    assert compteurs_accueil(AgentFactory(roles=[])) == {}
