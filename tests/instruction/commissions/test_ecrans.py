"""Écrans des commissions : séance et ordre du jour, décision par formulaire (erreur en français, saisie
gardée), accès par rôle, journal des consultations, éditions PDF (ordre du jour, procès-verbal, lettre),
menu principal, gestion en flux."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fdls.audit.models import Consultation
from instruction.commissions import services
from instruction.commissions.models import Candidature, ObjectifFlux
from instruction.commissions.services import Saisie


def texte(reponse) -> str:
    brut = re.sub(r"<[^>]+>", " ", reponse.content.decode())
    return re.sub(r"\s+", " ", brut.replace("&nbsp;", " ").replace("&#x27;", "'").replace("&quot;", '"'))


def url(nom, *args):
    return reverse(f"instruction:{nom}", args=args)


def pdf_texte(reponse) -> str:
    assert reponse["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(reponse.content)).pages)


@pytest.fixture
def bailleur(agent_verifie, cal):
    return agent_verifie(cal.monde.agent_bailleur)


def test_la_seance_montre_l_ordre_du_jour_et_journalise_les_demandes(client, cal, bailleur):
    reponse = client.post(
        url("inscrire_logement", cal.seance.pk), {"inscription-disponibilite": cal.monde.disponibilite.pk}
    )
    assert reponse.status_code == 302
    page = client.get(reponse["Location"])
    contenu = texte(page)
    assert "KALLIMA 2 (0629 - 0013) est inscrit avec 3 candidat(s)" in contenu
    for p in cal.positionnements:
        assert p.demande.numero_unique_affiche in contenu
    vues = set(Consultation.objects.filter(utilisateur=cal.monde.agent_bailleur).values_list("objet_id", flat=True))
    assert {str(p.demande_id) for p in cal.positionnements} <= vues


def test_decision_invalide_montre_l_erreur_et_garde_la_saisie(client, cal, bailleur):
    candidature = cal.examen().candidatures.order_by("ordre").first()
    reponse = client.post(
        url("decider", candidature.pk),
        {f"d{candidature.pk}-decision": "non_attribution", f"d{candidature.pk}-commentaire": "Vu en séance"},
    )
    assert reponse.status_code == 400
    contenu = texte(reponse)
    assert "Indiquez le motif de la décision « non-attribution »" in contenu
    assert 'role="alert"' in reponse.content.decode()
    assert "Vu en séance" in contenu
    candidature.refresh_from_db()
    assert candidature.etat == Candidature.Etat.INSCRITE


def test_decision_puis_bail_par_les_formulaires(client, cal, bailleur):
    a, b, c = cal.examen().candidatures.order_by("ordre")
    for candidature, decision, rang, motif in (
        (a, "attribution_rang", "1", ""),
        (b, "attribution_rang", "2", ""),
        (c, "non_attribution", "", "inadapte"),
    ):
        p = f"d{candidature.pk}"
        reponse = client.post(
            url("decider", candidature.pk), {f"{p}-decision": decision, f"{p}-rang": rang, f"{p}-motif": motif}
        )
        assert reponse.status_code == 302, texte(reponse)
    aujourd_hui = timezone.localdate().strftime("%d/%m/%Y")
    reponse = client.post(url("repondre", a.pk), {f"r{a.pk}-reponse": "refuser", f"r{a.pk}-motif": "etage"})
    assert reponse.status_code == 302
    reponse = client.post(
        url("signer_bail", b.pk), {f"b{b.pk}-signe_le": aujourd_hui, f"b{b.pk}-entree_le": "32/13/2026"}
    )
    assert reponse.status_code == 400
    assert "jj/mm/aaaa" in texte(reponse)
    reponse = client.post(
        url("signer_bail", b.pk), {f"b{b.pk}-signe_le": aujourd_hui, f"b{b.pk}-entree_le": aujourd_hui}
    )
    assert reponse.status_code == 302
    b.refresh_from_db()
    assert b.etat == Candidature.Etat.BAIL_SIGNE


def test_un_autre_bailleur_ne_voit_pas_la_seance(client, agent_verifie, cal):
    agent_verifie(cal.monde.agent_autre_bailleur)
    assert client.get(url("seance", cal.seance.pk)).status_code == 403


def test_le_reservataire_invite_lit_la_seance_sans_formulaires(client, agent_verifie, cal):
    cal.examen()
    agent_verifie(cal.monde.agent_ddets)
    reponse = client.get(url("seance", cal.seance.pk))
    assert reponse.status_code == 200
    assert "Enregistrer la décision" not in texte(reponse)


def test_les_editions_de_la_seance(client, cal, bailleur):
    a, b, c = cal.examen().candidatures.order_by("ordre")
    agent = cal.monde.agent_bailleur
    services.decider(auteur=agent, candidature=a, saisie=Saisie("attribution_rang", rang=1))
    services.decider(
        auteur=agent,
        candidature=b,
        saisie=Saisie(
            "attribution_condition",
            rang=2,
            piece_manquante="avis_imposition",
            date_limite=timezone.localdate() + timedelta(days=15),
        ),
    )
    services.decider(auteur=agent, candidature=c, saisie=Saisie("non_attribution", motif="taux_effort"))
    ordre = pdf_texte(client.get(url("ordre_du_jour_pdf", cal.seance.pk)))
    assert "Ordre du jour" in ordre
    assert "KALLIMA 2 (0629 - 0013)" in ordre
    pv = pdf_texte(client.get(url("proces_verbal_pdf", cal.seance.pk)))
    assert "Procès-verbal" in pv
    assert "Attribution sous condition suspensive" in pv
    assert "Taux d'effort" in pv
    lettre = pdf_texte(client.get(url("lettre_pdf", b.pk)))
    assert "rang 2" in lettre
    assert "avis d'imposition" in lettre
    assert "Si vous refusez ce logement" in lettre
    lettre_c = pdf_texte(client.get(url("lettre_pdf", c.pk)))
    assert "Non-attribution" in lettre_c
    assert "Taux d'effort trop élevé" in lettre_c
    assert "Si vous refusez" not in lettre_c
    assert Consultation.objects.filter(action=Consultation.Action.PDF, objet_id=str(b.demande_id)).exists()


def test_le_menu_propose_instruction_et_commissions_aux_instructeurs(client, cal, bailleur):
    contenu = client.get(url("commissions")).content.decode()
    assert f'href="{url("accueil")}"' in contenu
    assert f'href="{url("commissions")}"' in contenu


def test_le_reservataire_voit_son_objectif_de_flux(client, agent_verifie, cal):
    ObjectifFlux.objects.create(
        reservataire=cal.monde.ddets, bailleur=cal.monde.bailleur, annee=timezone.localdate().year, objectif=10
    )
    agent_verifie(cal.monde.agent_ddets)
    contenu = texte(client.get(url("flux")))
    assert "Nantes Métropole Habitat" in contenu
    assert "10" in contenu


def test_le_bloc_instruction_de_la_fiche_montre_la_decision_de_cal(client, cal, bailleur):
    a, *_ = cal.examen().candidatures.order_by("ordre")
    services.decider(auteur=cal.monde.agent_bailleur, candidature=a, saisie=Saisie("attribution_rang", rang=1))
    contenu = texte(client.get(url("instruction_demande", a.demande_id)))
    assert "Commission d'attribution de logement (nombre total : 1)" in contenu
    assert "Attribution par ordre de priorité" in contenu
    assert "KALLIMA 2 (0629 - 0013)" in contenu


def test_le_membre_vote_a_distance_depuis_la_seance(client, cal, bailleur):
    examen = cal.examen()
    assert client.post(url("ouvrir_vote", cal.seance.pk)).status_code == 302
    page = texte(client.get(url("seance", cal.seance.pk)))
    assert "Vote à distance ouvert" in page
    assert "Voter pour ce logement" in page
    reponse = client.post(url("voter", examen.pk), {f"vote{examen.pk}-choix": "attribution"})
    assert reponse.status_code == 302
    page = texte(client.get(reponse["Location"]))
    assert "Votre vote pour KALLIMA 2 (0629 - 0013) est enregistré." in page
    assert "Quorum non atteint (1 votant(s) sur 2 requis)" in page
    assert examen.votes.get().choix == "attribution"
