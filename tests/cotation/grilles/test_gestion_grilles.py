"""Gestion des grilles de cotation : qui gère quoi, nouvelle version, modification d'un brouillon (erreurs en
français sur les champs, rien de perdu ni d'écrit), programmation, annulation, activation, archivage, journal."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from cotation import acces
from cotation.grilles import services as grilles
from cotation.grilles.forms import AjoutCritereForm
from cotation.models import Critere, Famille, Grille, TransitionGrille
from demandes.dossier import choix
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.socle.models import TacheSortante
from fdls.socle.workflow import AUTOMATE, Auteur
from tests.monde.factories import AgentFactory, DemandeurFactory, OrganismeFactory
from tests.monde.territoires import territoire_nantes

AUJOURDHUI = datetime.date.today


@pytest.fixture
def m():
    return territoire_nantes(grille=True, administrateurs=True)


@pytest.fixture
def brouillon(m):
    return grilles.nouvelle_version(m.grille, auteur=Auteur.agent(m.admin_epci))


def _critere(grille, code) -> Critere:
    return grille.criteres.select_related("famille").get(code=code)


def _donnees_critere(c: Critere, **changes) -> dict:
    """Le formulaire de modification d'un critère tel que l'écran l'envoie (paliers : 2 lignes vides en plus)."""

    donnees = {
        "famille": c.famille_id,
        "libelle": c.libelle,
        "points": c.points,
        "duree_mois": c.duree_mois or "",
        "ordre": c.ordre,
        "exclu_si": c.exclu_si,
        "exclu_si_familles": c.exclu_si_familles,
        "mention_exclusion": c.mention_exclusion,
        "regle_des_parametres": c.regle,
        # Un champ par paramètre de la règle (cases à cocher, nombres) : jamais de JSON à saisir.
        **{
            f"parametre_{cle}": (valeur if isinstance(valeur, list) else ("on" if valeur is True else str(valeur)))
            for cle, valeur in c.parametres.items()
        },
    }
    paliers = changes.pop("paliers", c.paliers)
    donnees.update(changes)
    lignes = [*paliers, {}, {}]
    donnees.update(
        {
            "paliers-TOTAL_FORMS": len(lignes),
            "paliers-INITIAL_FORMS": len(c.paliers),
            "paliers-MIN_NUM_FORMS": 0,
            "paliers-MAX_NUM_FORMS": 1000,
        }
    )
    for i, p in enumerate(lignes):
        for cle in ("min", "max", "points", "duree_mois", "libelle"):
            donnees[f"paliers-{i}-{cle}"] = "" if p.get(cle) is None else p[cle]
    return {k: v for k, v in donnees.items() if v is not None}


# ---------------------------------------------------------------- qui gère les grilles


def test_qui_gere_les_grilles_de_quel_territoire(m):
    nm, compa = m.nantes.epci_id, m.ancenis.epci_id
    assert acces.peut_gerer_grilles(m.admin_fichier)
    assert acces.peut_gerer_grilles(m.admin_fichier, compa)
    assert acces.peut_gerer_grilles(m.admin_epci)
    assert acces.peut_gerer_grilles(m.admin_epci, nm)
    assert not acces.peut_gerer_grilles(m.admin_epci, compa)
    assert acces.peut_gerer_grilles(m.admin_compa, compa)
    assert not acces.peut_gerer_grilles(m.admin_compa, nm)
    for agent in (m.agent_ehs, m.agent_bailleur, m.agent_ddets, m.agent_nm, m.observateur, m.agent_reze):
        assert not acces.peut_gerer_grilles(agent), agent
        assert not acces.peut_gerer_grilles(agent, nm), agent
    assert not acces.peut_gerer_grilles(DemandeurFactory())

    assert not acces.peut_gerer_grilles(AnonymousUser())
    # Un administrateur d'un organisme d'un autre type (bailleur) ne gère pas de grille ; ni un EPCI sans SIREN.
    assert not acces.peut_gerer_grilles(AgentFactory(organisme=m.bailleur, roles=[Role.ADMINISTRATEUR]), nm)
    sans_siren = OrganismeFactory(nom="EPCI sans SIREN", type=Organisme.Type.EPCI)
    assert not acces.peut_gerer_grilles(AgentFactory(organisme=sans_siren, roles=[Role.ADMINISTRATEUR]))
    # Un compte désactivé ne gère plus rien.
    m.admin_epci.is_active = False
    assert not acces.peut_gerer_grilles(m.admin_epci, nm)


def test_liste_des_grilles_par_role(client, agent_verifie, m):
    url = reverse("cotation:grilles")
    assert client.get(url).status_code == 302  # anonyme : connexion

    agent_verifie(m.admin_fichier)
    assertContains(client.get(url), "Grille de cotation de Nantes Métropole")

    agent_verifie(m.admin_epci)
    reponse = client.get(url)
    assertContains(reponse, "Grille de cotation de Nantes Métropole")
    assertContains(reponse, f'<a href="{url}" aria-current="page">Cotation</a>', html=True)

    agent_verifie(m.admin_compa)
    reponse = client.get(url)
    assert reponse.status_code == 200
    assertNotContains(reponse, "Grille de cotation de Nantes Métropole")
    assertContains(reponse, "Aucune grille de cotation sur votre territoire")
    assert client.get(reverse("cotation:grille", args=[m.grille.pk])).status_code == 404

    for agent in (m.agent_ehs, m.agent_bailleur, m.agent_ddets, m.agent_nm, m.observateur):
        agent_verifie(agent)
        refus = client.get(url)
        assert refus.status_code == 403, agent
        assertContains(refus, "administrateurs de l'EPCI", status_code=403)
        assert client.get(reverse("cotation:grille", args=[m.grille.pk])).status_code == 403
        assert client.post(reverse("cotation:nouvelle_version", args=[m.grille.pk])).status_code == 403
        # Pas de lien « Cotation » dans le menu de ceux qui ne gèrent pas de grille.
        assertNotContains(client.get(reverse("socle:accueil")), f'href="{url}"')

    client.force_login(DemandeurFactory())
    assert client.get(url).status_code == 403
    assert Grille.objects.count() == 1


def test_la_fiche_d_une_grille(client, agent_verifie, m):
    agent_verifie(m.admin_epci)

    reponse = client.get(reverse("cotation:grille", args=[m.grille.pk]))

    assertContains(reponse, "Grille de cotation de Nantes Métropole – version 1")
    assertContains(reponse, "En vigueur")
    assertContains(reponse, "02/10/2023")
    assertContains(reponse, "Le caractère prioritaire de votre demande : priorités État")
    assertContains(reponse, "Seul le critère le plus favorable compte")
    assertContains(reponse, "<li>Entre 6 et 18 mois&nbsp;: <strong>+5</strong></li>", html=True)
    assertContains(reponse, "<li>De 1 à 3 refus&nbsp;: <strong>-5</strong> pendant 12 mois</li>", html=True)
    assertContains(reponse, "Labels qui donnent les points : CP - Dalo")
    assertNotContains(reponse, "{&quot;labels&quot;")
    assertContains(reponse, "Vous êtes en situation de handicap")  # « sauf si » du motif handicap
    assertContains(reponse, "Journal de la grille")
    assertContains(reponse, "Grille installée depuis sa définition")
    assertContains(reponse, "Nouvelle version à partir de celle-ci")
    assertContains(reponse, "Archiver sans remplacement")
    # Une grille en vigueur ne se modifie pas : pas de lien de modification.
    assertNotContains(reponse, reverse("cotation:modifier", args=[m.grille.pk]))
    assertNotContains(reponse, "Programmer l'entrée en vigueur")


# ---------------------------------------------------------------- nouvelle version


def test_nouvelle_version_a_partir_de_la_grille_en_vigueur(client, agent_verifie, m):
    agent_verifie(m.admin_epci)

    reponse = client.post(reverse("cotation:nouvelle_version", args=[m.grille.pk]))

    copie = Grille.objects.get(epci=m.grille.epci_id, version=2)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("cotation:grille", args=[copie.pk])
    assert copie.etat == Grille.Etat.BROUILLON
    assert copie.creee_depuis == m.grille
    assert copie.criteres.count() == m.grille.criteres.count() == 27
    transition = copie.transitions.get()
    assert transition.auteur == m.admin_epci
    assert transition.organisme == m.nm
    fiche = client.get(reponse["Location"])
    assertContains(fiche, "Version 2 créée en brouillon à partir de la version 1")
    assertContains(fiche, reverse("cotation:modifier", args=[copie.pk]))
    assertContains(fiche, "Programmer l'entrée en vigueur")
    assert client.get(reverse("cotation:nouvelle_version", args=[m.grille.pk])).status_code == 405


def test_une_grille_en_vigueur_ne_se_modifie_pas(client, agent_verifie, m):
    agent_verifie(m.admin_fichier)
    c = _critere(m.grille, "dalo")

    for url in (
        reverse("cotation:modifier", args=[m.grille.pk]),
        reverse("cotation:modifier_critere", args=[m.grille.pk, c.pk]),
        reverse("cotation:ajouter_critere", args=[m.grille.pk]),
        reverse("cotation:ajouter_famille", args=[m.grille.pk]),
    ):
        reponse = client.post(url, _donnees_critere(c, points=3), follow=True)
        assertContains(reponse, "seule une grille en brouillon se modifie")
    assert _critere(m.grille, "dalo").points == 20
    with pytest.raises(grilles.TransitionInterdite):
        grilles.modifier_critere(c, auteur=AUTOMATE, points=3)
    with pytest.raises(grilles.TransitionInterdite):
        grilles.supprimer_critere(c, auteur=AUTOMATE)


# ---------------------------------------------------------------- modification d'un brouillon


def test_modifier_les_champs_de_la_grille(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    url = reverse("cotation:modifier", args=[brouillon.pk])
    assertContains(client.get(url), 'value="Grille de cotation de Nantes Métropole"')

    erreur = client.post(url, {"libelle": "", "deliberation": "CIL du 3 mars 2026", "total_plancher": "abc"})
    assert erreur.status_code == 422
    assertContains(erreur, "Indiquez l&#x27;intitulé de la grille.", status_code=422)
    assertContains(erreur, "Saisissez un nombre entier.", status_code=422)
    assertContains(erreur, 'value="CIL du 3 mars 2026"', status_code=422)
    brouillon.refresh_from_db()
    assert brouillon.deliberation == ""

    reponse = client.post(
        url,
        {
            "libelle": "Grille 2026",
            "deliberation": "CIL du 3 mars 2026",
            "total_plancher": "0",
            "introduction": "Nouveau texte.",
        },
    )
    assert reponse.status_code == 302
    brouillon.refresh_from_db()
    assert (brouillon.libelle, brouillon.deliberation, brouillon.total_plancher, brouillon.introduction) == (
        "Grille 2026",
        "CIL du 3 mars 2026",
        0,
        "Nouveau texte.",
    )
    assert brouillon.transitions.filter(commentaire__startswith="Grille modifiée").exists()


def test_modifier_les_points_d_un_critere(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "eloigne-travail")
    url = reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk])
    assertContains(client.get(url), 'value="5"')

    reponse = client.post(url, _donnees_critere(c, points=7, libelle="Votre travail est loin"))

    assert reponse.status_code == 302
    assert reponse["Location"].endswith("#critere-eloigne-travail")
    c.refresh_from_db()
    assert (c.points, c.libelle) == (7, "Votre travail est loin")
    journal = brouillon.transitions.order_by("-id").first()
    assert journal.etat_avant == journal.etat_apres == "brouillon"
    assert "points : 5 → 7" in journal.commentaire
    assert journal.auteur == m.admin_epci
    # La grille en vigueur n'a pas bougé.
    assert _critere(m.grille, "eloigne-travail").points == 5


def test_modifier_les_paliers_d_un_critere(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "anciennete")
    url = reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk])
    paliers = [
        {"min": 36, "max": None, "points": 20, "libelle": "Plus de 36 mois"},  # ordre indifférent : trié
        {"min": 6, "max": 24, "points": 5, "libelle": "Entre 6 et 24 mois"},
        {"min": 24, "max": 36, "points": 12},
    ]

    reponse = client.post(url, _donnees_critere(c, paliers=paliers))

    assert reponse.status_code == 302, reponse.content.decode()[:3000]
    c.refresh_from_db()
    assert c.paliers == [
        {"min": 6, "max": 24, "points": 5, "libelle": "Entre 6 et 24 mois"},
        {"min": 24, "max": 36, "points": 12},
        {"min": 36, "max": None, "points": 20, "libelle": "Plus de 36 mois"},
    ]


def test_des_paliers_incoherents_sont_refuses_en_francais_sans_rien_perdre(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "anciennete")
    url = reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk])
    avant = list(c.paliers)

    chevauchement = [
        {"min": 6, "max": 18, "points": 5},
        {"min": 12, "max": None, "points": 10, "libelle": "Palier à corriger"},
    ]
    reponse = client.post(url, _donnees_critere(c, paliers=chevauchement, libelle="Libellé saisi"))
    assert reponse.status_code == 422
    assertContains(reponse, "Palier 2 : il chevauche le palier précédent.", status_code=422)
    assertContains(reponse, 'value="Palier à corriger"', status_code=422)
    assertContains(reponse, "Libellé saisi", status_code=422)
    assertContains(reponse, 'id="resume-erreurs"', status_code=422)

    borne = [{"min": 18, "max": 6, "points": 5}]
    reponse = client.post(url, _donnees_critere(c, paliers=borne))
    assertContains(reponse, "Palier 1 : « max » est un entier supérieur à « min ».", status_code=422)

    sans_points = [{"min": 6, "max": 18, "points": None}]
    reponse = client.post(url, _donnees_critere(c, paliers=sans_points))
    assertContains(reponse, "Indiquez les points du palier.", status_code=422)

    vide = client.post(url, _donnees_critere(c, paliers=[]))
    assertContains(vide, "se calcule par paliers : indiquez-en au moins un.", status_code=422)

    c.refresh_from_db()
    assert c.paliers == avant
    assert c.libelle != "Libellé saisi"


def test_une_regle_a_points_fixes_refuse_les_paliers(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "dalo")

    reponse = client.post(
        reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk]),
        _donnees_critere(c, paliers=[{"min": 1, "max": None, "points": 3}]),
    )

    assertContains(reponse, "ne lit pas de paliers", status_code=422)


def test_les_parametres_sont_des_champs_et_un_code_inconnu_est_refuse_en_francais(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "dalo")
    url = reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk])

    page = client.get(url).content.decode()
    assert "Labels qui donnent les points" in page
    assert 'type="checkbox" name="parametre_labels" value="cp-dalo"' in page
    assert "JSON" not in page

    reponse = client.post(url, _donnees_critere(c, parametre_labels=["cp-inconnu"], points=18))

    assertContains(reponse, "« cp-inconnu » n&#x27;est pas dans la liste : cochez une case proposée.", status_code=422)
    c.refresh_from_db()
    assert c.parametres == {"labels": ["cp-dalo"]}
    assert c.points == 20


def test_parametres_des_autres_regles():
    assert grilles.erreurs_parametres("taux_effort", {"statuts": ["locataire_prive"], "seuil_pct": 33}) == []
    assert grilles.erreurs_parametres("taux_effort", {"deduire_aides": True}) == []
    assert grilles.erreurs_parametres("taux_effort", {"seuil_pct": 250}) == ["« seuil_pct » est un nombre de 1 à 100."]
    assert grilles.erreurs_parametres("taux_effort", {"deduire_aides": "oui"}) == [
        "« deduire_aides » vaut true ou false."
    ]
    assert grilles.erreurs_parametres("refus", {"evenement": "refus_attribution", "periode_mois": 24}) == []
    assert grilles.erreurs_parametres("refus", {"evenement": "autre"}) == [
        "« evenement » vaut « refus_positionnement » ou « refus_attribution »."
    ]
    assert grilles.erreurs_parametres("activite", {"activites": ["assistant_familial"], "motifs": ["handicap"]}) == []
    assert grilles.erreurs_parametres("statut_occupation", {"statuts": ["chateau"]}) == [
        "« statuts » : code(s) inconnu(s) « chateau »."
    ]
    assert grilles.erreurs_parametres("anciennete", {"x": 1}) == [
        "« x » n'est pas un paramètre de cette règle (attendu : aucun paramètre)."
    ]


def test_exclusions_choisies_parmi_les_criteres_et_familles_de_la_grille(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    c = _critere(brouillon, "eloigne-travail")
    url = reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk])
    formulaire = client.get(url)
    assertContains(formulaire, 'value="dalo"')  # critères de la grille proposés
    assertContains(formulaire, 'value="priorites-etat"')  # familles de la grille proposées
    assertNotContains(formulaire, 'name="exclu_si" value="eloigne-travail"')  # pas lui-même

    apres = client.post(url, _donnees_critere(c, exclu_si=["assistant-familial"]))
    assertContains(apres, "vient après ce critère", status_code=422)
    inconnu = client.post(url, _donnees_critere(c, exclu_si=["nimporte"]))
    assertContains(inconnu, "Sélectionnez un choix valide", status_code=422)
    propre_famille = client.post(url, _donnees_critere(c, exclu_si_familles=["motifs"]))
    assertContains(propre_famille, "exclu par sa propre famille", status_code=422)

    ok = client.post(
        url,
        _donnees_critere(
            c,
            exclu_si=["dalo"],
            exclu_si_familles=["priorites-nm"],
            mention_exclusion="sauf si vous êtes reconnu-e Dalo",
        ),
    )
    assert ok.status_code == 302
    c.refresh_from_db()
    assert (c.exclu_si, c.exclu_si_familles) == (["dalo"], ["priorites-nm"])


def test_ajouter_puis_supprimer_un_critere(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    famille = brouillon.familles.get(code="motifs")
    url = reverse("cotation:ajouter_critere", args=[brouillon.pk])
    assertContains(client.get(url, {"famille": famille.pk}), "Ajouter un critère")
    donnees = {
        "famille": famille.pk,
        "code": "violences-intrafamiliales",
        "regle": "motif",
        "libelle": "Vous subissez des violences au sein de votre foyer",
        "points": 12,
        "ordre": 200,
        "regle_des_parametres": "motif",
        "paliers-TOTAL_FORMS": 2,
        "paliers-INITIAL_FORMS": 0,
        "paliers-MIN_NUM_FORMS": 0,
        "paliers-MAX_NUM_FORMS": 1000,
    }

    motif = next(v for v in choix.Motif.values if "violence" in v)
    donnees["parametre_motifs"] = [motif]

    doublon = client.post(url, {**donnees, "code": "dalo"})
    assertContains(doublon, "Un autre critère de la grille a déjà le code « dalo ».", status_code=422)
    assertContains(doublon, "Vous subissez des violences au sein de votre foyer", status_code=422)

    reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    nouveau = brouillon.criteres.get(code="violences-intrafamiliales")
    assert (nouveau.points, nouveau.famille, nouveau.parametres) == (12, famille, {"motifs": [motif]})

    # Un critère qu'un autre exclut ne se supprime pas avant qu'on retire l'exclusion.
    handicap = _critere(brouillon, "situation-handicap")
    refus = client.post(reverse("cotation:supprimer_critere", args=[brouillon.pk, handicap.pk]), follow=True)
    assertContains(refus, "l&#x27;utilise dans « sauf si »")
    assert brouillon.criteres.filter(code="situation-handicap").exists()

    client.post(reverse("cotation:supprimer_critere", args=[brouillon.pk, nouveau.pk]))
    assert not brouillon.criteres.filter(code="violences-intrafamiliales").exists()
    assert brouillon.transitions.filter(commentaire__contains="supprimé").exists()


def test_familles_ajout_modification_suppression(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    url = reverse("cotation:ajouter_famille", args=[brouillon.pk])

    erreur = client.post(url, {"code": "Mauvais Code", "libelle": "Ma famille", "cumul": "somme", "ordre": 90})
    assertContains(erreur, "Le code est fait de lettres minuscules", status_code=422)
    assertContains(erreur, 'value="Ma famille"', status_code=422)
    ok = client.post(url, {"code": "ma-famille", "libelle": "Ma famille", "cumul": "maximum", "ordre": 90})
    assert ok.status_code == 302
    famille = brouillon.familles.get(code="ma-famille")
    assert famille.cumul == Famille.Cumul.MAXIMUM

    modifier = reverse("cotation:modifier_famille", args=[brouillon.pk, famille.pk])
    exclusion_mal_placee = client.post(
        reverse("cotation:modifier_famille", args=[brouillon.pk, brouillon.familles.get(code="motifs").pk]),
        {"libelle": "Motifs", "cumul": "somme", "ordre": 30, "exclue_si_familles": ["ma-famille"]},
    )
    assertContains(exclusion_mal_placee, "doit précéder celle-ci pour l&#x27;exclure", status_code=422)
    assert client.post(modifier, {"libelle": "Famille renommée", "cumul": "somme", "ordre": 5}).status_code == 302
    famille.refresh_from_db()
    assert (famille.libelle, famille.cumul, famille.ordre) == ("Famille renommée", "somme", 5)

    pleine = brouillon.familles.get(code="motifs")
    refus = client.post(reverse("cotation:supprimer_famille", args=[brouillon.pk, pleine.pk]), follow=True)
    assertContains(refus, "La famille compte encore des critères")
    client.post(reverse("cotation:supprimer_famille", args=[brouillon.pk, famille.pk]))
    assert not brouillon.familles.filter(code="ma-famille").exists()


def test_un_autre_territoire_ne_touche_pas_au_brouillon(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_compa)
    c = _critere(brouillon, "dalo")

    assert client.get(reverse("cotation:grille", args=[brouillon.pk])).status_code == 404
    assert client.post(reverse("cotation:modifier_critere", args=[brouillon.pk, c.pk]), {}).status_code == 404
    assert (
        client.post(reverse("cotation:programmer", args=[brouillon.pk]), {"date_effet": "2030-01-01"}).status_code
        == 404
    )
    brouillon.refresh_from_db()
    assert brouillon.etat == Grille.Etat.BROUILLON


# ---------------------------------------------------------------- programmation, activation, archivage


def test_programmer_puis_annuler_la_programmation(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    date_effet = AUJOURDHUI() + datetime.timedelta(days=30)

    reponse = client.post(reverse("cotation:programmer", args=[brouillon.pk]), {"date_effet": date_effet.isoformat()})

    assert reponse.status_code == 302
    brouillon.refresh_from_db()
    assert (brouillon.etat, brouillon.date_effet) == (Grille.Etat.PROGRAMMEE, date_effet)
    fiche = client.get(reverse("cotation:grille", args=[brouillon.pk]))
    assertContains(fiche, f"entrera en vigueur le {date_effet:%d/%m/%Y}")
    assertContains(fiche, "Annuler la programmation")
    m.grille.refresh_from_db()
    assert m.grille.etat == Grille.Etat.EN_VIGUEUR

    # Une seule version programmée par territoire.
    v3 = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    refus = client.post(reverse("cotation:programmer", args=[v3.pk]), {"date_effet": date_effet.isoformat()})
    assertContains(refus, "La version 2 est déjà programmée : annulez d&#x27;abord sa programmation.", status_code=422)

    client.post(reverse("cotation:annuler_programmation", args=[brouillon.pk]))
    brouillon.refresh_from_db()
    assert (brouillon.etat, brouillon.date_effet) == (Grille.Etat.BROUILLON, None)
    assert list(brouillon.transitions.exclude(etat_avant="").values_list("etat_avant", "etat_apres")) == [
        ("brouillon", "programmee"),
        ("programmee", "brouillon"),
    ]


def test_programmer_a_aujourd_hui_met_en_vigueur_et_archive_la_precedente(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_fichier)

    reponse = client.post(
        reverse("cotation:programmer", args=[brouillon.pk]), {"date_effet": AUJOURDHUI().isoformat()}, follow=True
    )

    assertContains(reponse, "est en vigueur depuis le")
    brouillon.refresh_from_db()
    m.grille.refresh_from_db()
    assert brouillon.etat == Grille.Etat.EN_VIGUEUR
    assert brouillon.date_effet == AUJOURDHUI()
    assert m.grille.etat == Grille.Etat.ARCHIVEE
    assert m.grille.date_fin == AUJOURDHUI()
    assert TacheSortante.objects.filter(nom="cotation.tasks.recalculer_fichier").exists()
    assert TransitionGrille.objects.filter(grille=m.grille, etat_apres="archivee", auteur=m.admin_fichier).exists()


def test_la_date_d_effet_est_obligatoire_et_les_erreurs_de_la_grille_bloquent(client, agent_verifie, m, brouillon):
    agent_verifie(m.admin_epci)
    url = reverse("cotation:programmer", args=[brouillon.pk])

    assertContains(client.post(url, {"date_effet": ""}), "Indiquez la date d&#x27;entrée en vigueur.", status_code=422)
    assertContains(client.post(url, {"date_effet": "31/02/2026"}), "Date impossible ou mal écrite", status_code=422)
    assertContains(client.post(url, {"date_effet": "01/01/1850"}), "antérieure à 1900", status_code=422)
    assertContains(client.post(url, {"date_effet": "01/01/2999"}), "vérifiez l&#x27;année", status_code=422)

    # Un critère qui en exclut un autre placé après lui : signalé sur la fiche, l'activation est refusée.
    Critere.objects.filter(grille=brouillon, code="dalo").update(exclu_si=["eloigne-travail"])
    fiche = client.get(reverse("cotation:grille", args=[brouillon.pk]))
    assertContains(fiche, "À corriger avant l'entrée en vigueur")
    assertContains(fiche, "le critère « eloigne-travail » doit le précéder pour l&#x27;exclure.")
    refus = client.post(url, {"date_effet": AUJOURDHUI().isoformat()})
    assertContains(refus, "doit le précéder pour l&#x27;exclure", status_code=422)
    brouillon.refresh_from_db()
    assert brouillon.etat == Grille.Etat.BROUILLON


def test_archiver_la_grille_en_vigueur(client, agent_verifie, m):
    agent_verifie(m.admin_epci)

    reponse = client.post(reverse("cotation:archiver", args=[m.grille.pk]), follow=True)

    assertContains(reponse, "Version 1 archivée")
    m.grille.refresh_from_db()
    assert m.grille.etat == Grille.Etat.ARCHIVEE
    deja = client.post(reverse("cotation:archiver", args=[m.grille.pk]), follow=True)
    assertContains(deja, "Action impossible : la grille est « Archivée »")


def test_creer_une_grille_vide_pour_un_territoire_sans_grille(client, agent_verifie, m):
    agent_verifie(m.admin_compa)
    url = reverse("cotation:creer")
    formulaire = client.get(url)
    assertContains(formulaire, "COMPA")
    assertNotContains(formulaire, ">Nantes Métropole</option>")

    refus = client.post(url, {"epci": m.nantes.epci_id, "libelle": "Pirate"})
    assertContains(refus, "Sélectionnez un choix valide", status_code=422)
    reponse = client.post(url, {"epci": m.ancenis.epci_id, "libelle": "Grille de la COMPA"})
    grille = Grille.objects.get(epci=m.ancenis.epci_id)
    assert reponse["Location"] == reverse("cotation:grille", args=[grille.pk])
    assert (grille.version, grille.etat, grille.libelle) == (1, "brouillon", "Grille de la COMPA")
    fiche = client.get(reponse["Location"])
    assertContains(fiche, "La grille ne compte aucun critère.")
    sans_famille = client.get(reverse("cotation:ajouter_critere", args=[grille.pk]), follow=True)
    assertContains(sans_famille, "Ajoutez d&#x27;abord une famille")


def test_les_services_valident_avant_d_ecrire(m, brouillon):
    c = _critere(brouillon, "anciennete")
    with pytest.raises(ValidationError) as erreur:
        grilles.modifier_critere(c, auteur=AUTOMATE, points=99, paliers=[{"min": 5, "points": "x"}])
    assert erreur.value.message_dict == {"paliers": ["Palier 1 : « min » et « points » sont des entiers."]}
    c.refresh_from_db()
    assert c.points == 0
    with pytest.raises(ValueError, match="Champs non modifiables"):
        grilles.modifier_critere(c, auteur=AUTOMATE, code="autre")


def test_un_parametre_nombre_se_saisit_a_la_francaise_et_ses_bornes_sont_dites(brouillon):
    famille = brouillon.familles.first()
    base = {
        "famille": famille.pk,
        "code": "effort",
        "regle": "taux_effort",
        "regle_des_parametres": "taux_effort",
        "libelle": "Votre loyer est trop lourd",
        "points": 5,
        "ordre": 300,
        "parametre_statuts": ["locataire_prive"],
    }

    trop = AjoutCritereForm({**base, "parametre_seuil_pct": "250"}, grille=brouillon)
    assert not trop.is_valid()
    assert trop.errors["parametre_seuil_pct"] == ["Saisissez un nombre de 1 à 100."]

    juste = AjoutCritereForm({**base, "parametre_seuil_pct": "33,5", "parametre_deduire_aides": "on"}, grille=brouillon)
    assert juste.is_valid(), juste.errors
    assert juste.cleaned_data["parametres"] == {
        "statuts": ["locataire_prive"],
        "seuil_pct": 33.5,
        "deduire_aides": True,
    }
    assert grilles.erreurs_parametres("taux_effort", juste.cleaned_data["parametres"]) == []

    # La règle a changé après l'affichage des paramètres : ceux de la nouvelle règle sont demandés.
    change = AjoutCritereForm({**base, "regle_des_parametres": "label"}, grille=brouillon)
    assert not change.is_valid()
    assert "Renseignez les paramètres de la règle « Loyer rapporté aux ressources »" in change.non_field_errors()[0]
