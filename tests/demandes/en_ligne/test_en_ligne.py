"""Demandes en ligne : dépôt (à valider), validation = enregistrement (NU au guichet qui valide, date du
dépôt en ligne), rejet motivé, accès ; écrans de la file et bloc « Compléments » de la fiche."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from demandes.cycle import services
from demandes.en_ligne import services as en_ligne
from demandes.labels import services as labels
from demandes.models import Demande, Evenement, Label
from demandes.pieces import services as pieces
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes()


DEPOT = datetime.date.today() - datetime.timedelta(days=40)


def deposer(m, **kwargs):
    kwargs.setdefault("communes", [m.reze, m.nantes])
    return en_ligne.deposer_en_ligne(
        dossier(**kwargs), auteur=services.Auteur(libelle="Le demandeur (dépôt en ligne)"), le=DEPOT
    )


def joindre_identite(demande):
    """La pièce d'identité jointe à la demande en ligne (obligatoire pour la valider)."""
    pieces.deposer_piece(
        demande=demande,
        type="identite",
        fichier=piece_identite(),
        auteur=services.Auteur(libelle="Le demandeur (dépôt en ligne)"),
    )


def types(demande):
    return list(demande.evenements.order_by("date", "id").values_list("type", flat=True))


def test_le_depot_en_ligne_attend_la_validation_sans_numero(m):
    demande = deposer(m)
    assert (demande.etat, demande.canal, demande.numero_unique, demande.date_depot) == (
        "a_valider",
        "en_ligne",
        None,
        DEPOT,
    )
    assert demande.guichet == m.guichet_ehs  # l'Espace Habitat Social reçoit les demandes en ligne de Rezé
    assert types(demande) == [Evenement.Type.DEPOT_EN_LIGNE]
    assert list(en_ligne.file_a_valider(m.agent_ehs)) == [demande]


def test_un_depot_incomplet_n_ecrit_rien(m):
    with pytest.raises(ValidationError) as erreur:
        deposer(m, typologies=[])
    assert "typologies" in erreur.value.message_dict
    assert not Demande.objects.exists()


def test_valider_exige_le_controle_d_identite(m):
    demande = deposer(m)
    with pytest.raises(ValidationError) as erreur:
        en_ligne.valider_demande_en_ligne(demande, user=m.agent_ehs, identite_verifiee=False)
    assert "identite_verifiee" in erreur.value.message_dict
    demande.refresh_from_db()
    assert (demande.etat, demande.numero_unique) == ("a_valider", None)


def test_la_validation_enregistre_la_demande_au_guichet_qui_valide(m):
    demande = deposer(m, salaire=Decimal("500"))
    joindre_identite(demande)
    validee = en_ligne.valider_demande_en_ligne(demande, user=m.agent_reze, identite_verifiee=True)
    validee.refresh_from_db()
    assert validee.etat == Demande.Etat.ACTIVE
    assert validee.date_depot == DEPOT
    assert validee.guichet == m.guichet_reze
    # NU : département, mois et année du dépôt en ligne, séquence, code du guichet qui valide.
    assert validee.numero_unique == f"044{DEPOT:%m}{DEPOT:%y}000001{m.guichet_reze.code}"
    assert validee.reference.startswith(f"{DEPOT:%Y%m}")
    # Le label automatique est posé par l'enregistrement, dans la même transaction que la validation.
    assert types(validee) == ["depot_en_ligne", "piece_ajoutee", "enregistrement", "label", "validation"]
    validation = validee.evenements.get(type="validation")
    assert (validation.etat_avant, validation.etat_apres, validation.auteur) == ("a_valider", "active", m.agent_reze)
    # Le 1er quartile (500 €/mois, seuil 10 000 €/UC) est calculé à la validation.
    assert Label.objects.actifs().filter(demande=validee, type=m.quartile).exists()
    with pytest.raises(services.TransitionInterdite):
        en_ligne.valider_demande_en_ligne(validee, user=m.agent_reze, identite_verifiee=True)


def test_rejet_motif_obligatoire_puis_plus_de_validation(m):
    demande = deposer(m)
    with pytest.raises(ValidationError) as erreur:
        en_ligne.rejeter_demande_en_ligne(demande, user=m.agent_ehs, motif="  ")
    assert "motif" in erreur.value.message_dict
    rejetee = en_ligne.rejeter_demande_en_ligne(demande, user=m.agent_ehs, motif="Pièce d'identité illisible")
    assert (rejetee.etat, rejetee.numero_unique, rejetee.commentaire_annulation) == (
        "rejetee",
        None,
        "Pièce d'identité illisible",
    )
    assert rejetee.evenements.get(type="rejet_en_ligne").precisions == "Pièce d'identité illisible"
    with pytest.raises(services.TransitionInterdite, match="rejetée"):
        en_ligne.valider_demande_en_ligne(rejetee, user=m.agent_ehs, identite_verifiee=True)
    assert list(en_ligne.file_a_valider(m.agent_ehs)) == []


@pytest.mark.parametrize("agent_attr", ["agent_bailleur", "agent_ddets", "agent_lointain"])
def test_seuls_les_guichets_accompagnateurs_du_territoire_valident(m, agent_attr):
    demande = deposer(m)
    agent = getattr(m, agent_attr)
    with pytest.raises(PermissionDenied):
        en_ligne.valider_demande_en_ligne(demande, user=agent, identite_verifiee=True)
    with pytest.raises(PermissionDenied):
        en_ligne.rejeter_demande_en_ligne(demande, user=agent, motif="Non")
    assert list(en_ligne.file_a_valider(agent)) == []


# ---------------------------------------------------------------- écrans


@pytest.fixture
def connecte(agent_verifie):
    return agent_verifie


def test_ecran_file_examen_valider_sans_case_puis_avec(m, client, connecte):
    demande = deposer(m, nom="OUEST", prenom="Anne")
    connecte(m.agent_ehs)
    page = client.get("/demandes/en-ligne/")
    contenu = page.content.decode()
    assert page.status_code == 200
    assert "OUEST Anne" in contenu
    assert "Absente" in contenu
    assert "Rezé" in contenu
    assert client.get(f"/demandes/en-ligne/{demande.pk}/").status_code == 200
    reponse = client.post(f"/demandes/en-ligne/{demande.pk}/valider/", {"guichet": m.guichet_ehs.pk})
    assert reponse.status_code == 422
    assert "Cochez « Identité du demandeur vérifiée »" in reponse.content.decode()
    # Case cochée, mais aucune pièce d'identité au dossier : refusé en français (la case n'est pas une preuve).
    reponse = client.post(
        f"/demandes/en-ligne/{demande.pk}/valider/", {"guichet": m.guichet_ehs.pk, "identite_verifiee": "on"}
    )
    assert reponse.status_code == 422
    assert "ne contient pas la pièce d&#x27;identité du demandeur" in reponse.content.decode()
    joindre_identite(demande)
    reponse = client.post(
        f"/demandes/en-ligne/{demande.pk}/valider/", {"guichet": m.guichet_ehs.pk, "identite_verifiee": "on"}
    )
    assert reponse.status_code == 302
    demande.refresh_from_db()
    assert demande.etat == "active"
    assert demande.numero_unique.endswith(m.guichet_ehs.code)
    # Un second envoi (double clic) : pas d'erreur, la fiche.
    assert client.post(f"/demandes/en-ligne/{demande.pk}/valider/", {"identite_verifiee": "on"}).status_code == 302


def test_ecran_rejet_sans_motif_puis_avec(m, client, connecte):
    demande = deposer(m)
    connecte(m.agent_ehs)
    reponse = client.post(f"/demandes/en-ligne/{demande.pk}/rejeter/", {"motif": ""})
    assert reponse.status_code == 422
    assert "Indiquez le motif du rejet" in reponse.content.decode()
    assert client.post(f"/demandes/en-ligne/{demande.pk}/rejeter/", {"motif": "Doublon"}).status_code == 302
    demande.refresh_from_db()
    assert demande.etat == "rejetee"


def test_ecran_file_refuse_un_bailleur(m, client, connecte):
    connecte(m.agent_bailleur)
    reponse = client.get("/demandes/en-ligne/")
    assert reponse.status_code == 403
    assert "guichet accompagnateur" in reponse.content.decode()


def test_fiche_bloc_complements_et_ajout_par_la_ddets(m, client, connecte):
    demande = enregistrer(m)
    labels.poser_label(demande, m.mairie_reze, user=m.agent_reze)
    connecte(m.agent_ddets)
    fiche = client.get(f"/demandes/{demande.pk}/").content.decode()
    assert "Compléments : priorités, éligibilités, contingents" in fiche
    assert "Mairie de Rezé" in fiche  # le label est affiché…
    formulaire = fiche.split('id="titre-ajout-label"')[1].split("</form>")[0]
    assert "CP - Dalo" in formulaire
    assert "Mairie de Rezé" not in formulaire
    assert "Labélisation automatique" not in formulaire
    reponse = client.post(f"/demandes/{demande.pk}/labels/ajouter/", {"type": m.cp_dalo.pk, "date_pose": ""})
    assert reponse.status_code == 302
    assert Label.objects.actifs().filter(demande=demande, type=m.cp_dalo, organisme=m.ddets).exists()
    # Un contingent d'autrui envoyé quand même : refus clair, rien d'écrit.
    reponse = client.post(f"/demandes/{demande.pk}/labels/ajouter/", {"type": m.als_type.pk})
    assert reponse.status_code == 403
    assert "La DDETS n&#x27;ajoute et ne retire que les labels du contingent préfectoral" in reponse.content.decode()
    label = Label.objects.get(demande=demande, type=m.cp_dalo)
    assert client.post(f"/demandes/{demande.pk}/labels/{label.pk}/retirer/").status_code == 302
    label.refresh_from_db()
    assert label.date_retrait is not None
    fiche = client.get(f"/demandes/{demande.pk}/").content.decode()
    assert "Labels retirés (1)" in fiche
