"""Exercice de panne du stockage des pièces (issue 16.6) : disque plein, répertoire en lecture seule,
processus tué entre l'écriture du fichier et la validation du dépôt.

Les pannes sont réelles (le noyau refuse l'écriture), jamais simulées par un mock :

* **disque plein** : un tmpfs de 16 ko monté pour le test (root), sinon la limite de taille de fichier du
  processus (``RLIMIT_FSIZE``, signal ``SIGXFSZ`` ignoré), qui fait échouer ``write`` de la même façon ;
* **lecture seule** : un tmpfs monté en lecture seule (root, que les droits d'accès n'arrêtent pas), sinon
  un répertoire en mode 0555 ;
* **processus tué** : un sous-processus Django écrit une pièce dans le stockage puis se tue (SIGKILL) avant
  la transaction ; la tâche planifiée efface l'orphelin.
"""

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as reglages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demandes import tasks
from demandes.models import Evenement, Piece
from demandes.pieces import services as pieces
from fdls.celery import app
from fdls.organismes.models import Organisme
from fdls.socle.workflow import Auteur
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import image
from tests.monde.territoires import ville_de_reze

pytestmark = pytest.mark.exercice

RACINE_PROJET = Path(__file__).resolve().parents[2]
SCAN = image("JPEG", (600, 800))  # ≈ 10 ko : plus que le tmpfs « plein » n'en accepte


def _monter_tmpfs(point: Path, options: str) -> bool:
    point.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    resultat = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
    return resultat.returncode == 0


def _demonter(point: Path) -> None:
    subprocess.run(["umount", str(point)], capture_output=True, check=False)


@contextlib.contextmanager
def _limite_de_taille(octets: int):
    """Toute écriture au-delà de ``octets`` échoue (EFBIG) dans ce processus, le temps du bloc."""
    ancienne = resource.getrlimit(resource.RLIMIT_FSIZE)
    ancien_signal = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (octets, ancienne[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, ancienne)
        signal.signal(signal.SIGXFSZ, ancien_signal)


@pytest.fixture
def disque_plein(settings, tmp_path):
    """Le stockage des pièces est sur un disque plein ; rend le contexte à tenir pendant le dépôt."""
    point = tmp_path / "plein"
    if _monter_tmpfs(point, "size=16k,mode=0755"):
        settings.FDLS_PIECES_ROOT = point / "pieces"
        # Remplir le disque : il ne reste rien pour la pièce.
        with contextlib.suppress(OSError), (point / "remplissage").open("wb") as remplissage:
            remplissage.write(bytes(64 * 1024))
        try:
            yield point, contextlib.nullcontext
        finally:
            _demonter(point)
    else:
        settings.FDLS_PIECES_ROOT = point / "pieces"
        yield point, lambda: _limite_de_taille(4096)


@pytest.fixture
def lecture_seule(settings, tmp_path):
    point = tmp_path / "lecture_seule"
    if _monter_tmpfs(point, "ro,size=16k"):
        settings.FDLS_PIECES_ROOT = point / "pieces"
        try:
            yield point
        finally:
            _demonter(point)
    else:
        point.chmod(0o555)
        settings.FDLS_PIECES_ROOT = point / "pieces"
        try:
            yield point
        finally:
            point.chmod(0o755)


@pytest.fixture
def monde():
    t = ville_de_reze(nom_organisme="Espace Habitat Social", type_organisme=Organisme.Type.ADIL)
    return {"agent": t.agent, "demande": DemandeFactory(nom="Martin", communes=[t.reze])}


def _fichiers(racine: Path) -> list[Path]:
    return [p for p in racine.rglob("*") if p.is_file() and p.name != "remplissage"] if racine.exists() else []


def _rien_n_est_ecrit(monde, racine: Path) -> None:
    assert not Piece.objects.exists()
    assert not Evenement.objects.filter(demande=monde["demande"], type=Evenement.Type.PIECE_AJOUTEE).exists()
    assert _fichiers(racine) == []


def test_disque_plein_message_clair_et_rien_d_ecrit(monde, disque_plein):
    racine, panne = disque_plein
    with pytest.raises(ValidationError) as erreur, panne():
        pieces.deposer_piece(
            demande=monde["demande"],
            type="identite",
            fichier=SimpleUploadedFile("cni.jpg", SCAN),
            auteur=Auteur.agent(monde["agent"]),
        )
    message = " ".join(erreur.value.message_dict["fichier"])
    assert "l'espace de stockage des pièces est indisponible" in message
    assert "disque plein" in message or "espace insuffisant" in message
    assert "Rien n'a été enregistré" in message
    _rien_n_est_ecrit(monde, racine)


def test_disque_plein_l_ecran_garde_le_formulaire(client, agent_verifie, monde, disque_plein):
    racine, panne = disque_plein
    agent_verifie(monde["agent"])
    with panne():
        reponse = client.post(
            reverse("demandes:pieces", args=[monde["demande"].pk]),
            {"type": "avis_imposition", "fichier": SimpleUploadedFile("avis.jpg", SCAN)},
        )
    assert reponse.status_code == 422
    html = reponse.content.decode()
    assert "espace de stockage des pièces est indisponible" in html
    assert 'value="avis_imposition" selected' in html
    _rien_n_est_ecrit(monde, racine)


def test_repertoire_en_lecture_seule_message_clair_et_rien_d_ecrit(monde, lecture_seule):
    with pytest.raises(ValidationError) as erreur:
        pieces.deposer_piece(
            demande=monde["demande"],
            type="identite",
            fichier=SimpleUploadedFile("cni.jpg", SCAN),
            auteur=Auteur.agent(monde["agent"]),
        )
    message = " ".join(erreur.value.message_dict["fichier"])
    assert "l'espace de stockage des pièces est indisponible" in message
    assert "lecture seule" in message or "écriture refusée" in message
    _rien_n_est_ecrit(monde, lecture_seule)


def test_l_api_repond_une_erreur_sur_le_champ_fichier(client, jeton, monde, disque_plein):
    racine, panne = disque_plein
    _agent, entetes, _objet = jeton(monde["agent"], ecriture=True)
    with panne():
        reponse = client.post(
            f"/api/v1/demandes/{monde['demande'].pk}/pieces/",
            {"type": "identite", "fichier": SimpleUploadedFile("cni.jpg", SCAN)},
            headers=entetes,
        )
    assert 400 <= reponse.status_code < 500, reponse.content
    assert "espace de stockage des pièces est indisponible" in reponse.content.decode()
    _rien_n_est_ecrit(monde, racine)


ECRIRE_PUIS_MOURIR = """
import os, signal, django
django.setup()
from django.core.files.base import ContentFile
from demandes.pieces import services
chemin, _empreinte, _taille = services._ecrire(ContentFile(b"%PDF-1.4 piece en cours de depot"))
print(chemin, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # tué entre l'écriture du fichier et la validation du dépôt
"""


def test_un_processus_tue_apres_l_ecriture_laisse_un_orphelin_que_la_tache_de_nuit_efface(settings, tmp_path, monde):
    settings.FDLS_PIECES_ROOT = tmp_path / "pieces"
    gardee = pieces.deposer_piece(
        demande=monde["demande"],
        type="identite",
        fichier=SimpleUploadedFile("cni.jpg", SCAN),
        auteur=Auteur.agent(monde["agent"]),
    )
    env = {**os.environ, "FDLS_PIECES_ROOT": str(settings.FDLS_PIECES_ROOT), "DJANGO_SETTINGS_MODULE": "fdls.settings"}
    tue = subprocess.run(
        [sys.executable, "-c", ECRIRE_PUIS_MOURIR], cwd=RACINE_PROJET, env=env, capture_output=True, text=True
    )
    assert tue.returncode == -signal.SIGKILL, tue.stderr
    orphelin = Path(settings.FDLS_PIECES_ROOT) / tue.stdout.strip()
    assert orphelin.exists()

    # La tâche est planifiée chaque nuit et enregistrée auprès de Celery.
    planifiees = {entree["task"] for entree in reglages.CELERY_BEAT_SCHEDULE.values()}
    assert "demandes.tasks.nettoyer_pieces_orphelines" in planifiees
    assert "demandes.tasks.nettoyer_pieces_orphelines" in app.tasks

    # Trop récent : peut-être un dépôt en cours, gardé.
    assert tasks.nettoyer_pieces_orphelines.apply().get() == "0 fichier(s) orphelin(s) effacé(s)"
    assert orphelin.exists()
    il_y_a_deux_heures = time.time() - 7200
    os.utime(orphelin, (il_y_a_deux_heures, il_y_a_deux_heures))
    os.utime(Path(settings.FDLS_PIECES_ROOT) / gardee.chemin, (il_y_a_deux_heures, il_y_a_deux_heures))

    assert tasks.nettoyer_pieces_orphelines.apply().get() == "1 fichier(s) orphelin(s) effacé(s)"
    assert not orphelin.exists()
    assert (Path(settings.FDLS_PIECES_ROOT) / gardee.chemin).exists()
    assert tasks.nettoyer_pieces_orphelines.apply().get() == "0 fichier(s) orphelin(s) effacé(s)"
