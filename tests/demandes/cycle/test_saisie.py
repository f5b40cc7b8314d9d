"""Saisie et vie d'une demande par les écrans des agents (formulaires postés comme le navigateur)."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from demandes.cycle import services
from demandes.dossier.formulaires import MESSAGE_DATE, MESSAGE_MONTANT_NEGATIF
from demandes.models import Demande, Evenement, SuspicionDoublon
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory, CommuneFactory, DemandeFactory, GuichetFactory
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import ville_de_reze


@pytest.fixture
def territoire():
    """Un agent d'un organisme doté d'un guichet accompagnateur à Rezé ; Nantes dans son territoire."""
    return ville_de_reze(habilitee_sur_nantes=True)


def formulaire(territoire, action="creer", **champs):
    """Les champs postés par le formulaire de saisie, remplis comme au guichet."""
    donnees = {
        "action": action,
        "guichet": str(territoire.guichet.pk),
        "demandeur-civilite": "MME",
        "demandeur-nom": "Lefèvre",
        "demandeur-prenom": "Élodie",
        "demandeur-date_naissance": "04/09/1970",
        "demandeur-nationalite": "francaise",
        "demandeur-situation_familiale": "celibataire",
        "demandeur-activite": "salarie_prive",
        "demandeur-revenu_fiscal": "12 534",
        "demandeur-ressource_salaire": "1 120,00",
        "demandeur-ressource_prime_activite": "124,80",
        "adresse_voie": "rue de l'Esmart",
        "code_postal": "44400",
        "ville": "Rezé",
        "enfants_a_naitre": "0",
        "statut_occupation": "locataire_prive",
        "loyer_actuel": "460",
        "typologies": ["T2", "T3"],
        "categorie_recherchee": "indifferent",
        "sans_ascenseur_accepte": "on",
        "motifs": ["trop_cher", "trop_petit"],
        "colocataires-TOTAL_FORMS": "0",
        "colocataires-INITIAL_FORMS": "0",
        "occupants-TOTAL_FORMS": "1",
        "occupants-INITIAL_FORMS": "0",
        "occupants-0-nom": "Bullet",
        "occupants-0-prenom": "Louis",
        "occupants-0-date_naissance": "05/04/2012",
        "occupants-0-lien_parente": "enfant",
        "occupants-0-a_charge": "on",
        "localisations-TOTAL_FORMS": "2",
        "localisations-INITIAL_FORMS": "0",
        "localisations-0-commune": "Nantes (44109)",
        "localisations-0-ORDER": "1",
        "localisations-1-commune": "reze",
        "localisations-1-ORDER": "2",
        # La pièce d'identité du demandeur, obligatoire pour créer la demande (seed 001 §2).
        "piece_identite": piece_identite() if action == "creer" else None,
    }
    donnees.update(champs)
    return {cle: valeur for cle, valeur in donnees.items() if valeur is not None}


def donnees_affichees(saisie, action):
    """Ce que renvoie le navigateur pour le formulaire de saisie tel qu'il est affiché."""
    donnees = {"action": action}
    formulaires = list(saisie.formulaires())
    for formset in saisie.formsets():
        formulaires += [formset.management_form, *formset.forms]
    for form in formulaires:
        for champ in form:
            widget, valeur = champ.field.widget, champ.value()
            if getattr(widget, "allow_multiple_selected", False):
                donnees[champ.html_name] = [str(v) for v in valeur or []]
            elif isinstance(widget, forms.CheckboxInput):
                if widget.check_test(valeur):
                    donnees[champ.html_name] = "on"
            elif isinstance(widget, forms.Select):
                donnees[champ.html_name] = "" if valeur is None else str(valeur)
            elif valeur is not None:
                donnees[champ.html_name] = widget.format_value(valeur) or ""
    return donnees


@pytest.fixture
def agent(agent_verifie, territoire):
    return agent_verifie(territoire.agent)


# ---------------------------------------------------------------- enregistrement


def test_enregistrer_une_demande_complete_donne_son_numero_unique(client, agent, territoire):
    reponse = client.post(reverse("demandes:nouvelle"), formulaire(territoire))

    demande = Demande.objects.get()
    assertRedirects(reponse, reverse("demandes:detail", args=[demande.pk]), fetch_redirect_response=False)
    assert demande.etat == Demande.Etat.ACTIVE
    assert demande.numero_unique.endswith("10865")
    assert demande.organisme_saisie == agent.organisme
    assert (demande.nom, demande.prenom, demande.date_naissance) == ("Lefèvre", "Élodie", datetime.date(1970, 9, 4))
    assert demande.typologies == ["T2", "T3"]
    assert demande.loyer_actuel == Decimal("460")
    personnes = list(demande.personnes.order_by("rang"))
    assert [(p.role, p.prenom) for p in personnes] == [("demandeur", "Élodie"), ("occupant", "Louis")]
    assert {(r.type, r.montant) for r in personnes[0].ressources.all()} == {
        ("salaire", Decimal("1120.00")),
        ("prime_activite", Decimal("124.80")),
    }
    assert personnes[0].revenu_fiscal == Decimal("12534")
    assert [(loc.rang, loc.commune.nom, loc.date_anciennete) for loc in demande.localisations.all()] == [
        (1, "Nantes", demande.date_depot),
        (2, "Rezé", demande.date_depot),
    ]
    assert demande.evenements.get(type=Evenement.Type.ENREGISTREMENT)
    assert demande.pieces.get().type == "identite"
    fiche = client.get(reponse.url)
    assertContains(fiche, f"Demande enregistrée : numéro unique {demande.numero_unique_affiche}")
    assertContains(fiche, demande.numero_unique_affiche)


def test_le_formulaire_vide_propose_le_seul_guichet_de_l_organisme(client, agent, territoire):
    reponse = client.get(reverse("demandes:nouvelle"))

    assertContains(reponse, f'<option value="{territoire.guichet.pk}" selected>Guichet de Rezé (10865)</option>')
    for onglet in ["Demandeur", "Co-demandeur", "Occupants", "Revenus", "Localisations souhaitées", "Compléments"]:
        assertContains(reponse, f">{onglet}</a>")
    assertContains(reponse, 'role="combobox"')
    assertContains(reponse, 'hx-get="/demandes/communes/"')


def test_les_communes_sont_suggerees_par_nom_ou_code_postal(client, agent, territoire):
    url = reverse("demandes:communes_suggerees")

    par_nom = client.get(url, {"localisations-0-commune": "nan", "departements": "44"}, headers={"HX-Target": "s-0"})
    par_code = client.get(url, {"q": "44400", "departements": "44"})
    inconnue = client.get(url, {"q": "Paris", "departements": "44"})

    assertContains(par_nom, 'data-valeur="Nantes (44109)"')
    assertContains(par_nom, 'id="s-0-1"')
    assertNotContains(par_nom, "Rezé")
    assertContains(par_code, 'data-valeur="Rezé (44143)"')
    assertContains(inconnue, "Aucune commune du département ne commence par « Paris »")


@pytest.mark.parametrize(
    ("champ", "saisie", "message"),
    [
        ("demandeur-date_naissance", "31/02/2020", MESSAGE_DATE),
        ("demandeur-ressource_salaire", "-150", MESSAGE_MONTANT_NEGATIF),
        ("localisations-0-commune", "Nantez", "Commune inconnue dans le département 44 : « Nantez »"),
        ("occupants-0-date_naissance", "", "Indiquez la date de naissance (jj/mm/aaaa)."),
    ],
)
def test_une_saisie_erronee_est_expliquee_sur_le_champ_sans_rien_perdre(
    client, agent, territoire, champ, saisie, message
):
    reponse = client.post(reverse("demandes:nouvelle"), formulaire(territoire, **{champ: saisie}))

    assert reponse.status_code == 422
    assert not Demande.objects.exists()
    assertContains(reponse, f'id="id_{champ}_error"', status_code=422)
    assertContains(reponse, f'href="#id_{champ}"', status_code=422)
    assertContains(reponse, message, status_code=422)
    assertContains(reponse, 'aria-invalid="true"', status_code=422)
    if saisie:
        assertContains(reponse, f'value="{saisie}"', status_code=422)
    # Le reste de la saisie est toujours là.
    assertContains(reponse, 'value="Lefèvre"', status_code=422)
    assertContains(reponse, 'value="124,80"', status_code=422)
    assertContains(reponse, 'value="Bullet"', status_code=422)
    assertContains(
        reponse, '<input type="checkbox" name="typologies" value="T3" id="id_typologies_3" checked>', status_code=422
    )


def test_les_erreurs_des_services_arrivent_sur_le_bon_champ(client, agent, territoire):
    """Chemins ``personnes[1].lien_parente``, ``typologies``, ``localisations`` rendus sur les champs."""
    donnees = formulaire(territoire, **{"occupants-0-lien_parente": "", "localisations-1-commune": "Nantes"})
    donnees["typologies"] = []

    reponse = client.post(reverse("demandes:nouvelle"), donnees)

    assert reponse.status_code == 422
    assert not Demande.objects.exists()
    contenu = reponse.content.decode()
    assert "Indiquez au moins une typologie recherchée." in contenu
    assert 'href="#id_typologies_0"' in contenu
    assert 'id="id_occupants-0-lien_parente_error"' in contenu
    assert "Indiquez le lien avec le demandeur." in contenu
    assert "Une même commune ne peut être choisie deux fois." in contenu
    assert 'value="Bullet"' in contenu


def test_un_demandeur_trop_jeune_est_signale_sur_sa_date_de_naissance(client, agent, territoire):
    reponse = client.post(
        reverse("demandes:nouvelle"), formulaire(territoire, **{"demandeur-date_naissance": "01/01/2020"})
    )

    assertContains(reponse, 'id="id_demandeur-date_naissance_error"', status_code=422)
    assertContains(reponse, "Le demandeur doit avoir au moins 16 ans", status_code=422)


def test_un_brouillon_se_sauve_puis_devient_une_demande(client, agent, territoire):
    reponse = client.post(reverse("demandes:nouvelle"), formulaire(territoire, action="brouillon"))

    brouillon = Demande.objects.get()
    assertRedirects(reponse, reverse("demandes:modifier", args=[brouillon.pk]))
    assert brouillon.etat == Demande.Etat.BROUILLON
    assert brouillon.numero_unique is None
    assert not brouillon.evenements.exists()

    page = client.get(reverse("demandes:modifier", args=[brouillon.pk]))
    assertContains(page, 'value="Lefèvre"')
    assertContains(page, "Supprimer le brouillon")
    donnees = donnees_affichees(page.context["saisie"], "creer")
    donnees["piece_identite"] = piece_identite()
    reponse = client.post(reverse("demandes:modifier", args=[brouillon.pk]), donnees)

    assertRedirects(reponse, reverse("demandes:detail", args=[brouillon.pk]))
    brouillon.refresh_from_db()
    assert brouillon.etat == Demande.Etat.ACTIVE
    assert brouillon.numero_unique
    assert brouillon.personnes.count() == 2
    assert brouillon.localisations.count() == 2


def test_supprimer_un_brouillon(client, agent, territoire):
    client.post(reverse("demandes:nouvelle"), formulaire(territoire, action="brouillon"))
    brouillon = Demande.objects.get()

    assert client.get(reverse("demandes:supprimer", args=[brouillon.pk])).status_code == 405
    reponse = client.post(reverse("demandes:supprimer", args=[brouillon.pk]))

    assertRedirects(reponse, reverse("demandes:liste"))
    assert not Demande.objects.exists()


# ---------------------------------------------------------------- doublons


def _vus(page) -> list[str]:
    """Les candidats « vus » que la page a montrés (jetons opaques, jamais l'identifiant interne)."""
    return re.findall(r'name="doublons_vus" value="([0-9a-f]+)"', page.content.decode())


def test_verifier_les_doublons_garde_la_saisie_et_ecarte_les_menages_differents(client, agent, territoire):
    existante = DemandeFactory(
        nom="LEFEVRE", prenom="Elodie", date_naissance=datetime.date(1970, 9, 4), communes=[territoire.reze]
    )
    url = reverse("demandes:nouvelle")

    verification = client.post(url, formulaire(territoire, action="doublons"))

    assert verification.status_code == 200
    assertContains(verification, "Vérification des doublons")
    assertContains(verification, existante.numero_unique_affiche)
    assertContains(verification, f'name="doublons_ecartes" value="{existante.pk}"')
    assertContains(verification, 'value="Bullet"')
    assertNotContains(verification, "erreurs-formulaire")
    assert Demande.objects.count() == 1

    # « Créer » sans avoir vu les candidats : la page les montre d'abord.
    sans_voir = client.post(url, formulaire(territoire))
    assertContains(sans_voir, "Des demandes ressemblent à celle-ci")
    assert Demande.objects.count() == 1

    reponse = client.post(
        url, formulaire(territoire, doublons_vus=_vus(verification), doublons_ecartes=[str(existante.pk)])
    )

    nouvelle = Demande.objects.exclude(pk=existante.pk).get()
    assertRedirects(reponse, reverse("demandes:detail", args=[nouvelle.pk]))
    suspicion = SuspicionDoublon.objects.get()
    assert suspicion.statut == SuspicionDoublon.Statut.DISTINCTES


# ---------------------------------------------------------------- modification et vie


@pytest.fixture
def active(territoire):
    agent_saisie = AgentFactory(organisme=territoire.agent.organisme)
    return services.enregistrer_demande(
        dossier(communes=[territoire.reze], loyer_actuel=Decimal("500")),
        auteur=services.Auteur.agent(agent_saisie),
        guichet=territoire.guichet,
        piece_identite=piece_identite(),
    )


def test_la_modification_historise_ancienne_et_nouvelle_valeur(client, agent, territoire, active):
    url = reverse("demandes:modifier", args=[active.pk])
    page = client.get(url)
    assertContains(page, 'value="500,00"')
    donnees = donnees_affichees(page.context["saisie"], "modifier")
    donnees["loyer_actuel"] = "640"
    donnees["demandeur-prenom"] = "Clara"

    reponse = client.post(url, donnees)

    assertRedirects(reponse, reverse("demandes:detail", args=[active.pk]), fetch_redirect_response=False)
    evenement = active.evenements.get(type=Evenement.Type.MODIFICATION)
    assert evenement.auteur == agent
    changements = {(c["champ"], c["ancien"], c["nouveau"]) for c in evenement.details["changements"]}
    assert ("Loyer avec charges (€/mois)", "500,00", "640,00") in changements
    assert ("Prénom", "Claire", "Clara") in changements
    fiche = client.get(reponse.url)
    assertContains(fiche, "Demande modifiée : 2 champs modifiés.")
    assertContains(fiche, "Loyer avec charges (€/mois)&nbsp;: 500,00 → 640,00")
    active.refresh_from_db()
    assert active.localisations.get().date_anciennete == active.date_depot


def test_renouveler_par_un_bouton_post(client, agent, active):
    url = reverse("demandes:renouveler", args=[active.pk])
    # Le renouvellement s'ouvre un mois avant l'échéance, comme l'annonce l'attestation.
    Demande.objects.filter(pk=active.pk).update(date_expiration=datetime.date.today() + datetime.timedelta(days=10))
    assert client.get(url).status_code == 405

    reponse = client.post(url, follow=True)

    assertContains(reponse, "Demande renouvelée : valable jusqu&#x27;au")
    assert active.evenements.filter(type=Evenement.Type.RENOUVELLEMENT).count() == 1


def test_annuler_exige_un_motif_de_r441_2_8(client, agent, active):
    url = reverse("demandes:annuler", args=[active.pk])

    sans_motif = client.post(url, {"motif": ""})
    autre = client.post(url, {"motif": "autre", "commentaire": "Déménagé"})

    assertContains(sans_motif, "Choisissez le motif de l&#x27;annulation.", status_code=422)
    assert autre.status_code == 422
    active.refresh_from_db()
    assert active.etat == Demande.Etat.ACTIVE

    reponse = client.post(url, {"motif": "renonciation", "commentaire": "Relogée par sa famille"})

    assertRedirects(reponse, reverse("demandes:detail", args=[active.pk]), fetch_redirect_response=False)
    active.refresh_from_db()
    assert (active.etat, active.motif_annulation) == (Demande.Etat.ANNULEE, "renonciation")


def test_reactiver_une_demande_annulee_avec_un_motif(client, agent, active):
    services.annuler_demande(active, motif="renonciation", auteur=services.AUTOMATE)
    url = reverse("demandes:reactiver", args=[active.pk])
    fiche = client.get(reverse("demandes:detail", args=[active.pk]))
    assertContains(fiche, "Réactiver…")

    assertContains(client.post(url, {"motif": ""}), "Indiquez pourquoi la demande est réactivée.", status_code=422)
    reponse = client.post(url, {"motif": "Le courrier était mal adressé"})

    assertRedirects(reponse, reverse("demandes:detail", args=[active.pk]), fetch_redirect_response=False)
    active.refresh_from_db()
    assert active.etat == Demande.Etat.ACTIVE


def test_une_demande_irrecevable_ne_se_reactive_pas(client, agent, active):
    # L'irrecevabilité est prononcée par une CAL (R441-2-8 d) : un guichet ne la choisit pas ; posée ici en base.
    Demande.objects.filter(pk=active.pk).update(
        etat=Demande.Etat.ANNULEE, motif_annulation="irrecevabilite", date_fin=datetime.date.today()
    )

    fiche = client.get(reverse("demandes:detail", args=[active.pk]))
    reponse = client.post(reverse("demandes:reactiver", args=[active.pk]), {"motif": "Essai"})

    assertNotContains(fiche, "Réactiver…")
    assertContains(fiche, "ne se réactive pas")
    assertContains(reponse, "ne se réactive pas", status_code=422)
    active.refresh_from_db()
    assert active.etat == Demande.Etat.ANNULEE


def test_la_fiche_montre_la_synthese_et_l_historique(client, agent, active):
    services.renouveler_demande(active, auteur=services.Auteur.agent(agent), le=active.date_expiration)

    reponse = client.get(reverse("demandes:detail", args=[active.pk]))

    for texte in [
        "Synthèse",
        "Généralités",
        "Renouvellement à effectuer avant le",
        "Revenus mensuels",
        "Quotient familial",
        "Localisation souhaitée",
        "Enregistrement de la demande",
        "Renouvellement de la demande",
        agent.get_full_name(),
    ]:
        assertContains(reponse, texte)
    assertContains(reponse, active.numero_unique_affiche)
    hier = client.get(reverse("demandes:detail", args=[active.pk]), {"du": "01/01/2000", "au": "31/12/2000"})
    assertContains(hier, "Aucun événement sur cette période.")


# ---------------------------------------------------------------- accès


def test_un_agent_d_un_autre_territoire_ne_trouve_pas_la_demande(client, agent_verifie, active):
    agent_verifie(AgentFactory(organisme__perimetre=[CommuneFactory(nom="Angers")]))

    for nom in ["detail", "modifier", "annuler", "reactiver"]:
        assert client.get(reverse(f"demandes:{nom}", args=[active.pk])).status_code == 404
    assert client.post(reverse("demandes:renouveler", args=[active.pk])).status_code == 404
    assert not active.evenements.filter(type=Evenement.Type.RENOUVELLEMENT).exists()


def test_un_observateur_recoit_un_403(client, agent_verifie, territoire):
    agent_verifie(observateur=True, organisme=territoire.agent.organisme)

    reponse = client.get(reverse("demandes:nouvelle"))

    assertContains(reponse, "R441-2-6", status_code=403)


def test_un_agent_d_un_guichet_relai_n_enregistre_pas(client, agent_verifie, territoire):
    relai = GuichetFactory(relai=True, commune=territoire.reze)
    agent_verifie(AgentFactory(organisme=relai.organisme))

    reponse = client.get(reverse("demandes:nouvelle"))
    poste = client.post(reverse("demandes:nouvelle"), formulaire(territoire))

    assertContains(reponse, "Enregistrement des demandes réservé", status_code=403)
    assert poste.status_code == 403
    assert not Demande.objects.exists()


def test_un_instructeur_corrige_la_fiche_sans_pouvoir_la_renouveler(client, agent_verifie, territoire, active):
    # Issue 18, point 5 : l'instructeur d'un bailleur complète et corrige ; le cycle de vie reste au guichet.
    agent_verifie(AgentFactory(bailleur=True, organisme__perimetre=[territoire.reze]))

    fiche = client.get(reverse("demandes:detail", args=[active.pk]))

    assert fiche.status_code == 200
    assertContains(fiche, reverse("demandes:modifier", args=[active.pk]))
    assertNotContains(fiche, reverse("demandes:renouveler", args=[active.pk]))
    assertNotContains(fiche, "Consultation seule")
    assert client.get(reverse("demandes:modifier", args=[active.pk])).status_code == 200
    assert client.post(reverse("demandes:renouveler", args=[active.pk])).status_code == 403
