"""Pièces justificatives du dossier unique (seed 001 §2) : dépôt contrôlé, obsolescence, suppression, lecture.

Contrôle du contenu : un fichier n'est admis que si ses premiers octets (les
« octets magiques ») sont ceux d'un PDF, d'un JPEG ou d'un PNG **et** si son
extension correspond à ce contenu ; un fichier vide, trop gros
(``FDLS_PIECE_TAILLE_MAX``) ou d'un autre type est refusé avec un message en
français, sur le champ ``fichier``. Puis le contenu est contrôlé en profondeur
(``demandes/pieces/contenu.py``) : un PDF est réécrit sans rien qui agisse
(JavaScript, action à l'ouverture, formulaire, pièce jointe), une image doit
être lisible par Pillow dans le format annoncé et de dimensions bornées.

Stockage : hors de la racine web, sous ``FDLS_PIECES_ROOT``, à un chemin tiré
au hasard (``ab/<uuid>``) qui ne reprend jamais le nom d'origine ; écriture
atomique (fichier temporaire du même répertoire, ``fsync`` puis ``rename``).
Une erreur du stockage (disque plein, répertoire en lecture seule) est une
``StockageIndisponible`` (``ValidationError`` sur ``fichier``) : message clair,
formulaire conservé, rien d'écrit. Un fichier resté sans pièce (processus tué
entre l'écriture et la validation) est effacé par ``nettoyer_fichiers_orphelins``,
planifiée chaque nuit (``demandes.tasks.nettoyer_pieces_orphelines``).
Un dépôt est sa propre transaction (``durable``) : si elle échoue, le fichier
écrit est supprimé aussitôt ; elle ne peut pas être imbriquée dans une
transaction englobante, dont l'annulation laisserait un fichier sans ligne
(Django n'offre pas de crochet « à l'annulation »). Une suppression n'efface
le fichier qu'après la validation de la transaction (``on_commit``).

Chaque dépôt, mise à l'obsolescence et suppression écrit un événement de
l'historique. Les contrôles d'accès (``visibles_par`` / ``modifiables_par``)
et le journal des consultations sont l'affaire des vues et de l'API ; ces
fonctions ne reçoivent jamais la requête HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from demandes.dossier import calculs, choix
from demandes.dossier.models import Demande, Evenement, Personne
from demandes.dossier.workflow import ecrire_evenement
from demandes.pieces import contenu as controle_contenu
from demandes.pieces.models import Piece
from fdls.socle.typographie import nombre
from fdls.socle.workflow import Auteur

logger = logging.getLogger(__name__)

TypePiece = choix.TypePiece

# Type de contenu → (octets magiques, extensions admises, libellé avec article pour les messages).
FORMATS = {
    "application/pdf": (b"%PDF-", (".pdf",), "un PDF"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "une image JPEG"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), "une image PNG"),
}
EXTENSIONS_ADMISES = tuple(ext for _, extensions, _ in FORMATS.values() for ext in extensions)
EXTENSION_PAR_TYPE = {type_contenu: extensions[0] for type_contenu, (_, extensions, _) in FORMATS.items()}
FORMATS_LISIBLES = "PDF, JPEG ou PNG"
# Signatures courantes de fichiers refusés, pour un message précis.
SIGNATURES_CONNUES = [
    (b"MZ", "un programme Windows (exécutable)"),
    (b"\x7fELF", "un programme exécutable"),
    (b"PK\x03\x04", "une archive ZIP ou un document bureautique"),
    (b"GIF8", "une image GIF"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"#!", "un script"),
]
ENTETE = 8
MORCEAU = 64 * 1024
DELAI_ORPHELINS_S = 3600


class PieceIntrouvable(Exception):
    """Le fichier d'une pièce manque dans le stockage (restauration incomplète, disque)."""


MESSAGE_STOCKAGE = (
    "Le dépôt a échoué : l'espace de stockage des pièces est indisponible ({cause}). Rien n'a été enregistré ; "
    "réessayez dans quelques minutes et, si l'erreur persiste, prévenez l'administrateur du fichier."
)
CAUSES_STOCKAGE = {
    28: "disque plein",  # ENOSPC
    27: "espace insuffisant pour ce fichier",  # EFBIG (limite de taille de fichier du système)
    122: "quota dépassé",  # EDQUOT
    30: "système de fichiers en lecture seule",  # EROFS
    13: "écriture refusée",  # EACCES
    1: "écriture refusée",  # EPERM
}


class StockageIndisponible(ValidationError):
    """Le stockage des pièces refuse l'écriture (disque plein, lecture seule, droits) : rien n'est écrit."""

    def __init__(self, erreur: OSError):
        cause = CAUSES_STOCKAGE.get(erreur.errno, "erreur d'écriture")
        super().__init__({"fichier": [ValidationError(MESSAGE_STOCKAGE.format(cause=cause), code="stockage")]})


# ---------------------------------------------------------------- stockage


def racine() -> Path:
    return Path(settings.FDLS_PIECES_ROOT)


def taille_max() -> int:
    return int(settings.FDLS_PIECE_TAILLE_MAX)


def _chemin_absolu(chemin: str) -> Path:
    """Chemin d'une pièce dans le stockage ; refuse tout chemin qui en sortirait."""
    base = racine().resolve()
    cible = (base / chemin).resolve()
    if base not in cible.parents:
        raise PieceIntrouvable(f"Chemin de pièce hors du stockage : {chemin!r}")
    return cible


def taille_lisible(octets: int) -> str:
    if octets >= 1024 * 1024:
        return f"{nombre(round(octets / (1024 * 1024), 1))} Mo"
    if octets >= 1024:
        return f"{octets // 1024} ko"
    return f"{octets} octet{'s' if octets > 1 else ''}"


def _erreur(message: str, code: str) -> ValidationError:
    return ValidationError({"fichier": [ValidationError(message, code=code)]})


def controler_fichier(fichier) -> str:
    """Vérifie taille, extension et contenu ; rend le type de contenu reconnu ou lève ValidationError."""
    if fichier is None:
        raise _erreur("Choisissez le fichier de la pièce.", "requis")
    nom = os.path.basename(getattr(fichier, "name", "") or "")
    taille = getattr(fichier, "size", None)
    if not taille:
        raise _erreur(f"Le fichier « {nom} » est vide : déposez le document numérisé.", "vide")
    if taille > taille_max():
        raise _erreur(
            f"Le fichier « {nom} » pèse {taille_lisible(taille)} : la taille maximale est de "
            f"{taille_lisible(taille_max())}. Numérisez le document en plus basse résolution.",
            "trop_gros",
        )
    extension = os.path.splitext(nom)[1].lower()
    fichier.seek(0)
    entete = fichier.read(ENTETE)
    fichier.seek(0)
    reconnu = next((t for t, (magique, _, _) in FORMATS.items() if entete.startswith(magique)), None)
    if extension not in EXTENSIONS_ADMISES:
        affiche = extension or "sans extension"
        raise _erreur(
            f"Type de fichier non admis ({affiche}) : déposez un {FORMATS_LISIBLES} (.pdf, .jpg, .jpeg, .png).",
            "type_non_admis",
        )
    if reconnu is None:
        nature = next((libelle for sig, libelle in SIGNATURES_CONNUES if entete.startswith(sig)), None)
        attendu = next(libelle for _, extensions, libelle in FORMATS.values() if extension in extensions)
        precision = f" : c'est {nature}" if nature else ""
        raise _erreur(
            f"Le contenu du fichier « {nom} » n'est pas celui d'{attendu}{precision}. "
            f"Seuls les {FORMATS_LISIBLES} sont admis.",
            "contenu_non_admis",
        )
    _, extensions, libelle = FORMATS[reconnu]
    if extension not in extensions:
        raise _erreur(
            f"Le fichier « {nom} » porte l'extension {extension} mais son contenu est celui d'{libelle} : "
            "déposez le bon fichier ou renommez-le avec la bonne extension.",
            "extension_incoherente",
        )
    return reconnu


def _ecrire(fichier) -> tuple[str, str, int]:
    """Écrit le fichier (``django.core.files.File``) sous un nom aléatoire : temporaire, fsync, rename.

    Rend (chemin relatif, empreinte SHA-256, taille)."""
    try:
        return _ecrire_dans_le_stockage(fichier)
    except OSError as erreur:
        logger.exception("Stockage des pièces indisponible (%s) : dépôt refusé", erreur)
        raise StockageIndisponible(erreur) from erreur


def _ecrire_dans_le_stockage(fichier) -> tuple[str, str, int]:
    nom = uuid.uuid4().hex
    chemin = f"{nom[:2]}/{nom}"
    cible = racine() / chemin
    cible.parent.mkdir(parents=True, exist_ok=True)
    empreinte, taille = hashlib.sha256(), 0
    descripteur, temporaire = tempfile.mkstemp(dir=cible.parent, prefix=".depot-")
    try:
        with os.fdopen(descripteur, "wb") as sortie:
            fichier.seek(0)
            for morceau in fichier.chunks(MORCEAU):
                taille += len(morceau)
                if taille > taille_max():
                    raise _erreur(
                        f"Le fichier dépasse la taille maximale de {taille_lisible(taille_max())}.", "trop_gros"
                    )
                empreinte.update(morceau)
                sortie.write(morceau)
            sortie.flush()
            os.fsync(sortie.fileno())
        os.replace(temporaire, cible)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporaire)
        raise
    return chemin, empreinte.hexdigest(), taille


def effacer_fichier(chemin: str) -> None:
    with contextlib.suppress(FileNotFoundError, PieceIntrouvable):
        _chemin_absolu(chemin).unlink()


# ---------------------------------------------------------------- écritures


#: États où le dossier reçoit des pièces : le brouillon (la pièce d'identité est exigée pour l'enregistrer),
#: la demande en ligne à valider (le guichet contrôle l'identité) et la demande active.
ETATS_AVEC_PIECES = (Demande.Etat.BROUILLON, Demande.Etat.A_VALIDER, Demande.Etat.ACTIVE)


def _verifier_demande(demande: Demande) -> None:
    if demande.etat not in ETATS_AVEC_PIECES:
        raise ValidationError(
            f"Les pièces se déposent et se gèrent sur un brouillon, une demande en ligne à valider ou une demande "
            f"active ; cette demande est {demande.get_etat_display().lower()}.",
            code="demande_inactive",
        )


def _libelle_personne(personne: Personne | None) -> str:
    if personne is None:
        return ""
    return f"{personne.nom.upper()} {personne.prenom} ({personne.get_role_display()})"[:310]


def deposer_piece(*, demande: Demande, type: str, fichier, auteur: Auteur, personne: Personne | None = None) -> Piece:
    """Contrôle le fichier, le range hors de la racine web et ajoute la pièce au dossier (historique compris).

    Sans personne indiquée, une pièce d'identité ou un avis d'imposition est celle du demandeur.
    """
    erreurs: dict[str, list[str]] = {}
    if type not in TypePiece.values:
        erreurs["type"] = ["Choisissez le type de pièce dans la liste."]
    if personne is not None and personne.demande_id != demande.pk:
        erreurs["personne"] = ["Cette personne ne fait pas partie du ménage de la demande."]
    try:
        type_contenu = controler_fichier(fichier)
        nom = os.path.basename(fichier.name or "")
        fichier.seek(0)
        controle = controle_contenu.controler_contenu(fichier.read(taille_max() + 1), type_contenu, nom)
    except ValidationError as erreur:
        erreurs.update(erreur.message_dict)
    if erreurs:
        raise ValidationError(erreurs)
    _verifier_demande(demande)
    if personne is None and type in choix.PIECES_PERSONNELLES:
        personne = Personne.objects.filter(demande=demande, role=choix.Role.DEMANDEUR).first()

    chemin, empreinte, taille = _ecrire(ContentFile(controle.octets))
    try:
        with transaction.atomic(durable=True):
            demande = Demande.objects.select_for_update().get(pk=demande.pk)
            _verifier_demande(demande)
            piece = Piece.objects.create(
                demande=demande,
                type=type,
                personne=personne,
                personne_libelle=_libelle_personne(personne),
                nom_origine=os.path.basename(fichier.name or "")[:255] or "sans nom",
                type_contenu=type_contenu,
                taille=taille,
                empreinte=empreinte,
                chemin=chemin,
                deposee_par=auteur.user if getattr(auteur.user, "pk", None) else None,
                organisme=auteur.organisme,
                deposee_le=timezone.now(),
            )
            ecrire_evenement(
                demande,
                Evenement.Type.PIECE_AJOUTEE,
                auteur,
                precisions=_precisions(piece),
                details=_details(piece, **({"contenu_retire": list(controle.retire)} if controle.retire else {})),
            )
    except BaseException:
        # Transaction annulée : le fichier écrit ne doit pas rester orphelin.
        effacer_fichier(chemin)
        raise
    return piece


def joindre_piece(
    *, demande: Demande, type: str, fichier, auteur: Auteur, type_contenu: str, demandeur: Personne | None = None
) -> Piece:
    """Ajoute une pièce déjà contrôlée (``controler_fichier``) dans la transaction de l'appelant.

    Sert l'enregistrement d'une demande avec sa pièce d'identité : tout ou rien.
    Si la transaction est annulée, le fichier écrit reste orphelin jusqu'au
    nettoyage (``nettoyer_fichiers_orphelins``) ; aucune ligne ne le désigne.
    ``demandeur`` : la personne du demandeur quand l'appelant l'a déjà (sinon relue).
    """
    personne = None
    if type in choix.PIECES_PERSONNELLES:
        personne = demandeur or Personne.objects.filter(demande=demande, role=choix.Role.DEMANDEUR).first()
    chemin, empreinte, taille = _ecrire(fichier)
    piece = Piece.objects.create(
        demande=demande,
        type=type,
        personne=personne,
        personne_libelle=_libelle_personne(personne),
        nom_origine=os.path.basename(fichier.name or "")[:255] or "sans nom",
        type_contenu=type_contenu,
        taille=taille,
        empreinte=empreinte,
        chemin=chemin,
        deposee_par=auteur.user if getattr(auteur.user, "pk", None) else None,
        organisme=auteur.organisme,
        deposee_le=timezone.now(),
    )
    ecrire_evenement(
        demande, Evenement.Type.PIECE_AJOUTEE, auteur, precisions=_precisions(piece), details=_details(piece)
    )
    return piece


def a_piece_identite(demande: Demande) -> bool:
    """Le dossier contient une pièce d'identité valide du demandeur (ou d'aucune personne désignée)."""
    if not demande.pk:
        return False
    return (
        Piece.objects.filter(demande=demande, type=TypePiece.IDENTITE, etat=Piece.Etat.VALIDE)
        .filter(Q(personne__isnull=True) | Q(personne__role=choix.Role.DEMANDEUR))
        .exists()
    )


def _precisions(piece: Piece) -> str:
    texte = piece.get_type_display()
    if piece.personne_libelle:
        texte += f" – {piece.personne_libelle}"
    return texte


def _details(piece: Piece, **autres) -> dict:
    return {
        "piece": piece.pk,
        "type": piece.type,
        "personne": piece.personne_id,
        "type_contenu": piece.type_contenu,
        "taille": piece.taille,
        "empreinte": piece.empreinte,
        **autres,
    }


def _verrouiller(piece: Piece) -> Piece:
    try:
        return Piece.objects.select_for_update().select_related("demande").get(pk=piece.pk)
    except Piece.DoesNotExist as exc:
        raise ValidationError("Cette pièce n'existe plus : elle a été supprimée.", code="introuvable") from exc


@transaction.atomic
def rendre_obsolete(piece: Piece, *, auteur: Auteur, motif: str) -> Piece:
    """Marque la pièce obsolète (datée, auteur, motif) ; elle sera redemandée si elle est attendue."""
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": ["Indiquez pourquoi la pièce est obsolète (ex. : avis d'une année ancienne)."]})
    piece = _verrouiller(piece)
    _verifier_demande(piece.demande)
    if piece.etat == Piece.Etat.OBSOLETE:
        raise ValidationError("Cette pièce est déjà obsolète.", code="deja_obsolete")
    piece.etat = Piece.Etat.OBSOLETE
    piece.obsolete_le = timezone.now()
    piece.obsolete_par = auteur.user if getattr(auteur.user, "pk", None) else None
    piece.motif_obsolescence = motif[:2000]
    piece.save(update_fields=["etat", "obsolete_le", "obsolete_par", "motif_obsolescence"])
    ecrire_evenement(
        piece.demande,
        Evenement.Type.PIECE_OBSOLETE,
        auteur,
        precisions=f"{_precisions(piece)} – motif : {motif}",
        details=_details(piece, motif=motif),
    )
    return piece


@transaction.atomic
def supprimer_piece(piece: Piece, *, auteur: Auteur, motif: str = "") -> None:
    """Retire la pièce du dossier ; le fichier est effacé une fois la transaction validée."""
    piece = _verrouiller(piece)
    _verifier_demande(piece.demande)
    motif = (motif or "").strip()
    precisions = _precisions(piece) + (f" – motif : {motif}" if motif else "")
    ecrire_evenement(
        piece.demande,
        Evenement.Type.PIECE_SUPPRIMEE,
        auteur,
        precisions=precisions,
        details=_details(piece, etat=piece.etat, deposee_le=piece.deposee_le.isoformat(), motif=motif),
    )
    chemin = piece.chemin
    piece.delete()
    transaction.on_commit(lambda: effacer_fichier(chemin))


# ---------------------------------------------------------------- lecture


def ouvrir_piece(piece: Piece):
    """Le fichier de la pièce, ouvert en lecture binaire (à refermer ; FileResponse le fait).

    L'appelant a vérifié l'accès (``Piece.objects.visibles_par(user)``) et journalise la lecture.
    """
    try:
        return _chemin_absolu(piece.chemin).open("rb")
    except FileNotFoundError as exc:
        raise PieceIntrouvable(f"Fichier absent du stockage pour la pièce {piece.pk}.") from exc


def nom_telechargement(piece: Piece) -> str:
    """Nom proposé au téléchargement : type, numéro unique, pièce ; jamais le nom d'origine (en-têtes sûrs)."""
    numero = piece.demande.numero_unique or f"demande-{piece.demande_id}"
    return f"{piece.type}-{numero}-{piece.pk}{EXTENSION_PAR_TYPE.get(piece.type_contenu, '')}"


def nettoyer_fichiers_orphelins(*, delai_s: int = DELAI_ORPHELINS_S) -> int:
    """Efface les fichiers du stockage sans pièce en base, plus vieux que ``delai_s`` (processus interrompu
    entre l'écriture et la validation). Idempotent ; rend le nombre de fichiers effacés."""
    base = racine()
    if not base.exists():
        return 0
    limite = time.time() - delai_s
    connus = set(Piece.objects.values_list("chemin", flat=True))
    effaces = 0
    for fichier in base.glob("*/*"):
        relatif = f"{fichier.parent.name}/{fichier.name}"
        if fichier.is_file() and relatif not in connus and fichier.stat().st_mtime < limite:
            fichier.unlink(missing_ok=True)
            effaces += 1
    return effaces


# ---------------------------------------------------------------- pièces attendues


class Etape(models.TextChoices):
    ENREGISTREMENT = "enregistrement", "Enregistrement de la demande"
    INSTRUCTION = "instruction", "Instruction de la demande (avant la CALEOL)"


class Niveau(models.TextChoices):
    OBLIGATOIRE = "obligatoire", "Obligatoire"
    ENCOURAGEE = "encouragee", "Encouragée"
    COMPLEMENTAIRE = "complementaire", "Peut être demandée"


ORDRE_NIVEAUX = {Niveau.OBLIGATOIRE: 0, Niveau.ENCOURAGEE: 1, Niveau.COMPLEMENTAIRE: 2}
AGE_MAJORITE = 18

# Pièces complémentaires qui éclairent un motif de la demande (seed 001 §2, liste complémentaire).
COMPLEMENTAIRES_PAR_MOTIF = {
    choix.Motif.LOGEMENT_REPRIS: TypePiece.CONGE_VENTE,
    choix.Motif.LOGEMENT_INDIGNE: TypePiece.ARRETE_INSALUBRITE,
    choix.Motif.PROCEDURE_EXPULSION: TypePiece.JUGEMENT_EXPULSION,
    choix.Motif.REGROUPEMENT_FAMILIAL: TypePiece.REGROUPEMENT_FAMILIAL,
    choix.Motif.SANTE: TypePiece.CERTIFICAT_MEDICAL,
    choix.Motif.HANDICAP: TypePiece.NOTIFICATION_MDPH,
}


@dataclass(frozen=True)
class PieceAttendue:
    type: str
    niveau: str
    raison: str
    personne: Personne | None = None

    @property
    def libelle(self) -> str:
        texte = TypePiece(self.type).label
        if self.personne is not None:
            texte += f" – {self.personne.prenom} {self.personne.nom.upper()}"
        return texte

    @property
    def niveau_libelle(self) -> str:
        return Niveau(self.niveau).label


def pieces_manquantes(
    demande: Demande,
    *,
    etape: str = Etape.ENREGISTREMENT,
    pieces: list[Piece] | None = None,
    personnes: list[Personne] | None = None,
    le=None,
) -> list[PieceAttendue]:
    """Pièces attendues à cette étape et absentes du dossier (obligatoires d'abord).

    Une pièce déjà présente et valide n'est jamais redemandée, quel que soit
    l'organisme qui l'a déposée (seed 001 §2) : une pièce personnelle
    (identité, avis d'imposition) vaut pour sa personne, une autre pour le
    dossier. Une pièce obsolète ne compte plus.
    """
    if demande.etat not in ETATS_AVEC_PIECES:
        # Demande annulée, satisfaite ou rejetée : plus rien à demander au ménage.
        return []
    le = le or timezone.localdate()
    if pieces is None:
        pieces = list(Piece.objects.filter(demande=demande, etat=Piece.Etat.VALIDE))
    if personnes is None:
        personnes = list(Personne.objects.filter(demande=demande).order_by("rang", "id"))
    presentes = {(p.type, p.personne_id) for p in pieces if p.etat == Piece.Etat.VALIDE}
    types_presents = {t for t, _ in presentes}

    demandeur = next((p for p in personnes if p.role == choix.Role.DEMANDEUR), None)
    majeurs = [p for p in personnes if p.date_naissance and calculs.age(p.date_naissance, le) >= AGE_MAJORITE]
    instruction = etape == Etape.INSTRUCTION
    attendues: list[PieceAttendue] = []

    if demandeur is not None:
        attendues.append(
            PieceAttendue(TypePiece.IDENTITE, Niveau.OBLIGATOIRE, "Enregistrement : obligatoire.", demandeur)
        )
    for personne in majeurs:
        if instruction:
            attendues.append(
                PieceAttendue(
                    TypePiece.AVIS_IMPOSITION, Niveau.OBLIGATOIRE, "Instruction : personne majeure.", personne
                )
            )
        else:
            attendues.append(
                PieceAttendue(
                    TypePiece.AVIS_IMPOSITION, Niveau.ENCOURAGEE, "Enregistrement : personne majeure.", personne
                )
            )
    if instruction:
        titulaires = [p for p in personnes if p.role in calculs.ROLES_ADULTES_TITULAIRES]
        separes = any(
            p.situation_familiale in (choix.SituationFamiliale.DIVORCE, choix.SituationFamiliale.SEPARE)
            for p in titulaires
        )
        if separes or choix.Motif.DIVORCE in (demande.motifs or []):
            attendues.append(
                PieceAttendue(TypePiece.DIVORCE, Niveau.OBLIGATOIRE, "Instruction : divorce ou séparation déclaré.")
            )
        for motif in demande.motifs or []:
            type_piece = COMPLEMENTAIRES_PAR_MOTIF.get(motif)
            if type_piece:
                attendues.append(
                    PieceAttendue(
                        type_piece, Niveau.COMPLEMENTAIRE, f"Motif de la demande : {choix.Motif(motif).label}."
                    )
                )

    manquantes, vues = [], set()
    for attendue in attendues:
        if attendue.type in choix.PIECES_PERSONNELLES:
            cle = (attendue.type, attendue.personne.pk if attendue.personne else None)
            presente = cle in presentes
        else:
            cle = (attendue.type, None)
            presente = attendue.type in types_presents
        if presente or cle in vues:
            continue
        vues.add(cle)
        manquantes.append(attendue)
    manquantes.sort(key=lambda a: ORDRE_NIVEAUX[a.niveau])
    return manquantes


def sans_piece_identite(demandes):
    """Les demandes de ``demandes`` (QuerySet) sans pièce d'identité valide du demandeur : la pièce obligatoire
    de l'enregistrement (``pieces_manquantes``), file « pièces manquantes » de l'accueil."""
    identite = Piece.objects.filter(
        demande=OuterRef("pk"),
        type=TypePiece.IDENTITE,
        etat=Piece.Etat.VALIDE,
        personne__role=choix.Role.DEMANDEUR,
    )
    return demandes.filter(~Exists(identite))
