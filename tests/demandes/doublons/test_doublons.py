"""Doublons : détection à la saisie et de nuit, fusion, ménages distincts, écrans et accès."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from demandes.cycle import services
from demandes.doublons import services as doublons
from demandes.models import (
    Demande,
    Evenement,
    LocalisationSouhaitee,
    Personne,
    SuspicionDoublon,
)
from fdls.audit.models import Consultation
from tests.monde.dossiers import NAISSANCE, dossier
from tests.monde.factories import AgentFactory, DemandeFactory, GuichetFactory
from tests.monde.fichiers import piece_identite


def _demande(territoire_reze, nom, prenom, naissance=NAISSANCE, *, codemandeur=None, commune=None, **champs):
    if codemandeur:
        nom_c, prenom_c, naissance_c = codemandeur
        champs.update(
            avec_co_demandeur=True,
            co_demandeur__nom=nom_c,
            co_demandeur__prenom=prenom_c,
            co_demandeur__date_naissance=naissance_c,
        )
    return DemandeFactory(
        nom=nom,
        prenom=prenom,
        date_naissance=naissance,
        guichet=champs.pop("guichet", territoire_reze.guichet),
        communes=[commune or territoire_reze.reze],
        **champs,
    )


def _personnes(nom, prenom, naissance=NAISSANCE):
    return [Personne(role="demandeur", nom=nom, prenom=prenom, date_naissance=naissance)]


def _lignes() -> list[tuple]:
    return list(SuspicionDoublon.objects.order_by("pk").values_list("pk", "demande_a_id", "demande_b_id", "score"))


def _paires() -> set[tuple[int, int]]:
    return set(SuspicionDoublon.objects.values_list("demande_a_id", "demande_b_id"))


# ---------------------------------------------------------------- détection


@pytest.mark.parametrize(
    ("nom", "prenom", "motif"),
    [
        ("LEFEVBRE", "Hélène", "une lettre diffère dans le nom"),  # insertion
        ("LEFEBRE", "Hélène", "une lettre diffère dans le nom"),  # suppression
        ("LEFEBVRE", "Hekène", "une lettre diffère dans le prénom"),  # substitution
        ("Hélène", "Lefebvre", "nom et prénom inversés"),
        ("LEFEBVRE", "Helene", "nom et prénom identiques"),  # accents manquants
    ],
)
def test_chaque_doublon_seme_est_trouve_a_la_saisie(territoire_reze, nom, prenom, motif):
    originale = _demande(territoire_reze, "Lefebvre", "Hélène")
    _demande(territoire_reze, "Lefebvre", "Hélène", datetime.date(1990, 1, 1))  # homonyme né un autre jour

    trouves = doublons.candidats(_personnes(nom, prenom))

    assert [c.demande_id for c in trouves] == [originale.pk]
    assert trouves[0].score >= doublons.SEUIL
    assert motif in trouves[0].motif


def test_le_co_demandeur_qui_depose_seul_est_trouve(territoire_reze):
    couple = _demande(
        territoire_reze, "Durand", "Paul", datetime.date(1980, 2, 3), codemandeur=("Nguyen", "Linh", NAISSANCE)
    )

    trouves = doublons.candidats(_personnes("NGUYEN", "Linh"))

    assert [c.demande_id for c in trouves] == [couple.pk]
    assert "le co-demandeur de l'une est le demandeur de l'autre" in trouves[0].motif


@pytest.mark.parametrize(
    "naissance", [datetime.date(1985, 4, 22), datetime.date(1985, 4, 13), datetime.date(1986, 4, 12)]
)
def test_une_date_mal_saisie_n_est_montree_que_sous_un_seuil_abaisse(territoire_reze, naissance):
    originale = _demande(territoire_reze, "Martin", "Claire", datetime.date(1985, 4, 12))
    _demande(territoire_reze, "Martin", "Claire", datetime.date(1985, 7, 30))  # homonyme

    assert doublons.candidats(_personnes("Martin", "Claire", naissance)) == []
    (trouve,) = doublons.candidats(_personnes("Martin", "Claire", naissance), seuil=80)
    assert trouve.demande_id == originale.pk
    assert trouve.score == 80
    assert "dates de naissance proches" in trouve.motif
    _demande(territoire_reze, "Martin", "Claire", naissance)
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0
    assert doublons.detecter_doublons_fichier(seuil=80)["suspicions_creees"] == 1


def test_des_inconnus_nes_le_meme_jour_ne_sont_pas_signales(territoire_reze):
    for nom, prenom in [("Martin", "Louis"), ("Bernard", "Claire"), ("Martinez", "Paul"), ("Petit", "Lucas")]:
        _demande(territoire_reze, nom, prenom)
    _demande(territoire_reze, "Martin", "Claire", datetime.date(1950, 7, 1))  # homonyme, autre date

    assert doublons.candidats(_personnes("MARTIN", "Claire")) == []
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0


def test_les_membres_d_un_meme_menage_ne_sont_jamais_compares(territoire_reze):
    # Deux adultes du même ménage, nés le même jour, aux noms presque identiques.
    d = services.enregistrer_demande(
        dossier(
            communes=[territoire_reze.reze], nom="MARTIN", prenom="Claire", codemandeur=("MARTIN", "Claira", NAISSANCE)
        ),
        auteur=services.Auteur.agent(territoire_reze.agent),
        guichet=territoire_reze.guichet,
        piece_identite=piece_identite(),
    )
    assert d.cles.count() == 2
    assert not SuspicionDoublon.objects.exists()
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0
    assert doublons.candidats(d.personnes.all(), exclure_demande=d.pk) == []


def test_seules_les_demandes_actives_sont_candidates(territoire_reze):
    _demande(territoire_reze, "Martin", "Claire", annulee=True)
    _demande(territoire_reze, "Martin", "Claire", satisfaite=True)
    assert doublons.candidats(_personnes("Martin", "Claire")) == []


def test_l_enregistrement_signale_et_ecarte_les_doublons(territoire_reze):
    agent = territoire_reze.agent
    proche = _demande(territoire_reze, "Martin", "Claire")
    ecartee = _demande(territoire_reze, "Martin", "Claire", codemandeur=("Martin", "Paul", datetime.date(1980, 1, 1)))
    hors_territoire = _demande(
        territoire_reze, "Martin", "Claire", guichet=GuichetFactory(), commune=territoire_reze.nantes
    )

    nouvelle = services.enregistrer_demande(
        dossier(communes=[territoire_reze.reze], nom="MARTIN", prenom="Claire"),
        auteur=services.Auteur.agent(agent),
        guichet=territoire_reze.guichet,
        # Une demande invisible ne peut pas être écartée par cet agent.
        doublons_ecartes=(ecartee.pk, hors_territoire.pk),
        piece_identite=piece_identite(),
    )

    statuts = {(s.demande_a_id, s.demande_b_id): s.statut for s in SuspicionDoublon.objects.filter(source="saisie")}
    assert statuts == {
        (proche.pk, nouvelle.pk): "a_traiter",
        (ecartee.pk, nouvelle.pk): "distinctes",
        (hors_territoire.pk, nouvelle.pk): "a_traiter",
    }
    for d in (nouvelle, ecartee):
        assert d.evenements.filter(type=Evenement.Type.DOUBLON_ECARTE).count() == 1
    # Une paire écartée n'est plus proposée, ni à la saisie ni la nuit.
    restants = doublons.candidats(nouvelle.personnes.all(), exclure_demande=nouvelle.pk)
    assert ecartee.pk not in {c.demande_id for c in restants}
    doublons.detecter_doublons_fichier()
    assert SuspicionDoublon.objects.filter(demande_b=nouvelle).count() == 3  # rien de plus sur la nouvelle demande
    assert SuspicionDoublon.objects.get(demande_a=ecartee, demande_b=nouvelle).statut == "distinctes"


def test_candidats_affichables_masque_les_demandes_hors_territoire(territoire_reze):
    visible = _demande(territoire_reze, "Martin", "Claire")
    cachee = _demande(
        territoire_reze,
        "Martin",
        "Claire",
        guichet=GuichetFactory(nom="Guichet de Nantes"),
        commune=territoire_reze.nantes,
    )

    resultat = doublons.candidats_affichables(_personnes("MARTIN", "Claire"), territoire_reze.agent)

    par_demande = {r["demande"].pk: r for r in resultat}
    assert par_demande[visible.pk]["hors_territoire"] is False
    assert par_demande[visible.pk]["score"] == 100
    assert par_demande[cachee.pk] == {
        "demande": cachee,
        "score": None,
        "motif": "",
        "hors_territoire": True,
        "jeton": doublons.jeton_candidat(territoire_reze.agent, cachee.pk),
    }
    html = render_to_string("demandes/doublons/_candidats.html", {"candidats": resultat})
    assert f'value="{visible.pk}"' in html
    assert "Ce n&#x27;est pas le même ménage" in html or "Ce n'est pas le même ménage" in html
    assert f'value="{cachee.pk}"' not in html
    assert (
        f'Une demande existe hors de votre territoire (NU <span class="chasse-fixe">{cachee.numero_unique_affiche}'
        in html
    )
    assert "Guichet de Nantes" in html
    assert html.count("MARTIN Claire") == 1


# ---------------------------------------------------------------- détection nocturne


@pytest.fixture
def fichier(territoire_reze):
    """Un petit fichier : trois doublons semés et du bruit."""
    t = territoire_reze
    originales = [
        _demande(t, "Lefebvre", "Hélène"),
        _demande(t, "Dupont", "Marc", datetime.date(1970, 3, 9)),
        _demande(t, "Durand", "Paul", datetime.date(1980, 2, 3), codemandeur=("Nguyen", "Linh", NAISSANCE)),
    ]
    for nom, prenom in [("Bernard", "Louis"), ("Petit", "Lucas"), ("Morel", "Anne")]:
        _demande(t, nom, prenom)
    semes = [
        _demande(t, "Lefebre", "Helene"),
        _demande(t, "Marc", "Dupont", datetime.date(1970, 3, 9)),
        _demande(t, "Nguyen", "Linh"),
    ]
    _demande(t, "Perrin", "Marc", brouillon=True)
    return {tuple(sorted((o.pk, s.pk))) for o, s in zip(originales, semes, strict=True)}


def test_la_detection_nocturne_trouve_les_doublons_et_est_idempotente(fichier):
    premier = doublons.detecter_doublons_fichier(taille_lot=2)
    lignes = _lignes()

    assert _paires() == fichier
    assert premier["suspicions_creees"] == 3
    assert premier["lots"] == 5  # 9 demandes actives (le brouillon n'en est pas) par lots de 2
    assert set(SuspicionDoublon.objects.values_list("source", flat=True)) == {"nuit"}

    second = doublons.detecter_doublons_fichier(taille_lot=5)
    assert second["suspicions_creees"] == 0
    assert _lignes() == lignes


def test_la_detection_nocturne_reprend_apres_le_dernier_lot_valide(fichier):
    interrompue = doublons.detecter_doublons_fichier(taille_lot=3, max_lots=2)
    assert interrompue["lots"] == 2
    assert doublons.point_de_reprise() == interrompue["dernier_id"]
    avant = _paires()

    reprise = doublons.detecter_doublons_fichier(depuis_id=doublons.point_de_reprise(), taille_lot=3)

    assert _paires() == fichier
    assert reprise["suspicions_creees"] == len(fichier - avant)
    assert doublons.point_de_reprise() == 0  # passage complet : plus de reprise en attente


def test_la_detection_nocturne_ne_reecrit_pas_une_paire_traitee(fichier, territoire_reze):
    doublons.detecter_doublons_fichier()
    suspicion = SuspicionDoublon.objects.order_by("pk").first()
    doublons.marquer_distinctes(suspicion, auteur=services.Auteur.agent(territoire_reze.agent))

    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0
    suspicion.refresh_from_db()
    assert suspicion.statut == SuspicionDoublon.Statut.DISTINCTES


def test_la_commande_lance_la_detection(fichier, capsys):
    call_command("detecter_doublons", "--taille-lot", "4")

    assert _paires() == fichier
    assert "3 suspicion(s) créée(s)" in capsys.readouterr().out


# ---------------------------------------------------------------- fusion et ménages distincts


def _paire_suspecte(territoire_reze, **champs_b):
    a = _demande(territoire_reze, "Lefebvre", "Hélène", date_depot=datetime.date(2024, 3, 1), **champs_b.pop("a", {}))
    b = _demande(territoire_reze, "Lefebre", "Helene", date_depot=datetime.date(2025, 6, 15), **champs_b)
    doublons.signaler_suspicions(b, source="saisie")
    return a, b, SuspicionDoublon.objects.get()


def test_la_fusion_garde_la_date_la_plus_ancienne_et_les_deux_historiques(territoire_reze):
    agent = territoire_reze.agent
    nantes = territoire_reze.nantes
    a, b, suspicion = _paire_suspecte(territoire_reze)
    # b : Rezé (ancienneté 2025) et Nantes (2022 !) ; a : Rezé (ancienneté 2024)
    LocalisationSouhaitee.objects.filter(demande=b).update(date_anciennete=datetime.date(2023, 1, 10))
    LocalisationSouhaitee.objects.create(demande=b, rang=2, commune=nantes, date_anciennete=datetime.date(2022, 9, 1))
    services.ecrire_evenement(b, Evenement.Type.RENOUVELLEMENT, services.AUTOMATE, precisions="avant fusion")

    gardee = doublons.fusionner_demandes(b, a, auteur=services.Auteur.agent(agent))

    a.refresh_from_db()
    b.refresh_from_db()
    assert gardee == b
    assert b.etat == Demande.Etat.ACTIVE
    assert b.date_depot == datetime.date(2024, 3, 1)
    assert [(loc.commune, loc.date_anciennete) for loc in b.localisations.order_by("rang")] == [
        (territoire_reze.reze, datetime.date(2023, 1, 10)),
        (nantes, datetime.date(2022, 9, 1)),
    ]
    assert (a.etat, a.motif_annulation, a.fusionnee_dans) == (Demande.Etat.ANNULEE, "doublon", b)
    fusion_b = b.evenements.get(type=Evenement.Type.FUSION)
    fusion_a = a.evenements.get(type=Evenement.Type.FUSION)
    assert fusion_b.details["date_depot_conservee"] == "2024-03-01"
    assert fusion_b.details["demande_absorbee"] == a.numero_unique
    assert (fusion_a.etat_avant, fusion_a.etat_apres) == ("active", "annulee")
    assert fusion_a.auteur == agent
    historique = list(doublons.evenements_du_dossier(b))
    assert {e.demande_id for e in historique} == {a.pk, b.pk}
    assert historique == sorted(historique, key=lambda e: (e.date, e.id), reverse=True)
    suspicion.refresh_from_db()
    assert (suspicion.statut, suspicion.traitee_par) == (SuspicionDoublon.Statut.FUSIONNEE, agent)
    # La demande absorbée n'est plus candidate ; la nuit ne recrée rien.
    assert doublons.candidats(_personnes("Lefebvre", "Hélène"), exclure_demande=b.pk) == []
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 0


def test_la_fusion_en_chaine_garde_tous_les_historiques(territoire_reze):
    auteur = services.Auteur.agent(territoire_reze.agent)
    a, b, c = (_demande(territoire_reze, "Martin", "Claire") for _ in range(3))
    doublons.fusionner_demandes(b, a, auteur=auteur)
    doublons.fusionner_demandes(c, b, auteur=auteur)
    assert {e.demande_id for e in doublons.evenements_du_dossier(c)} == {a.pk, b.pk, c.pk}


def test_la_fusion_reporte_les_autres_suspicions_sur_la_demande_gardee(territoire_reze):
    a, b, c = (_demande(territoire_reze, "Martin", "Claire") for _ in range(3))
    doublons.detecter_doublons_fichier()
    assert len(_paires()) == 3
    doublons.fusionner_demandes(b, a, auteur=services.Auteur.agent(territoire_reze.agent))
    vers_c = SuspicionDoublon.objects.filter(demande_b=c).values_list("demande_a_id", "statut")
    assert dict(vers_c) == {b.pk: "a_traiter"}
    assert not SuspicionDoublon.objects.filter(demande_a=a, demande_b=c).exists()


def test_la_fusion_exige_deux_demandes_actives(territoire_reze):
    auteur = services.Auteur.agent(territoire_reze.agent)
    a = _demande(territoire_reze, "Martin", "Claire")
    b = _demande(territoire_reze, "Martin", "Claire", satisfaite=True)
    with pytest.raises(ValidationError, match="satisfaite"):
        doublons.fusionner_demandes(a, b, auteur=auteur)
    with pytest.raises(ValidationError, match="seules deux demandes actives"):
        doublons.fusionner_demandes(b, a, auteur=auteur)
    with pytest.raises(ValidationError, match="elle-même"):
        doublons.fusionner_demandes(a, a, auteur=auteur)


def test_marquer_distinctes(territoire_reze):
    agent = territoire_reze.agent
    a, b, suspicion = _paire_suspecte(territoire_reze)

    doublons.marquer_distinctes(suspicion, auteur=services.Auteur.agent(agent))

    suspicion.refresh_from_db()
    assert (suspicion.statut, suspicion.traitee_par) == (SuspicionDoublon.Statut.DISTINCTES, agent)
    for d, autre in ((a, b), (b, a)):
        evenement = d.evenements.get(type=Evenement.Type.DOUBLON_ECARTE)
        assert evenement.details["autre_demande"] == autre.numero_unique
    assert doublons.candidats(b.personnes.all(), exclure_demande=b.pk) == []
    with pytest.raises(ValidationError, match="déjà traitée"):
        doublons.marquer_distinctes(suspicion, auteur=services.Auteur.agent(agent))


def test_un_agent_d_un_autre_territoire_ne_peut_ni_fusionner_ni_ecarter(territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    ailleurs = AgentFactory(organisme__perimetre=[territoire_reze.nantes])
    GuichetFactory(organisme=ailleurs.organisme, commune=territoire_reze.nantes)
    lecteur = AgentFactory(bailleur=True, organisme__perimetre=[territoire_reze.reze])  # voit, ne modifie pas

    for agent in (ailleurs, lecteur):
        with pytest.raises(ValidationError, match="modifier les deux demandes"):
            doublons.fusionner_demandes(a, b, auteur=services.Auteur.agent(agent))
        with pytest.raises(ValidationError, match="modifier les deux demandes"):
            doublons.marquer_distinctes(suspicion, auteur=services.Auteur.agent(agent))
    a.refresh_from_db()
    assert a.etat == Demande.Etat.ACTIVE


# ---------------------------------------------------------------- écrans


def test_la_liste_ne_montre_que_les_paires_entierement_visibles(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    moitie_visible = _demande(territoire_reze, "Bernard", "Louis")
    cachee = _demande(territoire_reze, "Bernard", "Louis", guichet=GuichetFactory(), commune=territoire_reze.nantes)
    doublons.signaler_suspicions(cachee, source="nuit")
    assert SuspicionDoublon.objects.count() == 2
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:doublons:liste"))

    assert list(reponse.context["page"].object_list) == [suspicion]
    assertContains(reponse, '<th scope="col" class="nombre">Score</th>', html=True)
    assertContains(reponse, "Suspicions de doublon – 1 résultat")
    assertNotContains(reponse, "BERNARD")
    assert moitie_visible


def test_les_filtres_de_la_liste_des_suspicions(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    autre = SuspicionDoublon.objects.create(
        demande_a=_demande(territoire_reze, "Petit", "Lucas"),
        demande_b=_demande(territoire_reze, "Petit", "Luca"),
        score=86,
        motif="test",
        source="nuit",
        statut="distinctes",
    )
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:doublons:liste")

    def lignes(**criteres):
        return list(client.get(url, criteres).context["page"].object_list)

    assert lignes() == [suspicion]  # par défaut : à traiter
    assert lignes(statut="") == [suspicion, autre]
    assert lignes(statut="", source="nuit") == [autre]
    assert lignes(statut="", score_min=90) == [suspicion]
    reponse = client.get(url, {"score_min": 150})
    assertContains(reponse, "Corrigez les critères")


def test_la_liste_tient_en_peu_de_requetes(client, agent_verifie, territoire_reze, django_assert_max_num_queries):
    for i in range(12):
        SuspicionDoublon.objects.create(
            demande_a=_demande(territoire_reze, f"Nom{i}", "Claire"),
            demande_b=_demande(territoire_reze, f"Nom{i}", "Claira"),
            score=90,
            motif="test",
            source="nuit",
        )
    agent_verifie(territoire_reze.agent)
    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("demandes:doublons:liste"))
    assert len(reponse.context["page"].object_list) == 12


def test_la_comparaison_est_journalisee_pour_les_deux_demandes(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze, codemandeur=("Lefebre", "Marc", datetime.date(1983, 5, 5)))
    agent = agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:doublons:comparaison", args=[suspicion.pk]))

    assertContains(reponse, "<caption>Les deux demandes côte à côte</caption>", html=True)
    assertContains(reponse, '<th scope="row">Co-demandeur</th>', html=True)
    assertContains(reponse, "LEFEBRE Marc")
    assertContains(reponse, f"Fusionner en gardant la demande {a.numero_unique_affiche}")
    assertContains(reponse, "Ce sont deux ménages distincts")
    journal = Consultation.objects.filter(utilisateur=agent, action=Consultation.Action.CONSULTATION)
    assert sorted(journal.values_list("objet_id", flat=True)) == sorted([str(a.pk), str(b.pk)])


def test_fusion_par_l_ecran_avec_confirmation(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:doublons:fusion", args=[suspicion.pk])

    confirmation = client.get(url, {"garder": b.pk})
    assertContains(confirmation, "prend la date de dépôt initial du 01/03/2024")
    b.refresh_from_db()
    assert b.date_depot == datetime.date(2025, 6, 15)  # GET n'agit pas

    reponse = client.post(url, {"garder": b.pk}, follow=True)

    assertContains(reponse, f"la demande {b.numero_unique_affiche} est conservée")
    assertContains(reponse, "Historique du dossier")
    a.refresh_from_db()
    assert a.fusionnee_dans == b
    assert client.get(url, {"garder": 999999}).status_code == 404


def test_deux_menages_distincts_par_l_ecran(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    agent_verifie(territoire_reze.agent)

    assert client.get(reverse("demandes:doublons:distinctes", args=[suspicion.pk])).status_code == 405
    reponse = client.post(reverse("demandes:doublons:distinctes", args=[suspicion.pk]), follow=True)

    assertContains(reponse, "deux ménages distincts")
    suspicion.refresh_from_db()
    assert suspicion.statut == SuspicionDoublon.Statut.DISTINCTES


def test_un_agent_d_un_autre_territoire_ne_voit_pas_la_paire(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    ailleurs = AgentFactory(organisme__perimetre=[territoire_reze.nantes])
    agent_verifie(ailleurs)

    assert list(client.get(reverse("demandes:doublons:liste")).context["page"].object_list) == []
    assert client.get(reverse("demandes:doublons:comparaison", args=[suspicion.pk])).status_code == 404
    assert client.post(reverse("demandes:doublons:fusion", args=[suspicion.pk]), {"garder": a.pk}).status_code == 404
    assert client.post(reverse("demandes:doublons:distinctes", args=[suspicion.pk])).status_code == 404
    a.refresh_from_db()
    assert a.etat == Demande.Etat.ACTIVE
    assert not Consultation.objects.filter(utilisateur=ailleurs, action=Consultation.Action.CONSULTATION).exists()


def test_un_lecteur_voit_la_paire_sans_pouvoir_la_traiter(client, agent_verifie, territoire_reze):
    a, b, suspicion = _paire_suspecte(territoire_reze)
    agent_verifie(AgentFactory(bailleur=True, organisme__perimetre=[territoire_reze.reze]))

    reponse = client.get(reverse("demandes:doublons:comparaison", args=[suspicion.pk]))

    assertNotContains(reponse, "Fusionner en gardant")
    assertContains(reponse, "Seul un agent d'un guichet accompagnateur")
    reponse = client.post(reverse("demandes:doublons:fusion", args=[suspicion.pk]), {"garder": a.pk}, follow=True)
    assertContains(reponse, "modifier les deux demandes")
    a.refresh_from_db()
    assert a.etat == Demande.Etat.ACTIVE


def test_un_observateur_n_a_pas_acces(client, agent_verifie):
    agent_verifie(observateur=True)
    assert client.get(reverse("demandes:doublons:liste")).status_code == 403


# ---------------------------------------------------------------- pré-filtre des lignes à noter

_NOMS = st.text(alphabet="ABCDEHILMNORST ", min_size=0, max_size=12).map(lambda t: " ".join(t.split()))


@given(a_nom=_NOMS, a_prenom=_NOMS, lignes=st.lists(st.tuples(_NOMS, _NOMS), max_size=30), seuil=st.integers(60, 100))
@settings(max_examples=400, deadline=None)
def test_le_prefiltre_ne_perd_aucune_ligne_que_le_majorant_garderait(a_nom, a_prenom, lignes, seuil):
    """Les passes C de ``_lignes_a_noter`` gardent au moins les lignes que ``_plafond_noms`` laisse noter :
    le rappel de la vérification à la saisie ne dépend pas du pré-filtre."""
    ident = doublons.Identite(a_nom, a_prenom, datetime.date(1980, 1, 1))
    noms = [n for n, _p in lignes]
    prenoms = [p for _n, p in lignes]
    attendues = {i for i, (n, p) in enumerate(lignes) if doublons._plafond_noms(ident, n, p) >= seuil - 0.5}
    assert attendues <= doublons._lignes_a_noter(ident, noms, prenoms, seuil)


_NOMS_ET_VARIANTES = st.one_of(
    _NOMS, st.sampled_from(["MOHAMED", "MUHAMMAD", "YOUSSEF", "YUSUF", "DMYTRO", "DMITRI", "SHEVCHENKO"])
)


@given(
    a_nom=_NOMS_ET_VARIANTES,
    a_prenom=_NOMS_ET_VARIANTES,
    a_naissance=st.one_of(st.just(""), _NOMS),
    lignes=st.lists(st.tuples(_NOMS_ET_VARIANTES, _NOMS_ET_VARIANTES, st.one_of(st.just(""), _NOMS)), max_size=30),
    seuil=st.integers(0, 100),
)
@settings(max_examples=400, deadline=None)
def test_le_prefiltre_garde_variantes_phonetique_et_noms_de_naissance(a_nom, a_prenom, a_naissance, lignes, seuil):
    """Avec les règles de la session 8 (variantes, Metaphone, nom de naissance) et tout seuil de 0 à 100, le
    pré-filtre garde au moins les lignes que le majorant laisse noter."""
    ident = doublons.Identite(a_nom, a_prenom, datetime.date(1980, 1, 1), nom_naissance=a_naissance)
    noms, prenoms, naissances = ([ligne[i] for ligne in lignes] for i in range(3))
    attendues = {i for i, (n, p, nn) in enumerate(lignes) if doublons._plafond_noms(ident, n, p, nn) >= seuil - 0.5}
    assert attendues <= doublons._lignes_a_noter(ident, noms, prenoms, seuil, naissances)
