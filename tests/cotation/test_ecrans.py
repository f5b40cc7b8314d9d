"""Onglet « Cotation » de la fiche d'une demande et livret du demandeur : contenu, accès par rôle, journal."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from cotation.calcul import services as calcul
from cotation.grilles import services as grilles
from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.models import Grille, HistoriqueCotation
from demandes.models import Demande
from fdls.audit.models import Consultation
from fdls.socle.workflow import AUTOMATE
from tests.monde.dossiers import demande_avec_exclusion, enregistrer
from tests.monde.factories import DemandeurFactory
from tests.monde.territoires import territoire_nantes

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def m():
    return territoire_nantes(grille=True, administrateurs=True)


def _onglet(client, demande, **entetes):
    return client.get(reverse("cotation:onglet_demande", args=[demande.pk]), **entetes)


def test_la_fiche_reserve_un_onglet_cotation_charge_par_htmx(client, agent_verifie, m):
    demande = enregistrer(m)
    agent_verifie(m.agent_ehs)

    reponse = client.get(reverse("demandes:detail", args=[demande.pk]))

    assertContains(reponse, '<a href="#onglet-cotation" data-onglet="cotation">Cotation</a>', html=True)
    url = reverse("cotation:onglet_demande", args=[demande.pk])
    assertContains(reponse, f'hx-get="{url}"')
    # Sans JavaScript, un lien mène à la même cotation.
    assertContains(reponse, f'<a href="{url}">Afficher la cotation de la demande</a>', html=True)


def test_l_onglet_montre_grille_total_lignes_exclusions_et_historique(client, agent_verifie, m):
    demande = demande_avec_exclusion(m)
    agent_verifie(m.agent_ehs)

    reponse = _onglet(client, demande, **HTMX)

    assert reponse.status_code == 200
    assert reponse.templates[0].name == "cotation/_onglet.html"
    contenu = reponse.content.decode()
    assert "<html" not in contenu  # fragment
    assertContains(reponse, '<span class="cotation-total-valeur">20</span> points', html=True)
    assertContains(reponse, "Grille de cotation de Nantes Métropole – version 1")
    assertContains(reponse, "Nantes Métropole (premier choix de commune : Nantes)")
    assertContains(reponse, "Calculée le")
    # Lignes : critère, famille, points, raison en français.
    assertContains(reponse, "Le caractère prioritaire de votre demande : priorités État")
    assertContains(reponse, "+15")
    assertContains(reponse, "Label « CP - Sans logement")
    assertContains(reponse, "L&#x27;ancienneté de votre demande")
    assertContains(reponse, "13 mois d&#x27;ancienneté")
    # Ancienneté : +5 jusqu'à la veille des 18 mois.
    ligne_anciennete = next(lg for lg in reponse.context["lignes"] if lg["critere"] == "anciennete")
    assert ligne_anciennete["points"] == 5
    assert ligne_anciennete["jusqu_au"] is not None
    assertContains(reponse, ligne_anciennete["jusqu_au"].strftime("%d/%m/%Y"))
    # L'hébergement chez les parents est rempli mais ne compte pas : montré à part, avec la raison.
    exclue = next(lg for lg in reponse.context["lignes"] if lg["critere"] == "heberge-temporaire")
    assert exclue["exclue"]
    assert exclue["points"] == 0
    assert exclue["raison"] == "Situation actuelle : « Hébergé chez ses parents ou ses enfants »."
    assert exclue["exclusion"].startswith("Non cumulable avec les points accordés au titre de")
    assertContains(reponse, '<tr class="ligne-exclue">')
    assertContains(reponse, "Ne compte pas")
    assertContains(reponse, "<strong>Sans points&nbsp;:</strong> Non cumulable", html=False)
    assertContains(reponse, "1 rempli sans points")
    # Totaux successifs : l'enregistrement (hébergé +10, ancienneté +5), puis le label (+15 au lieu de +10).
    totaux = [h.total for h in reponse.context["historique"]]
    assert totaux == [20, 15]
    assertContains(reponse, "Totaux successifs")
    assertContains(reponse, "Grille de cotation de Nantes Métropole – v1")
    # Le livret de la grille est à portée de main.
    assertContains(reponse, reverse("cotation:livret_pdf", args=[m.grille.pk]))
    # La transparence (demandes comparables, rang) se charge à son tour dans l'onglet.
    url_transparence = reverse("cotation:transparence", args=[demande.pk])
    assertContains(reponse, f'<div id="transparence" hx-get="{url_transparence}" hx-trigger="load"></div>', html=True)


def test_nantes_en_second_choix_donne_la_cotation_de_nantes_metropole(client, agent_verifie, m):
    """Seed 001 §5 : la cotation s'applique « à l'ensemble des demandes … sur le territoire concerné »."""
    demande = enregistrer(m, communes=[m.ancenis, m.nantes], statut_occupation="sans_abri")
    agent_verifie(m.admin_fichier)

    reponse = _onglet(client, demande, **HTMX)

    assertNotContains(reponse, "Aucune grille de cotation ne s'applique")
    assertContains(reponse, "Grille de cotation de Nantes Métropole – version 1")
    assertContains(reponse, "Nantes Métropole (commune choisie dans ce territoire : Nantes)")
    assertContains(reponse, '<span class="cotation-total-valeur">10</span> points', html=True)


def test_une_demande_sur_deux_territoires_dotes_montre_les_deux_cotations(client, agent_verifie, m):
    grilles.installer_grille(GRILLE_NANTES_METROPOLE, m.ancenis.epci_id)
    calcul.vider_cache()
    demande = enregistrer(m, communes=[m.nantes, m.ancenis], statut_occupation="sans_abri")
    agent_verifie(m.admin_fichier)

    reponse = _onglet(client, demande, **HTMX)

    assertContains(reponse, "couvrent 2 territoires dotés d'une grille de cotation")
    assertContains(reponse, "Nantes Métropole (premier choix de commune : Nantes)")
    assertContains(reponse, "COMPA (commune choisie dans ce territoire : Ancenis-Saint-Géréon)")
    assert [t["resultat"].territoire for t in reponse.context["territoires"]] == ["244400404", "200072726"]


def test_sans_grille_sur_aucun_choix_l_onglet_le_dit(client, agent_verifie, m):
    demande = enregistrer(m, communes=[m.ancenis])
    agent_verifie(m.admin_fichier)

    reponse = _onglet(client, demande, **HTMX)

    assertContains(
        reponse,
        "Aucune grille de cotation ne s'applique : aucun choix de commune de la demande (premier choix : "
        "Ancenis-Saint-Géréon) n'est dans un territoire doté d'une grille.",
    )
    assertNotContains(reponse, "Détail des points")


def test_une_demande_jamais_cotee_et_une_demande_close(client, agent_verifie, m):
    demande = enregistrer(m)
    demande.cotations.all().delete()
    agent_verifie(m.agent_ehs)
    assertContains(_onglet(client, demande, **HTMX), "n'a pas encore été calculée")

    Demande.objects.filter(pk=demande.pk).update(etat=Demande.Etat.ANNULEE)
    assertContains(_onglet(client, demande, **HTMX), "Une demande annulée n'est pas cotée")


def test_sans_javascript_l_onglet_est_une_page_entiere(client, agent_verifie, m):
    demande = enregistrer(m)
    agent_verifie(m.agent_ehs)

    reponse = _onglet(client, demande)

    assert reponse.status_code == 200
    assertContains(reponse, "<h1>Cotation de la demande", html=False)
    assertContains(reponse, reverse("demandes:detail", args=[demande.pk]))


@pytest.mark.parametrize(
    "role", ["agent_ehs", "agent_bailleur", "agent_ddets", "admin_epci", "admin_fichier", "agent_nm"]
)
def test_chaque_role_nominatif_du_territoire_lit_la_cotation_et_c_est_journalise(client, agent_verifie, m, role):
    demande = enregistrer(m, communes=[m.nantes])
    agent = getattr(m, role)
    agent_verifie(agent)

    reponse = _onglet(client, demande, **HTMX)

    assert reponse.status_code == 200
    consultation = Consultation.objects.get(objet_id=str(demande.pk))
    assert consultation.utilisateur == agent
    assert consultation.action == Consultation.Action.CONSULTATION
    assert consultation.organisme_id == agent.organisme_id
    assert consultation.chemin == reverse("cotation:onglet_demande", args=[demande.pk])


@pytest.mark.parametrize("role", ["agent_lointain", "admin_compa", "agent_reze"])
def test_hors_du_territoire_la_cotation_est_introuvable(client, agent_verifie, m, role):
    demande = enregistrer(m, communes=[m.nantes])
    agent_verifie(getattr(m, role))

    assert _onglet(client, demande, **HTMX).status_code == 404
    assert _onglet(client, demande).status_code == 404
    assert client.get(reverse("cotation:onglet_demande", args=[demande.pk + 1000])).status_code == 404
    # Une ligne « refus » par tentative sur la demande qui existe ; aucune consultation.
    assert (
        list(Consultation.objects.values_list("action", "objet_id"))
        == [(Consultation.Action.REFUS, str(demande.pk))] * 2
    )


def test_un_observateur_un_demandeur_et_un_anonyme_n_y_ont_pas_acces(client, agent_verifie, m):
    demande = enregistrer(m, communes=[m.nantes])
    url = reverse("cotation:onglet_demande", args=[demande.pk])

    anonyme = client.get(url)
    assert anonyme.status_code == 302
    assert "/connexion/" in anonyme["Location"]

    client.force_login(DemandeurFactory())
    assert client.get(url).status_code == 403

    agent_verifie(m.observateur)
    refus = client.get(url)
    assert refus.status_code == 403
    assertContains(refus, "R441-2-6", status_code=403)
    assert not Consultation.objects.exists()


def test_un_agent_sans_second_facteur_est_renvoye_vers_le_code(client, m):
    demande = enregistrer(m, communes=[m.nantes])
    client.force_login(m.agent_ehs)

    reponse = client.get(reverse("cotation:onglet_demande", args=[demande.pk]))

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("comptes:second_facteur")


# ---------------------------------------------------------------- livret du demandeur


def test_le_livret_de_la_grille_en_vigueur_est_public(client, m):
    reponse = client.get(reverse("cotation:livret", args=[m.grille.pk]))

    assert reponse.status_code == 200
    assertContains(reponse, "Ma demande de logement social — la cotation")
    assertContains(reponse, "Grille en vigueur depuis le 2 octobre 2023.")
    assertContains(reponse, "Adoptée par CIL du 25 janvier 2022, modifiée en CIL du 22 mars 2023.")
    assertContains(reponse, "La cotation attribue des points à votre demande")
    assertContains(reponse, '<h2 id="livret-famille-1">Le caractère prioritaire de votre demande : priorités État</h2>')
    assertContains(reponse, '<span class="livret-points">+20</span>', html=True)
    assertContains(reponse, '<span class="livret-libelle">Entre 6 et 18 mois</span>', html=True)
    assertContains(
        reponse,
        '<span class="livret-points livret-decote">\u22125 <span class="livret-duree">pendant 12 mois</span></span>',
        html=True,
    )
    assertContains(reponse, "Sauf si vous bénéficiez de points pour le critère « situation de handicap »")
    assertContains(reponse, "Les points de ces critères ne s&#x27;additionnent pas : seul le plus favorable compte.")
    assertContains(reponse, reverse("cotation:livret_pdf", args=[m.grille.pk]))


def test_le_livret_pdf(client, m):
    reponse = client.get(reverse("cotation:livret_pdf", args=[m.grille.pk]))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == 'inline; filename="livret-cotation-244400404-v1.pdf"'
    lecteur = PdfReader(io.BytesIO(reponse.content))
    texte = " ".join(" ".join(p.extract_text().split()) for p in lecteur.pages)
    assert len(lecteur.pages) <= 3
    for attendu in (
        "Ma demande de logement social — la cotation",
        "Grille en vigueur depuis le 2 octobre 2023",
        "CIL du 25 janvier 2022",
        "L'ancienneté de votre demande",
        "Entre 6 et 18 mois +5",
        "De 1 à 3 refus −5 pendant 12 mois",
        "Plus de 3 refus −20 pendant 24 mois",
        "+4 pendant 12 mois",
        "Sauf si vous bénéficiez de points pour le critère « sortant d'hébergement »",
    ):
        assert attendu in texte, attendu


def test_le_livret_d_un_brouillon_n_est_lu_que_par_ceux_qui_gerent_la_grille(client, agent_verifie, m):
    brouillon = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    url = reverse("cotation:livret", args=[brouillon.pk])
    url_pdf = reverse("cotation:livret_pdf", args=[brouillon.pk])

    assert client.get(url).status_code == 404
    assert client.get(url_pdf).status_code == 404
    agent_verifie(m.agent_ehs)
    assert client.get(url).status_code == 404
    agent_verifie(m.admin_compa)
    assert client.get(url).status_code == 404
    agent_verifie(m.admin_epci)
    reponse = client.get(url)
    assertContains(reponse, "Projet de grille (brouillon, version 2) : il ne s'applique pas encore.")
    assert client.get(url_pdf).status_code == 200


def test_le_livret_d_une_grille_programmee_puis_archivee(client, m):
    v2 = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    demain = datetime.date.today() + datetime.timedelta(days=1)
    grilles.programmer(v2, date_effet=demain, auteur=AUTOMATE)
    assertContains(client.get(reverse("cotation:livret", args=[v2.pk])), "Grille applicable à partir du")
    grilles.archiver(m.grille, auteur=AUTOMATE)
    assertContains(client.get(reverse("cotation:livret", args=[m.grille.pk])), "(archivée)")


def test_l_historique_garde_la_version_de_grille(client, agent_verifie, m):
    demande = enregistrer(m)
    v2 = grilles.nouvelle_version(m.grille, auteur=AUTOMATE)
    HistoriqueCotation.objects.create(demande=demande, grille=v2, total=7, date=demande.created_at, motif="test")
    agent_verifie(m.agent_ehs)

    reponse = _onglet(client, demande, **HTMX)

    assertContains(reponse, "Grille de cotation de Nantes Métropole – v2")
    assert Grille.objects.count() == 2
