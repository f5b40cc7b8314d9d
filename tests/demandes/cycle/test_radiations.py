"""Radiations : exactement la liste de CCH R441-2-8 (a à f), chacune avec son motif et son fondement légal
dans l'historique ; absence de réponse : avertissement, puis radiation un mois plus tard (job idempotent)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from demandes.cycle import services
from demandes.cycle.forms import AnnulationForm
from demandes.doublons import services as doublons
from demandes.models import Demande, Evenement
from demandes.relances import courriers, traitements
from fdls.socle.workflow import AUTOMATE, Auteur, TransitionInterdite
from tests.monde.factories import DemandeFactory
from tests.monde.territoires import ville_de_reze

AVERTIE = date(2026, 3, 10)
UN_MOIS_APRES = date(2026, 4, 10)


def auteur(demande):
    return services.Auteur(libelle="Agent du guichet", organisme=demande.guichet.organisme)


def demande_active(**champs):
    valeurs = {
        "date_depot": date(2025, 9, 1),
        "date_expiration": date(2026, 9, 1),
        "adresse_numero": "3",
        "adresse_voie": "rue des Lilas",
        "code_postal": "44000",
        "ville": "Nantes",
    }
    valeurs.update(champs)
    return DemandeFactory(**valeurs)


def derniere_radiation(demande) -> Evenement:
    return demande.evenements.exclude(etat_apres="active").exclude(etat_apres="").order_by("-date", "-id").first()


@pytest.mark.parametrize("motif", ["non_reponse", "irrecevabilite", "autre", "attribution_hors_fichier"])
def test_un_guichet_ne_choisit_que_la_renonciation_ecrite(motif):
    d = demande_active()
    with pytest.raises(ValidationError) as refus:
        services.annuler_demande(d, motif=motif, commentaire="précisions", auteur=auteur(d))
    assert "R441-2-8" in refus.value.message_dict["motif"][0]
    d.refresh_from_db()
    assert d.etat == Demande.Etat.ACTIVE
    assert [valeur for valeur, _ in AnnulationForm().fields["motif"].choices if valeur] == ["renonciation"]


def test_renonciation_ecrite_motif_et_fondement_dans_l_historique():
    d = demande_active()
    services.annuler_demande(d, motif="renonciation", commentaire="courrier du 3 mars", auteur=auteur(d))
    evenement = d.evenements.get(type=Evenement.Type.ANNULATION)
    assert evenement.details["motif"] == "renonciation"
    assert evenement.details["fondement"].startswith("CCH art. R441-2-8 b)")
    assert "Renonciation écrite du demandeur – courrier du 3 mars" in evenement.precisions
    assert "R441-2-8 b)" in evenement.precisions


def test_non_renouvellement_satisfaction_et_fusion_ecrivent_leur_fondement():
    echue = demande_active(date_expiration=date(2026, 3, 1))
    services.annuler_pour_non_renouvellement(echue, le=date(2026, 3, 2))
    assert (
        echue.evenements.get(type=Evenement.Type.ANNULATION_AUTOMATIQUE)
        .details["fondement"]
        .startswith("CCH art. R441-2-8 e)")
    )

    attribuee = demande_active()
    services.satisfaire_demande(attribuee, auteur=auteur(attribuee), precisions="Bail signé le 2 mars")
    satisfaction = attribuee.evenements.get(type=Evenement.Type.SATISFACTION)
    assert satisfaction.details["fondement"].startswith("CCH art. R441-2-8 a)")
    assert "Bail signé le 2 mars" in satisfaction.precisions

    territoire = ville_de_reze()
    garder, absorber = (demande_active(guichet=territoire.guichet, communes=[territoire.reze]) for _ in range(2))
    doublons.fusionner_demandes(garder, absorber, auteur=Auteur.agent(territoire.agent))
    fusion = absorber.evenements.get(type=Evenement.Type.FUSION)
    assert fusion.details["fondement"].startswith("CCH art. R441-2-8 f)")


def test_sans_reponse_avertissement_puis_radiation_un_mois_plus_tard():
    d = demande_active()
    services.avertir_demande(d, auteur=auteur(d), precisions="demande de pièces du 3 février", le=AVERTIE)
    d.refresh_from_db()
    assert d.avertie_le == AVERTIE
    avertissement = d.evenements.get(type=Evenement.Type.AVERTISSEMENT)
    assert "radiation le 10/04/2026" in avertissement.precisions

    # La veille du mois écoulé : rien.
    veille = traitements.radier_sans_reponse(date(2026, 4, 9))
    d.refresh_from_db()
    assert d.etat == Demande.Etat.ACTIVE
    assert veille.compteurs["radiees"] == 0

    resultat = traitements.radier_sans_reponse(UN_MOIS_APRES)
    d.refresh_from_db()
    assert resultat.compteurs["radiees"] == 1
    assert d.etat == Demande.Etat.ANNULEE
    assert d.motif_annulation == "non_reponse"
    assert d.date_fin == UN_MOIS_APRES
    radiation = d.evenements.get(type=Evenement.Type.RADIATION_SANS_REPONSE)
    assert radiation.details["fondement"].startswith("CCH art. R441-2-8 c)")
    assert radiation.auteur_libelle == AUTOMATE.libelle
    assert "avertissement du 10/03/2026 resté sans réponse" in radiation.precisions

    # Idempotent : relancé (même forcé), le lendemain, rien de plus.
    traitements.radier_sans_reponse(UN_MOIS_APRES, forcer=True)
    traitements.radier_sans_reponse(date(2026, 4, 11))
    assert d.evenements.filter(type=Evenement.Type.RADIATION_SANS_REPONSE).count() == 1


def test_la_reponse_du_demandeur_arrete_la_radiation():
    d = demande_active()
    services.avertir_demande(d, auteur=auteur(d), le=AVERTIE)
    services.enregistrer_reponse(d, auteur=auteur(d), precisions="Appel du demandeur le 20 mars")

    traitements.radier_sans_reponse(UN_MOIS_APRES)

    d.refresh_from_db()
    assert d.etat == Demande.Etat.ACTIVE
    assert d.avertie_le is None
    assert d.evenements.get(type=Evenement.Type.REPONSE_AVERTISSEMENT).precisions == "Appel du demandeur le 20 mars"
    with pytest.raises(TransitionInterdite):
        services.enregistrer_reponse(d, auteur=auteur(d))


def test_toute_mise_a_jour_arrete_la_radiation():
    territoire = ville_de_reze()
    # Échéance proche : le renouvellement s'ouvre un mois avant (date annoncée par l'attestation).
    renouvelee = demande_active(date_expiration=date(2026, 4, 15))
    services.avertir_demande(renouvelee, auteur=auteur(renouvelee), le=AVERTIE)
    services.renouveler_demande(renouvelee, auteur=auteur(renouvelee), le=date(2026, 3, 20))

    modifiee = demande_active(guichet=territoire.guichet, communes=[territoire.reze])
    services.avertir_demande(modifiee, auteur=auteur(modifiee), le=AVERTIE)
    saisie = services.charger_dossier(Demande.objects.get(pk=modifiee.pk))
    saisie.demande.telephone = "02 40 00 00 00"
    services.modifier_demande(saisie, auteur=auteur(modifiee))

    traitements.radier_sans_reponse(UN_MOIS_APRES)

    for d in (renouvelee, modifiee):
        d.refresh_from_db()
        assert d.etat == Demande.Etat.ACTIVE
        assert d.avertie_le is None
        assert d.evenements.filter(type=Evenement.Type.REPONSE_AVERTISSEMENT).count() == 1


def test_un_seul_avertissement_en_cours():
    d = demande_active()
    services.avertir_demande(d, auteur=auteur(d), le=AVERTIE)
    with pytest.raises(TransitionInterdite) as refus:
        services.avertir_demande(d, auteur=auteur(d), le=date(2026, 3, 15))
    assert "10/04/2026" in str(refus.value)


def test_la_lettre_d_avertissement_est_un_pdf_du_lot_du_jour():
    d = demande_active(nom="Durand", prenom="Alix")
    autre = demande_active(nom="Petit", prenom="Lou")
    for x in (d, autre):
        services.avertir_demande(x, auteur=auteur(x), le=AVERTIE)

    resultat = traitements.radier_sans_reponse(AVERTIE)

    assert resultat.compteurs["lettres_avertissement"] == 2
    dossier = courriers.dossier_avertissements(AVERTIE)
    lettre = PdfReader(dossier / f"avertissement-{d.pk}.pdf")
    texte = lettre.pages[0].extract_text()
    assert "Avertissement avant radiation" in texte
    assert "Alix DURAND" in texte
    assert "3 rue des Lilas" in texte
    assert "10 avril 2026" in texte
    assert "R441-2-8" in texte
    assert "recommandée" in texte.lower()
    lot = PdfReader(dossier / f"lot-{AVERTIE.isoformat()}.pdf")
    assert len(lot.pages) == 2
    # Relancé : rien n'est réédité.
    assert traitements.radier_sans_reponse(AVERTIE, forcer=True).compteurs["lettres_avertissement"] == 0


def test_ecrans_avertir_puis_repondre(client, agent_verifie):
    territoire = ville_de_reze()
    d = demande_active(guichet=territoire.guichet)
    agent_verifie(territoire.agent)

    page = client.get(reverse("demandes:avertir", args=[d.pk]))
    assert page.status_code == 200
    assert "un mois" in page.content.decode()
    reponse = client.post(reverse("demandes:avertir", args=[d.pk]), {"precisions": "courrier du 3 février"})
    assert reponse.status_code == 302
    d.refresh_from_db()
    assert d.avertie_le is not None
    fiche = client.get(reverse("demandes:detail", args=[d.pk])).content.decode()
    assert "Avertissement avant radiation envoyé le" in fiche

    reponse = client.post(reverse("demandes:repondre_avertissement", args=[d.pk]), {"precisions": "appel"})
    assert reponse.status_code == 302
    d.refresh_from_db()
    assert d.avertie_le is None
