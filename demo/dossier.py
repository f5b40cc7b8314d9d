"""Démonstration du dossier : labels réalistes et demandes en ligne à valider (``manage.py demo``).

Appelé par ``manage.py demo`` après ``demo.demandes`` (le générateur). Idempotent : les
contingents communaux ne sont créés qu'une fois, les labels de démonstration
ne sont posés que si aucun label manuel n'existe, et la file en ligne n'est
complétée que jusqu'à ``--demandes-en-ligne`` demandes à valider (défaut 10).
Les labels passent par les services (droits, historique), au nom des comptes
de démonstration de la DDETS, d'Action Logement et de la Ville de Rezé.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from demandes.dossier.choix import TypePiece
from demandes.dossier.saisie import Dossier, PersonneSaisie
from demandes.en_ligne import services as en_ligne
from demandes.labels import services as labels
from demandes.models import Demande, Label, LocalisationSouhaitee, Personne, Ressource, TypeLabel
from demandes.pieces import services as pieces
from fdls.organismes.models import Guichet, Organisme
from fdls.socle.workflow import Auteur
from fdls.territoires.models import Commune

EN_LIGNE_PAR_DEFAUT = 10

# (compte de démonstration, code du label ou None pour le contingent de l'organisme, nombre de demandes)
LABELS_DEMO = [
    ("reservataire@demo.fdls.fr", "cp-dalo", 25),
    ("reservataire@demo.fdls.fr", "cp-violences-conjugales", 8),
    ("reservataire@demo.fdls.fr", "cp-sortant-hebergement", 15),
    ("reservataire@demo.fdls.fr", "cp-refugies", 10),
    ("reservataire@demo.fdls.fr", "cp-fonctionnaires", 12),
    ("reservataire@demo.fdls.fr", "cil-nm-ctg-prefectoral", 20),
    ("action-logement@demo.fdls.fr", "eligibilite-als", 40),
    ("commune@demo.fdls.fr", None, 15),
]

PRENOMS = ["Inès", "Karim", "Sophie", "Mamadou", "Julie", "Yanis", "Chloé", "Thomas", "Aïcha", "Lucas", "Emma"]
NOMS = ["Bernard", "Diallo", "Lemoine", "Nguyen", "Perrin", "Haddad", "Guérin", "Moreau", "Traoré", "Roussel"]
COMMUNES_EN_LIGNE = [
    "44109",
    "44143",
    "44162",
    "44190",
    "44035",
]  # Nantes, Rezé, Saint-Herblain, St-Sébastien, Carquefou


def ajouter_arguments(groupe_parser) -> None:
    groupe_parser.add_argument(
        "--demandes-en-ligne",
        type=int,
        default=EN_LIGNE_PAR_DEFAUT,
        metavar="N",
        help=f"Demandes en ligne à valider dans la file du guichet de démonstration (défaut {EN_LIGNE_PAR_DEFAUT}).",
    )


def construire(options, stdout) -> None:
    # Sans l'option (appel direct, tests du générateur), rien n'est ajouté.
    vise = options.get("demandes_en_ligne")
    if vise is None:
        return
    crees = labels.creer_contingents_communaux()
    poses = _poser_labels_demo()
    auto = labels.recalculer_labels_automatiques_fichier()
    deposees = _deposer_en_ligne(vise)
    stdout.write(
        f"Labels : {crees} contingents communaux créés, {poses} labels posés, {auto.poses} labels automatiques ; "
        f"demandes en ligne : {deposees} déposées à valider."
    )


def _poser_labels_demo() -> int:
    if Label.objects.exclude(auteur=None).exists():
        return 0
    Utilisateur = get_user_model()
    aleatoire = random.Random(44)
    actives = list(
        Demande.objects.filter(etat=Demande.Etat.ACTIVE, departement_id="44")
        .order_by("id")
        .values_list("id", flat=True)[:3000]
    )
    if not actives:
        return 0
    poses = 0
    for email, code, nombre in LABELS_DEMO:
        user = Utilisateur.objects.filter(email=email).select_related("organisme").first()
        if user is None:
            continue
        type_label = (
            TypeLabel.objects.filter(code=code).first()
            if code
            else TypeLabel.objects.filter(organisme_proprietaire=user.organisme).first()
        )
        if type_label is None:
            continue
        candidates = Demande.objects.visibles_par(user).filter(pk__in=aleatoire.sample(actives, min(len(actives), 400)))
        for demande in candidates[:nombre]:
            depuis = demande.date_depot or timezone.localdate()
            jours = max(0, (timezone.localdate() - depuis).days)
            try:
                labels.poser_label(
                    demande,
                    type_label,
                    user=user,
                    date_pose=depuis + datetime.timedelta(days=aleatoire.randint(0, jours)),
                )
            except Exception:  # noqa: BLE001 — une demande déjà labellisée : on passe à la suivante
                continue
            poses += 1
    # Quelques retraits, pour que l'historique des labels retirés se voie.
    ddets = Utilisateur.objects.filter(email="reservataire@demo.fdls.fr").first()
    if ddets:
        for label in Label.objects.filter(type__code="cp-sortant-hebergement", date_retrait=None).order_by("id")[:3]:
            labels.retirer_label(label, user=ddets, motif="Relogé en résidence sociale (sortie du dispositif).")
    return poses


def _deposer_en_ligne(vise: int) -> int:
    deja = Demande.objects.filter(etat=Demande.Etat.A_VALIDER).count()
    if deja >= vise:
        return 0
    communes = list(Commune.objects.filter(code_insee__in=COMMUNES_EN_LIGNE))
    if not communes or not Guichet.objects.filter(organisme__type=Organisme.Type.ADIL).exists():
        return 0
    aleatoire = random.Random(1000 + deja)
    aujourd_hui = timezone.localdate()
    deposees = 0
    for i in range(vise - deja):
        prenom, nom = aleatoire.choice(PRENOMS), aleatoire.choice(NOMS)
        naissance = datetime.date(aleatoire.randint(1960, 2003), aleatoire.randint(1, 12), aleatoire.randint(1, 28))
        demande = Demande(
            typologies=[aleatoire.choice(["T2", "T3", "T4"])],
            statut_occupation=aleatoire.choice(["locataire_prive", "heberge_famille", "locataire_hlm"]),
            motifs=[aleatoire.choice(["trop_cher", "trop_petit", "divorce"])],
            email=f"{prenom.lower()}.{nom.lower()}{i}@exemple.fr".replace("è", "e").replace("é", "e").replace("ï", "i"),
            ville="Nantes",
            code_postal="44000",
        )
        demandeur = Personne(
            role="demandeur",
            nom=nom,
            prenom=prenom,
            date_naissance=naissance,
            nationalite=aleatoire.choice(["francaise", "francaise", "ue", "hors_ue"]),
            situation_familiale="celibataire",
            activite="salarie_prive",
        )
        salaire = Decimal(aleatoire.randrange(600, 2400, 10))
        choix_communes = aleatoire.sample(communes, k=min(2, len(communes)))
        dossier = Dossier(
            demande=demande,
            personnes=[PersonneSaisie(demandeur, [Ressource(type="salaire", montant=salaire)])],
            localisations=[LocalisationSouhaitee(commune=c) for c in choix_communes],
        )
        auteur = Auteur(libelle="Le demandeur (dépôt en ligne)")
        deposee = en_ligne.deposer_en_ligne(
            dossier, auteur=auteur, le=aujourd_hui - datetime.timedelta(days=aleatoire.randint(0, 6))
        )
        # La pièce d'identité est exigée pour valider (seed 001 §2) : le demandeur l'a jointe à son dépôt.
        pieces.deposer_piece(demande=deposee, type=TypePiece.IDENTITE, fichier=_piece_identite(), auteur=auteur)
        deposees += 1
    return deposees


def _piece_identite() -> SimpleUploadedFile:
    """Une pièce d'identité de démonstration : un vrai PDF d'une page (A4), accepté par le contrôle des pièces."""
    redacteur = PdfWriter()
    redacteur.add_blank_page(595, 842)
    contenu = io.BytesIO()
    redacteur.write(contenu)
    return SimpleUploadedFile("carte-identite.pdf", contenu.getvalue(), content_type="application/pdf")
