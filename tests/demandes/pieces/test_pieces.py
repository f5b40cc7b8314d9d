"""Pièces justificatives : contrôle du contenu, stockage hors de la racine web, transaction, historique,
pièces manquantes jamais redemandées, et droits par rôle sur les écrans (journal des consultations)."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from demandes.models import Evenement, Personne, Piece
from demandes.pieces import services as pieces
from fdls.audit.models import Consultation
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.socle.workflow import Auteur
from tests.monde.dossiers import NAISSANCE
from tests.monde.factories import AgentFactory, DemandeFactory, GuichetFactory
from tests.monde.fichiers import EXE, JPEG, PDF, PNG
from tests.monde.territoires import ville_de_reze

pytestmark = pytest.mark.usefixtures("stockage")


def fichier(nom: str, contenu: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu)


def fichiers_stockes(racine: Path) -> list[Path]:
    return sorted(p for p in racine.rglob("*") if p.is_file()) if racine.exists() else []


@pytest.fixture
def monde():
    """Rezé (territoire de l'ADIL, guichet accompagnateur) et Nantes (ailleurs)."""
    t = ville_de_reze(nom_organisme="Espace Habitat Social", type_organisme=Organisme.Type.ADIL)
    demande = DemandeFactory(nom="Martin", prenom="Claire", date_naissance=NAISSANCE, communes=[t.reze])
    ailleurs = DemandeFactory(nom="Bernard", communes=[t.nantes])
    return {"reze": t.reze, "nantes": t.nantes, "agent": t.agent, "demande": demande, "ailleurs": ailleurs}


def deposer(monde, nom="identite.pdf", contenu=PDF, type="identite", **kwargs):
    return pieces.deposer_piece(
        demande=kwargs.pop("demande", monde["demande"]),
        type=type,
        fichier=fichier(nom, contenu),
        auteur=Auteur.agent(monde["agent"]),
        **kwargs,
    )


# ---------------------------------------------------------------- dépôt et stockage


def test_un_pdf_est_range_hors_de_la_racine_web_sous_un_nom_aleatoire(monde, stockage):
    piece = deposer(monde, nom="Carte d'identité de Claire Martin.pdf")

    stockes = fichiers_stockes(stockage)
    assert stockes == [Path(stockage) / piece.chemin]
    assert stockes[0].read_bytes() == PDF
    assert "Martin" not in piece.chemin
    assert "identit" not in piece.chemin
    assert len(stockes[0].name) == 32  # uuid4 en hexadécimal
    assert piece.nom_origine == "Carte d'identité de Claire Martin.pdf"
    assert piece.type_contenu == "application/pdf"
    assert piece.taille == len(PDF)
    assert piece.empreinte == hashlib.sha256(PDF).hexdigest()
    assert piece.deposee_par == monde["agent"]
    assert piece.organisme == monde["agent"].organisme
    assert piece.etat == Piece.Etat.VALIDE
    # Une pièce d'identité sans personne indiquée est celle du demandeur.
    assert piece.personne == Personne.objects.get(demande=monde["demande"], role="demandeur")
    assert piece.personne_libelle == "MARTIN Claire (Demandeur)"
    # Pas de fichier temporaire laissé par l'écriture atomique.
    assert not list(Path(stockage).rglob(".depot-*"))


def test_le_stockage_n_est_jamais_sous_une_racine_servie_par_le_site(client, monde, stockage):
    defaut = Path(settings.MEDIA_ROOT) / "pieces"  # réglage par défaut : var/prive/pieces
    servies = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS), Path(settings.BASE_DIR) / "templates"]
    for racine in servies:
        assert not defaut.resolve().is_relative_to(racine.resolve())
    piece = deposer(monde)
    # Aucune adresse ne sert le répertoire : ni /static/, ni MEDIA_URL, ni le chemin de stockage.
    for adresse in (f"/static/{piece.chemin}", f"{settings.MEDIA_URL}{piece.chemin}", f"/{piece.chemin}"):
        assert client.get(adresse).status_code == 404


@pytest.mark.parametrize(
    ("nom", "contenu", "attendu"),
    [
        ("avis.pdf", PNG, "porte l'extension .pdf mais son contenu est celui d'une image PNG"),
        ("photo.jpg", EXE, "n'est pas celui d'une image JPEG : c'est un programme Windows (exécutable)"),
        ("scan.png", JPEG, "porte l'extension .png mais son contenu est celui d'une image JPEG"),
        ("texte.pdf", b"Bonjour, voici mon avis", "n'est pas celui d'un PDF"),
        ("programme.exe", EXE, "Type de fichier non admis (.exe)"),
        ("sans_extension", PDF, "Type de fichier non admis (sans extension)"),
        ("vide.pdf", b"", "est vide"),
    ],
)
def test_un_fichier_falsifie_ou_vide_est_refuse_sans_rien_ecrire(monde, stockage, nom, contenu, attendu):
    with pytest.raises(ValidationError) as erreur:
        deposer(monde, nom=nom, contenu=contenu)

    assert attendu in " ".join(erreur.value.message_dict["fichier"])
    assert fichiers_stockes(stockage) == []
    assert not Piece.objects.exists()
    assert not Evenement.objects.filter(type=Evenement.Type.PIECE_AJOUTEE).exists()


def test_un_fichier_trop_gros_est_refuse_avec_la_taille_maximale(monde, stockage, settings):
    settings.FDLS_PIECE_TAILLE_MAX = 2 * 1024 * 1024
    gros = PDF + bytes(3 * 1024 * 1024)

    with pytest.raises(ValidationError) as erreur:
        deposer(monde, contenu=gros)

    assert erreur.value.message_dict["fichier"] == [
        "Le fichier « identite.pdf » pèse 3 Mo : la taille maximale est de 2 Mo. "
        "Numérisez le document en plus basse résolution."
    ]
    assert fichiers_stockes(stockage) == []


def test_jpeg_et_png_sont_admis_avec_leur_type_verifie(monde):
    assert deposer(monde, nom="AVIS.JPEG", contenu=JPEG, type="avis_imposition").type_contenu == "image/jpeg"
    assert deposer(monde, nom="cmi.png", contenu=PNG, type="carte_mobilite_inclusion").type_contenu == "image/png"


def test_type_et_personne_sont_controles(monde):
    autre = Personne.objects.get(demande=monde["ailleurs"])
    with pytest.raises(ValidationError) as erreur:
        deposer(monde, type="bulletin_de_salaire", personne=autre)
    assert set(erreur.value.message_dict) == {"type", "personne"}


def test_une_demande_annulee_ne_recoit_pas_de_piece(monde, stockage):
    monde["demande"].etat = "annulee"
    monde["demande"].save()
    with pytest.raises(ValidationError, match="demande active"):
        deposer(monde)
    assert fichiers_stockes(stockage) == []


# ---------------------------------------------------------------- transaction


def test_pas_de_fichier_orphelin_si_la_transaction_echoue(monde, stockage, monkeypatch):
    def panne(*args, **kwargs):
        raise IntegrityError("panne simulée pendant l'écriture de l'historique")

    monkeypatch.setattr(pieces, "ecrire_evenement", panne)
    with pytest.raises(IntegrityError):
        deposer(monde)

    assert fichiers_stockes(stockage) == []
    assert not Piece.objects.exists()


def test_un_depot_ne_s_imbrique_pas_dans_une_transaction_qui_pourrait_etre_annulee(monde, stockage):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        deposer(monde)
    assert fichiers_stockes(stockage) == []


def test_la_suppression_n_efface_le_fichier_qu_apres_validation(monde, stockage, django_capture_on_commit_callbacks):
    piece = deposer(monde)
    chemin = Path(stockage) / piece.chemin

    with django_capture_on_commit_callbacks(execute=False) as rappels:
        pieces.supprimer_piece(piece, auteur=Auteur.agent(monde["agent"]), motif="déposée sur le mauvais dossier")
    assert chemin.exists()  # transaction pas encore validée : le fichier est encore là
    assert not Piece.objects.filter(pk=piece.pk).exists()
    for rappel in rappels:
        rappel()
    assert not chemin.exists()

    evenement = Evenement.objects.get(type=Evenement.Type.PIECE_SUPPRIMEE)
    assert (
        evenement.precisions == "Pièce d'identité – MARTIN Claire (Demandeur) – motif : déposée sur le mauvais dossier"
    )
    assert evenement.details["empreinte"] == hashlib.sha256(PDF).hexdigest()


def test_les_fichiers_orphelins_anciens_sont_nettoyes(monde, stockage):
    piece = deposer(monde)
    orphelin = Path(stockage) / "ab" / ("ab" + "0" * 30)
    orphelin.parent.mkdir(parents=True, exist_ok=True)
    orphelin.write_bytes(PDF)

    assert pieces.nettoyer_fichiers_orphelins(delai_s=3600) == 0  # trop récent : peut-être un dépôt en cours
    assert pieces.nettoyer_fichiers_orphelins(delai_s=-1) == 1
    assert not orphelin.exists()
    assert (Path(stockage) / piece.chemin).exists()


# ---------------------------------------------------------------- historique et obsolescence


def test_depot_et_obsolescence_entrent_dans_l_historique(monde):
    piece = deposer(monde, type="avis_imposition", nom="avis-2024.pdf")
    ajout = Evenement.objects.get(demande=monde["demande"], type=Evenement.Type.PIECE_AJOUTEE)
    assert ajout.precisions == "Avis d'imposition – MARTIN Claire (Demandeur)"
    assert ajout.auteur == monde["agent"]
    assert ajout.organisme == monde["agent"].organisme
    assert ajout.details["piece"] == piece.pk

    with pytest.raises(ValidationError) as erreur:
        pieces.rendre_obsolete(piece, auteur=Auteur.agent(monde["agent"]), motif="  ")
    assert "motif" in erreur.value.message_dict

    pieces.rendre_obsolete(piece, auteur=Auteur.agent(monde["agent"]), motif="Avis de revenus 2022, trop ancien")
    piece.refresh_from_db()
    assert piece.etat == Piece.Etat.OBSOLETE
    assert piece.obsolete_par == monde["agent"]
    assert piece.obsolete_le is not None
    assert piece.motif_obsolescence == "Avis de revenus 2022, trop ancien"
    evenement = Evenement.objects.get(type=Evenement.Type.PIECE_OBSOLETE)
    assert evenement.get_type_display() == "Pièce rendue obsolète"
    assert "Avis de revenus 2022, trop ancien" in evenement.precisions

    with pytest.raises(ValidationError, match="déjà obsolète"):
        pieces.rendre_obsolete(piece, auteur=Auteur.agent(monde["agent"]), motif="encore")


# ---------------------------------------------------------------- pièces manquantes


def _attendues(manquantes):
    return [(a.type, a.personne.prenom if a.personne else None, a.niveau) for a in manquantes]


def test_pieces_manquantes_a_l_enregistrement_et_jamais_redemandees(monde):
    demande = monde["demande"]
    Personne.objects.create(
        demande=demande, role="codemandeur", nom="Martin", prenom="Paul", date_naissance=datetime.date(1983, 1, 2)
    )
    Personne.objects.create(
        demande=demande, role="occupant", nom="Martin", prenom="Léa", date_naissance=datetime.date(2015, 6, 1)
    )

    assert _attendues(pieces.pieces_manquantes(demande)) == [
        ("identite", "Claire", "obligatoire"),
        ("avis_imposition", "Claire", "encouragee"),
        ("avis_imposition", "Paul", "encouragee"),
    ]  # Léa est mineure : pas d'avis d'imposition

    deposer(monde)  # pièce d'identité de Claire
    paul = Personne.objects.get(prenom="Paul")
    # Une pièce déposée par un autre organisme compte aussi : elle n'est jamais redemandée.
    bailleur = AgentFactory(organisme__perimetre=[monde["reze"]])
    pieces.deposer_piece(
        demande=demande,
        type="avis_imposition",
        personne=paul,
        fichier=fichier("avis.pdf", PDF),
        auteur=Auteur.agent(bailleur),
    )
    assert _attendues(pieces.pieces_manquantes(demande)) == [("avis_imposition", "Claire", "encouragee")]


def test_une_piece_obsolete_est_redemandee(monde):
    piece = deposer(monde)
    assert "identite" not in [a.type for a in pieces.pieces_manquantes(monde["demande"])]
    pieces.rendre_obsolete(piece, auteur=Auteur.agent(monde["agent"]), motif="Carte expirée")
    assert _attendues(pieces.pieces_manquantes(monde["demande"]))[0] == ("identite", "Claire", "obligatoire")


def test_pieces_manquantes_a_l_instruction(monde):
    demande = monde["demande"]
    demande.motifs = ["divorce", "procedure_expulsion"]
    demande.save()
    deposer(monde)

    manquantes = pieces.pieces_manquantes(demande, etape=pieces.Etape.INSTRUCTION)

    assert _attendues(manquantes) == [
        ("avis_imposition", "Claire", "obligatoire"),
        ("divorce", None, "obligatoire"),
        ("jugement_expulsion", None, "complementaire"),
    ]
    deposer(monde, type="divorce", nom="jugement.pdf")
    deposer(monde, type="jugement_expulsion", nom="expulsion.pdf")
    assert _attendues(pieces.pieces_manquantes(demande, etape=pieces.Etape.INSTRUCTION)) == [
        ("avis_imposition", "Claire", "obligatoire")
    ]


# ---------------------------------------------------------------- écrans et droits par rôle


def url_pieces(demande):
    return reverse("demandes:pieces", args=[demande.pk])


def url_fichier(piece):
    return reverse("demandes:piece_fichier", args=[piece.demande_id, piece.pk])


def test_la_fiche_montre_l_onglet_pieces_et_les_pieces_manquantes(client, agent_verifie, monde):
    piece = deposer(monde, type="avis_imposition")
    agent_verifie(monde["agent"])

    reponse = client.get(reverse("demandes:detail", args=[monde["demande"].pk]))

    assertContains(reponse, '<a href="#onglet-pieces" data-onglet="pieces">Pièces')
    assertContains(reponse, "1 à fournir")
    assertContains(reponse, "Pièce d&#x27;identité – Claire MARTIN")
    assertContains(reponse, "1 pièce au dossier")
    assertContains(reponse, url_fichier(piece))
    assertContains(reponse, "Ajouter la pièce")
    assertContains(reponse, "Rendre obsolète")


def test_le_guichet_accompagnateur_depose_une_piece_par_le_formulaire(client, agent_verifie, monde, stockage):
    agent_verifie(monde["agent"])

    reponse = client.post(
        url_pieces(monde["demande"]), {"type": "identite", "personne": "", "fichier": fichier("cni.pdf", PDF)}
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("demandes:detail", args=[monde["demande"].pk]) + "#onglet-pieces"
    piece = Piece.objects.get()
    assert piece.nom_origine == "cni.pdf"
    assert len(fichiers_stockes(stockage)) == 1


def test_un_mauvais_fichier_donne_l_erreur_sur_le_champ_et_garde_la_saisie(client, agent_verifie, monde, stockage):
    agent_verifie(monde["agent"])
    demandeur = Personne.objects.get(demande=monde["demande"])

    reponse = client.post(
        url_pieces(monde["demande"]),
        {"type": "avis_imposition", "personne": demandeur.pk, "fichier": fichier("avis.pdf", PNG)},
    )

    assert reponse.status_code == 422
    assertContains(
        reponse, "porte l&#x27;extension .pdf mais son contenu est celui d&#x27;une image PNG", status_code=422
    )
    form = reponse.context["p"]["form_depot"]
    assert list(form.errors) == ["fichier"]
    assertContains(reponse, '<option value="avis_imposition" selected>', status_code=422)
    assertContains(reponse, f'<option value="{demandeur.pk}" selected>', status_code=422)
    assert fichiers_stockes(stockage) == []


def test_telechargement_en_piece_jointe_et_journalise(client, agent_verifie, monde):
    piece = deposer(monde)
    agent_verifie(monde["agent"])

    reponse = client.get(url_fichier(piece))

    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == PDF
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert f"identite-{monde['demande'].numero_unique}-{piece.pk}.pdf" in reponse["Content-Disposition"]
    assert reponse["X-Content-Type-Options"] == "nosniff"
    ligne = Consultation.objects.get(action=Consultation.Action.TELECHARGEMENT)
    assert ligne.utilisateur == monde["agent"]
    assert ligne.organisme == monde["agent"].organisme
    assert (ligne.objet_type, ligne.objet_id) == ("demandes.piece", str(piece.pk))


def test_un_bailleur_ajoute_les_pieces_de_l_instruction_sans_gerer_les_autres(client, agent_verifie, monde):
    piece = deposer(monde)
    bailleur = AgentFactory(roles=[Role.INSTRUCTEUR_BAILLEUR], organisme__perimetre=[monde["reze"]])
    agent_verifie(bailleur)

    fiche = client.get(reverse("demandes:detail", args=[monde["demande"].pk]))
    assertContains(fiche, url_fichier(piece))
    assertContains(fiche, "Ajouter la pièce")  # pièces de l'instruction (issue 18, point 5)
    assertNotContains(fiche, "Rendre obsolète")
    telechargement = client.get(url_fichier(piece))
    assert telechargement.status_code == 200
    assert b"".join(telechargement.streaming_content) == PDF  # lu jusqu'au bout : le fichier est refermé

    depot = client.post(url_pieces(monde["demande"]), {"type": "avis_imposition", "fichier": fichier("a.pdf", PDF)})
    assert depot.status_code == 302
    ajoutee = Piece.objects.exclude(pk=piece.pk).get()
    assert (ajoutee.organisme, ajoutee.deposee_par) == (bailleur.organisme, bailleur)
    obsolete = reverse("demandes:piece_obsolete", args=[monde["demande"].pk, piece.pk])
    assert client.post(obsolete, {f"obsolete-{piece.pk}-motif": "vieux"}).status_code == 403
    supprimer = reverse("demandes:piece_supprimer", args=[monde["demande"].pk, piece.pk])
    assert client.post(supprimer).status_code == 403
    piece.refresh_from_db()
    assert piece.etat == Piece.Etat.VALIDE
    assert Piece.objects.count() == 2


def test_un_reservataire_lit_les_pieces_sans_pouvoir_en_ajouter(client, agent_verifie, monde):
    piece = deposer(monde)
    reservataire = AgentFactory(
        roles=[Role.RESERVATAIRE], organisme__type=Organisme.Type.ETAT, organisme__perimetre=[monde["reze"]]
    )
    agent_verifie(reservataire)

    fiche = client.get(reverse("demandes:detail", args=[monde["demande"].pk]))
    assertContains(fiche, url_fichier(piece))
    assertNotContains(fiche, "Ajouter la pièce")
    assert (
        client.post(url_pieces(monde["demande"]), {"type": "identite", "fichier": fichier("a.pdf", PDF)}).status_code
        == 403
    )
    assert Piece.objects.count() == 1


def test_un_agent_d_un_autre_territoire_recoit_404_et_la_tentative_est_journalisee(client, agent_verifie, monde):
    piece = deposer(monde)
    nantais = AgentFactory(organisme__type=Organisme.Type.COMMUNE, organisme__perimetre=[monde["nantes"]])
    GuichetFactory(organisme=nantais.organisme, commune=monde["nantes"])
    agent_verifie(nantais)

    assert client.get(url_fichier(piece)).status_code == 404
    assert client.get(url_pieces(monde["demande"])).status_code == 404
    reponse = client.post(url_pieces(monde["demande"]), {"type": "identite", "fichier": fichier("a.pdf", PDF)})
    assert reponse.status_code == 404
    supprimer = reverse("demandes:piece_supprimer", args=[monde["demande"].pk, piece.pk])
    assert client.post(supprimer).status_code == 404
    assert Piece.objects.count() == 1

    refus = Consultation.objects.filter(action=Consultation.Action.REFUS, utilisateur=nantais)
    assert refus.count() == 4  # une par tentative : téléchargement, page des pièces, dépôt, suppression
    assert "MARTIN" not in " ".join(refus.values_list("objet_libelle", flat=True))
    assert not Consultation.objects.filter(action=Consultation.Action.TELECHARGEMENT).exists()


def test_un_observateur_n_a_pas_acces_aux_pieces(client, agent_verifie, monde):
    piece = deposer(monde)
    observateur = AgentFactory(roles=[Role.OBSERVATEUR], organisme__perimetre=[monde["reze"]])
    agent_verifie(observateur)

    reponse = client.get(url_fichier(piece))

    assert reponse.status_code == 403
    assertContains(reponse, "R441-2-6", status_code=403)
    assert not Consultation.objects.filter(action=Consultation.Action.TELECHARGEMENT).exists()


def test_rendre_obsolete_et_supprimer_depuis_l_ecran(client, agent_verifie, monde, stockage):
    piece = deposer(monde)
    agent_verifie(monde["agent"])
    obsolete = reverse("demandes:piece_obsolete", args=[monde["demande"].pk, piece.pk])

    sans_motif = client.post(obsolete, {f"obsolete-{piece.pk}-motif": ""})
    assert sans_motif.status_code == 422
    assertContains(sans_motif, "Indiquez pourquoi la pièce est obsolète.", status_code=422)

    assert client.post(obsolete, {f"obsolete-{piece.pk}-motif": "Carte expirée"}).status_code == 302
    piece.refresh_from_db()
    assert piece.etat == Piece.Etat.OBSOLETE
    fiche = client.get(reverse("demandes:detail", args=[monde["demande"].pk]))
    assertContains(fiche, "Obsolète")
    assertContains(fiche, "Carte expirée")

    assert client.post(reverse("demandes:piece_supprimer", args=[monde["demande"].pk, piece.pk])).status_code == 302
    assert not Piece.objects.exists()
    assert Evenement.objects.filter(type=Evenement.Type.PIECE_SUPPRIMEE).count() == 1
