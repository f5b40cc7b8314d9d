"""Analyse d'un fichier de parc (CSV ou XLSX) : lecture, conversion et contrôle de chaque ligne.

Le fichier est analysé entièrement : chaque ligne est lue, convertie et
vérifiée avec les mêmes bornes et règles que les écrans et l'API
(``offre.models``). L'écriture est dans ``services`` (et ``ecriture_sql``).
Les colonnes sont documentées dans docs/offre.md et sur la page d'import
(``COLONNES``).
"""

from __future__ import annotations

import csv
import io
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from django.conf import settings
from django.utils import timezone

from fdls.organismes.models import Organisme
from fdls.territoires.models import Commune, Quartier
from offre.models import (
    ANNEE_MIN,
    CHARGES_MAX,
    ETAGE_MAX,
    ETAGE_MIN,
    LOYER_MAX,
    SURFACE_MAX,
    SURFACE_MIN,
    TYPES_RESERVATAIRES,
    Accessibilite,
    Categorie,
    ClasseDpe,
    Financement,
    Label,
    Logement,
    Nature,
    Programme,
    Typologie,
    verifier_logement,
)

MAX_OCTETS = 40 * 1024 * 1024
MAX_LIGNES = 200_000
MAX_DECOMPRESSE = 500 * 1024 * 1024  # garde-fou contre une « bombe » ZIP
# Une feuille Excel compte au plus 16 384 colonnes (A … XFD) et 1 048 576 lignes ; une référence de cellule
# au-delà (« ZZZZZZ2 ») est malformée : le fichier est illisible, sans rien allouer.
MAX_COLONNES_XLSX = 16_384
MAX_LIGNES_XLSX = 1_048_576
REFERENCE_CELLULE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
# Coût mémoire estimé d'une ligne valide retenue jusqu'à l'écriture (deux dictionnaires d'une vingtaine de
# valeurs ; mesuré par tracemalloc sur 5 000 lignes : 1,53 ko) et d'un texte partagé (en plus de sa longueur).
OCTETS_PAR_LIGNE_VALIDE = 1_600
OCTETS_PAR_TEXTE_PARTAGE = 60


@dataclass(frozen=True)
class Colonne:
    nom: str
    obligatoire: bool
    description: str
    exemple: str


COLONNES = [
    Colonne(
        "code_programme", True, "Code du programme chez le bailleur (lettres sans accent, chiffres, . _ / -).", "0629"
    ),
    Colonne("nom_programme", True, "Nom de la résidence, identique sur toutes les lignes du programme.", "KALLIMA 2"),
    Colonne("adresse", False, "Numéro et voie.", "2 rue d'Allonville"),
    Colonne("code_insee", True, "Code INSEE de la commune (5 caractères).", "44109"),
    Colonne("quartier", False, "Nom du quartier tel qu'au référentiel (un QPV le rend « en QPV »).", "Malakoff"),
    Colonne("qpv", False, "oui / non ; ignoré si le quartier est renseigné (déduit du quartier).", "non"),
    Colonne("annee_construction", False, f"Année de construction ou de mise en service (≥ {ANNEE_MIN}).", "1998"),
    Colonne(
        "code_logement",
        True,
        "Code du logement dans le programme ; avec le code programme, il identifie la ligne.",
        "0013",
    ),
    Colonne("typologie", True, "chambre, T1 (ou studio), T2, T3, T4, T5, T6 (6 pièces et plus).", "T3"),
    Colonne("categorie", True, "appartement ou maison.", "appartement"),
    Colonne("nature", False, "simple (par défaut) ou parking (logement avec parking).", "simple"),
    Colonne(
        "surface",
        True,
        f"Surface habitable en m², de {SURFACE_MIN} à {SURFACE_MAX} (virgule décimale acceptée).",
        "68,5",
    ),
    Colonne(
        "etage",
        False,
        f"Étage, de {ETAGE_MIN} à {ETAGE_MAX} ; 0 = rez-de-chaussée (par défaut). Une maison est à 0.",
        "3",
    ),
    Colonne("ascenseur", False, "oui / non (par défaut non).", "oui"),
    Colonne("accessibilite", False, "vide (non accessible), 1 ou accessible, 2 ou adaptable, 3 ou adapté.", "1"),
    Colonne(
        "loyer", True, f"Loyer mensuel hors charges en euros (au plus {LOYER_MAX} € et entre 1,5 et 35 €/m²).", "412,30"
    ),
    Colonne("charges", False, f"Charges mensuelles en euros, de 0 (par défaut) à {CHARGES_MAX} €.", "85"),
    Colonne("financement", True, "PLAI, PLUS, PLS ou PLI.", "PLUS"),
    Colonne(
        "reservataire",
        False,
        "Réservataire initial : nom ou sigle d'un partenaire (État, Action Logement, collectivité) ; "
        "vide = non réservé.",
        "DDETS 44",
    ),
    Colonne("dpe", False, "Classe DPE, de A à G.", "C"),
    Colonne("loyer_accessible", False, "oui / non (par défaut non).", "non"),
    Colonne("labels", False, "Offre spécifique, séparée par « | » : ASV, ELAN-30.", "ASV"),
]
NOMS_COLONNES = {c.nom for c in COLONNES}
ALIAS = {
    "commune": "code_insee",
    "insee": "code_insee",
    "code_commune": "code_insee",
    "programme": "code_programme",
    "nom_residence": "nom_programme",
    "residence": "nom_programme",
    "logement": "code_logement",
    "annee": "annee_construction",
    "loyer_hors_charges": "loyer",
    "loyer_hc": "loyer",
    "classe_dpe": "dpe",
    "offre_specifique": "labels",
    "label": "labels",
    "reservataire_initial": "reservataire",
    "niveau_accessibilite": "accessibilite",
    "categorie_de_logement": "categorie",
}


class ErreurValeur(Exception):
    pass


class FichierIllisible(Exception):
    pass


class Budget:
    """Budget de temps et de mémoire d'une analyse (``FDLS_IMPORT_DUREE_MAX_S``, ``FDLS_IMPORT_MEMOIRE_MAX_MO``).

    La mémoire comptée est celle que l'analyse **retient** (textes partagés du classeur, lignes valides
    gardées pour l'écriture) ; une ligne lue puis jetée ne compte pas. Au-delà, ``FichierIllisible`` avec un
    message qui dit de découper le fichier : rien n'est importé.
    """

    def __init__(self, *, secondes: float | None = None, octets: int | None = None):
        self.secondes = settings.FDLS_IMPORT_DUREE_MAX_S if secondes is None else secondes
        self.octets_max = settings.FDLS_IMPORT_MEMOIRE_MAX_MO * 1024 * 1024 if octets is None else octets
        self.fin = time.monotonic() + self.secondes
        self.octets = 0

    def verifier_temps(self) -> None:
        if time.monotonic() > self.fin:
            raise FichierIllisible(
                f"L'analyse du fichier dépasse le temps permis ({self.secondes:g} s) : "
                "découpez-le en plusieurs fichiers plus petits."
            )

    def retenir(self, octets: int) -> None:
        self.octets += octets
        if self.octets > self.octets_max:
            raise FichierIllisible(
                f"L'analyse du fichier demande plus de mémoire que permis ({self.octets_max // (1024 * 1024)} Mo) : "
                "découpez-le en plusieurs fichiers plus petits."
            )


def normaliser(texte: str) -> str:
    """Minuscules sans accents ni espaces superflus : « Adapté » → « adapte »."""
    texte = unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", texte).strip().lower()


def _nom_colonne(entete) -> str:
    nom = re.sub(r"[\s\-]+", "_", normaliser(entete or "").replace("*", "").replace("(obligatoire)", "").strip())
    return ALIAS.get(nom, nom)


# --- Lecture du fichier ---------------------------------------------------


def lire_contenu(fichier) -> bytes:
    """Contenu d'un fichier téléversé, borné à ``MAX_OCTETS``."""
    morceaux, taille = [], 0
    for morceau in fichier.chunks() if hasattr(fichier, "chunks") else iter(lambda: fichier.read(1 << 20), b""):
        taille += len(morceau)
        if taille > MAX_OCTETS:
            raise FichierIllisible(f"Le fichier dépasse {MAX_OCTETS // (1024 * 1024)} Mo : découpez-le.")
        morceaux.append(morceau)
    return b"".join(morceaux)


def lire_tableau(contenu: bytes, budget: Budget | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """En-têtes et lignes d'un CSV (UTF-8 ou Windows-1252, « ; » « , » ou tabulation)
    ou de la première feuille d'un XLSX — reconnus à leur contenu, pas à l'extension.

    Les lignes d'un XLSX sont coupées à la largeur des en-têtes (cellules au-delà ignorées) ; une référence
    de cellule, un index de texte partagé ou un XML malformés lèvent ``FichierIllisible``, même en cours de
    lecture des lignes."""
    budget = budget or Budget()
    if not contenu.strip():
        raise FichierIllisible("Le fichier est vide.")
    if contenu[:4] == b"PK\x03\x04":
        return _lire_xlsx(contenu, budget)
    if contenu[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FichierIllisible(
            "Format Excel 97-2003 (.xls) non pris en charge : enregistrez le fichier en .xlsx ou en CSV."
        )
    if b"\x00" in contenu[:4096]:
        raise FichierIllisible("Ce fichier n'est ni un CSV ni un classeur XLSX.")
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        texte = contenu.decode("cp1252", errors="replace")
    premiere = texte.split("\n", 1)[0]
    separateur = max([";", ",", "\t"], key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    entetes = next(lecteur, [])
    return entetes, ([c.strip() for c in ligne] for ligne in lecteur)


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _lire_xlsx(contenu: bytes, budget: Budget):
    """Première feuille d'un classeur XLSX, lue en flux (ElementTree.iterparse).

    openpyxl, même en lecture seule, lit 100 000 lignes de 22 colonnes en une
    trentaine de secondes ; ce lecteur, qui ne comprend que les valeurs des
    cellules (texte partagé ou en ligne, nombres, booléens), près de trois fois
    plus vite (docs/benchmarks.md, « Offre »).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        noms = set(archive.namelist())
        if "xl/workbook.xml" not in noms:
            raise FichierIllisible("Cette archive n'est pas un classeur XLSX.")
        if sum(info.file_size for info in archive.infolist()) > MAX_DECOMPRESSE:
            raise FichierIllisible("Le classeur XLSX décompressé est trop volumineux : découpez-le.")
        feuille = _premiere_feuille(archive, noms)
        partages = _textes_partages(archive, budget) if "xl/sharedStrings.xml" in noms else []
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError) as erreur:
        raise FichierIllisible("Le classeur XLSX est illisible ou endommagé.") from erreur
    largeur = [MAX_COLONNES_XLSX]
    lignes = _lignes_sures(_lignes_xlsx(archive, feuille, partages, largeur, budget))
    entetes = next(lignes, [])
    while entetes and not entetes[-1]:
        entetes.pop()
    # Les lignes suivantes sont coupées à la largeur des en-têtes : une cellule posée en colonne XFD
    # n'allonge pas chaque ligne de 16 384 cases.
    largeur[0] = len(entetes)
    return entetes, lignes


def _lignes_sures(lignes: Iterator[list[str]]) -> Iterator[list[str]]:
    """Les lignes du classeur ; une erreur de lecture en cours de route devient ``FichierIllisible``."""
    try:
        yield from lignes
    except (zipfile.BadZipFile, OSError, ElementTree.ParseError, EOFError) as erreur:
        raise FichierIllisible("Le classeur XLSX est illisible ou endommagé.") from erreur


def _premiere_feuille(archive, noms) -> str:
    classeur = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    premiere = classeur.find(f"{NS}sheets/{NS}sheet")
    if premiere is None:
        raise FichierIllisible("Le classeur XLSX ne contient aucune feuille.")
    cible = "xl/worksheets/sheet1.xml"
    if "xl/_rels/workbook.xml.rels" in noms:
        rid = premiere.get(f"{NS_REL}id")
        liens = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for lien in liens:
            if lien.get("Id") == rid:
                cible = lien.get("Target", "").lstrip("/")
                cible = cible if cible.startswith("xl/") else f"xl/{cible}"
    if cible not in noms:
        raise FichierIllisible("Le classeur XLSX est illisible ou endommagé.")
    return cible


def _textes_partages(archive, budget: Budget) -> list[str]:
    textes = []
    with archive.open("xl/sharedStrings.xml") as flux:
        for _evenement, element in ElementTree.iterparse(flux):
            if element.tag == f"{NS}si":
                texte = "".join(t.text or "" for t in element.iter(f"{NS}t"))
                textes.append(texte)
                element.clear()
                budget.retenir(sys.getsizeof(texte) + OCTETS_PAR_TEXTE_PARTAGE)
                if len(textes) % 1000 == 0:
                    budget.verifier_temps()
    return textes


def _colonne(reference: str) -> int:
    """Rang (à partir de 0) de la colonne d'une référence « B12 » ; ``FichierIllisible`` si elle est malformée
    ou hors d'une feuille Excel (au plus XFD1048576)."""
    correspondance = REFERENCE_CELLULE.fullmatch(reference)
    if correspondance is None:
        raise FichierIllisible(f"Le classeur XLSX est illisible : référence de cellule « {reference[:20]} » malformée.")
    rang = 0
    for caractere in correspondance.group(1):
        rang = rang * 26 + ord(caractere) - 64
    if rang > MAX_COLONNES_XLSX or int(correspondance.group(2)) > MAX_LIGNES_XLSX:
        raise FichierIllisible(
            f"Le classeur XLSX est illisible : la cellule « {reference[:20]} » est hors des limites d'une feuille "
            f"(au plus {MAX_COLONNES_XLSX} colonnes et {MAX_LIGNES_XLSX} lignes)."
        )
    return rang - 1


def _texte_partage(partages: list[str], index: str) -> str:
    if not index.isdigit() or int(index) >= len(partages):
        raise FichierIllisible(f"Le classeur XLSX est illisible : texte partagé n° « {index[:20]} » introuvable.")
    return partages[int(index)]


def _lignes_xlsx(archive, feuille: str, partages: list[str], largeur: list[int], budget: Budget) -> Iterator[list[str]]:
    """Lignes de la feuille, chacune coupée à ``largeur[0]`` cellules (l'appelant la règle après les en-têtes)."""
    with archive.open(feuille) as flux:
        for _evenement, element in ElementTree.iterparse(flux):
            if element.tag != f"{NS}row":
                continue
            budget.verifier_temps()
            cellules: list[str] = []
            for cellule in element.iter(f"{NS}c"):
                reference = cellule.get("r")
                rang = _colonne(reference) if reference else len(cellules)
                if rang >= largeur[0]:
                    continue  # au-delà des colonnes connues : ignorée
                type_ = cellule.get("t")
                if type_ == "inlineStr":
                    valeur = "".join(t.text or "" for t in cellule.iter(f"{NS}t"))
                else:
                    v = cellule.find(f"{NS}v")
                    valeur = "" if v is None or v.text is None else v.text
                    if type_ == "s" and valeur:
                        valeur = _texte_partage(partages, valeur.strip())
                    elif type_ in (None, "n") and valeur:
                        valeur = _nombre(valeur)
                if rang >= len(cellules):
                    cellules.extend([""] * (rang - len(cellules)))
                    cellules.append(valeur.strip())
                else:
                    cellules[rang] = valeur.strip()
            element.clear()
            yield cellules


def _nombre(texte: str) -> str:
    """« 1998.0 » → « 1998 » ; « 412.30000000000001 » → « 412.3 » (flottant d'Excel)."""
    try:
        nombre = float(texte)
    except ValueError:
        return texte
    return str(int(nombre)) if nombre.is_integer() else repr(round(nombre, 6))


# --- Conversion des valeurs -------------------------------------------------

OUI = {"oui", "o", "1", "vrai", "x", "true", "yes", "y"}
NON = {"non", "n", "0", "faux", "false", "no", ""}
TYPOLOGIES = {
    **{normaliser(t): t for t in Typologie.values},
    **{normaliser(label): value for value, label in Typologie.choices},
    "colocation": Typologie.CHAMBRE,
    "studio": Typologie.T1,
    "t1 bis": Typologie.T1,
    "1": Typologie.T1,
    "2": Typologie.T2,
    "3": Typologie.T3,
    "4": Typologie.T4,
    "5": Typologie.T5,
    "6": Typologie.T6,
    "6+": Typologie.T6,
    "t6+": Typologie.T6,
    "t7": Typologie.T6,
    "7": Typologie.T6,
}
CATEGORIES = {"appartement": Categorie.APPARTEMENT, "appart": Categorie.APPARTEMENT, "collectif": Categorie.APPARTEMENT}
CATEGORIES |= {"maison": Categorie.MAISON, "individuel": Categorie.MAISON}
NATURES = {"": Nature.SIMPLE, "simple": Nature.SIMPLE, "logement simple": Nature.SIMPLE}
NATURES |= {"parking": Nature.PARKING, "avec parking": Nature.PARKING, "logement avec parking": Nature.PARKING}
ACCESSIBILITES = {"": "", "0": "", "non": "", "non accessible": ""}
ACCESSIBILITES |= {"1": Accessibilite.ACCESSIBLE, "accessible": Accessibilite.ACCESSIBLE}
ACCESSIBILITES |= {"2": Accessibilite.ADAPTABLE, "adaptable": Accessibilite.ADAPTABLE}
ACCESSIBILITES |= {"3": Accessibilite.ADAPTE, "adapte": Accessibilite.ADAPTE}
FINANCEMENTS = {normaliser(f): f for f in Financement.values} | {"pla-i": Financement.PLAI}
LABELS = {"asv": Label.ASV, "elan-30": Label.ELAN_30, "elan 30": Label.ELAN_30, "elan30": Label.ELAN_30}
LABELS |= {"elan-30 ans": Label.ELAN_30, "elan - 30 ans": Label.ELAN_30, "elan 30 ans": Label.ELAN_30}


def _choix(valeur: str, table: dict, attendu: str):
    cle = normaliser(valeur)
    if cle not in table:
        raise ErreurValeur(f"« {valeur} » n'est pas admis : {attendu}.")
    return table[cle]


def _booleen(valeur: str) -> bool:
    cle = normaliser(valeur)
    if cle in OUI:
        return True
    if cle in NON:
        return False
    raise ErreurValeur(f"« {valeur} » n'est pas admis : oui ou non.")


def _decimal(valeur: str, minimum: Decimal, maximum: Decimal, unite: str, decimales: int = 2) -> Decimal:
    texte = re.sub(r"[\s\u00a0\u202f€]", "", valeur).replace(",", ".")
    try:
        nombre = Decimal(texte)
    except InvalidOperation:
        raise ErreurValeur(f"« {valeur} » n'est pas un nombre.") from None
    if not nombre.is_finite():
        raise ErreurValeur(f"« {valeur} » n'est pas un nombre.")
    if nombre < minimum or nombre > maximum:
        raise ErreurValeur(f"{valeur} {unite} est hors des bornes admises ({minimum} à {maximum} {unite}).")
    return nombre.quantize(Decimal(1).scaleb(-decimales))


def _entier(valeur: str, minimum: int, maximum: int) -> int:
    try:
        nombre = int(valeur.strip())
    except ValueError:
        raise ErreurValeur(f"« {valeur} » n'est pas un nombre entier.") from None
    if not minimum <= nombre <= maximum:
        raise ErreurValeur(f"{nombre} est hors des bornes admises ({minimum} à {maximum}).")
    return nombre


_CHAMP_CODE = {"programme": Programme._meta.get_field("code"), "logement": Logement._meta.get_field("code")}
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")


def _code(valeur: str, quoi: str) -> str:
    maximum = _CHAMP_CODE[quoi].max_length
    if len(valeur) > maximum:
        raise ErreurValeur(f"Le code dépasse {maximum} caractères.")
    if not _CODE.match(valeur):
        raise ErreurValeur(f"Code « {valeur} » invalide : chiffres, lettres sans accent, « . », « _ », « / » ou « - ».")
    return valeur


def _texte(valeur: str, modele, nom: str) -> str:
    maximum = modele._meta.get_field(nom).max_length
    if len(valeur) > maximum:
        raise ErreurValeur(f"Le texte dépasse {maximum} caractères.")
    return valeur


# --- Analyse ----------------------------------------------------------------


@dataclass
class LigneValide:
    numero: int
    programme: dict
    logement: dict


@dataclass
class Analyse:
    nb_lignes: int = 0
    valides: list[LigneValide] = field(default_factory=list)
    erreurs: list[dict] = field(default_factory=list)
    lignes_en_erreur: int = 0
    fatale: bool = False
    avertissements: list[str] = field(default_factory=list)

    def erreur(self, ligne: int | None, colonne: str, message: str) -> None:
        self.erreurs.append({"ligne": ligne, "colonne": colonne, "message": message})


class _Referentiels:
    """Tables de correspondance chargées une fois par import (quelques requêtes)."""

    def __init__(self):
        self.communes = dict(Commune.objects.values_list("code_insee", "departement_id"))
        self.quartiers = {
            (commune, normaliser(nom)): (pk, qpv)
            for pk, commune, nom, qpv in Quartier.objects.values_list("pk", "commune_id", "nom", "qpv")
        }
        self.reservataires = {}
        for pk, nom, sigle in Organisme.objects.filter(type__in=TYPES_RESERVATAIRES, actif=True).values_list(
            "pk", "nom", "sigle"
        ):
            self.reservataires[normaliser(nom)] = pk
            if sigle:
                self.reservataires.setdefault(normaliser(sigle), pk)


def analyser(contenu: bytes, budget: Budget | None = None) -> Analyse:
    """Lit et vérifie toutes les lignes, dans le budget de temps et de mémoire ; n'écrit rien.

    Un fichier illisible, même découvert en cours de lecture, ou un budget dépassé rendent une analyse
    « fatale » d'une seule erreur, sans ligne valide : rien ne sera importé."""
    budget = budget or Budget()
    try:
        return _analyser(contenu, budget)
    except FichierIllisible as erreur:
        analyse = Analyse(fatale=True)
        analyse.erreur(None, "", str(erreur))
        return analyse


def _analyser(contenu: bytes, budget: Budget) -> Analyse:
    analyse = Analyse()
    entetes, lignes = lire_tableau(contenu, budget)
    noms = [_nom_colonne(e) for e in entetes]
    manquantes = [c.nom for c in COLONNES if c.obligatoire and c.nom not in noms]
    if manquantes:
        analyse.fatale = True
        analyse.erreur(
            1,
            "",
            f"Colonne{'s' if len(manquantes) > 1 else ''} obligatoire{'s' if len(manquantes) > 1 else ''} "
            f"absente{'s' if len(manquantes) > 1 else ''} de la première ligne : {', '.join(manquantes)}.",
        )
        return analyse
    doublons = sorted({n for n in noms if n and noms.count(n) > 1})
    if doublons:
        analyse.fatale = True
        analyse.erreur(1, "", f"Colonne en double dans la première ligne : {', '.join(doublons)}.")
        return analyse
    inconnues = [e for e, n in zip(entetes, noms, strict=True) if n and n not in NOMS_COLONNES]
    if inconnues:
        analyse.avertissements.append(f"Colonnes ignorées (inconnues) : {', '.join(inconnues)}.")
    index = {n: i for i, n in enumerate(noms) if n in NOMS_COLONNES}
    referentiels = _Referentiels()
    programmes: dict[str, tuple[int, dict]] = {}
    vus: dict[tuple[str, str], int] = {}
    numero = 1
    for numero, cellules in enumerate(lignes, start=2):
        budget.verifier_temps()
        if not any(cellules):
            continue
        analyse.nb_lignes += 1
        if analyse.nb_lignes > MAX_LIGNES:
            analyse.fatale = True
            analyse.erreur(None, "", f"Le fichier dépasse {MAX_LIGNES} lignes : découpez-le.")
            return analyse
        valeurs = {nom: (cellules[i] if i < len(cellules) else "") for nom, i in index.items()}
        erreurs_avant = len(analyse.erreurs)
        ligne = _analyser_ligne(numero, valeurs, referentiels, analyse)
        if ligne is not None:
            cle = (ligne.programme["code"], ligne.logement["code"])
            if cle in vus:
                analyse.erreur(numero, "code_logement", f"Logement en double : déjà présent ligne {vus[cle]}.")
                ligne = None
            else:
                vus[cle] = numero
        if ligne is not None:
            deja = programmes.get(ligne.programme["code"])
            if deja is None:
                programmes[ligne.programme["code"]] = (numero, ligne.programme)
            else:
                for nom, colonne in COLONNE_DU_PROGRAMME.items():
                    if deja[1][nom] != ligne.programme[nom]:
                        analyse.erreur(
                            numero,
                            colonne,
                            f"Le programme {ligne.programme['code']} est décrit autrement ligne {deja[0]} "
                            f"(« {_affichable(deja[1][nom])} ») : "
                            "une résidence a les mêmes données sur toutes ses lignes.",
                        )
                        ligne = None
                        break
        if ligne is not None:
            analyse.valides.append(ligne)
            budget.retenir(OCTETS_PAR_LIGNE_VALIDE)
        elif len(analyse.erreurs) > erreurs_avant:
            analyse.lignes_en_erreur += 1
    if analyse.nb_lignes == 0:
        analyse.fatale = True
        analyse.erreur(None, "", "Le fichier ne contient aucune ligne de logement après la ligne d'en-têtes.")
    return analyse


# Champ du programme → colonne du fichier (pour situer une incohérence entre lignes).
COLONNE_DU_PROGRAMME = {
    "nom": "nom_programme",
    "adresse": "adresse",
    "commune_id": "code_insee",
    "quartier_id": "quartier",
    "qpv": "qpv",
    "annee_construction": "annee_construction",
}


def _affichable(valeur) -> str:
    return "" if valeur is None else str(valeur)


def _analyser_ligne(numero: int, v: dict, ref: _Referentiels, analyse: Analyse) -> LigneValide | None:
    programme, logement = {}, {}
    erreurs = False

    def champ(colonne: str, cible: dict, cle: str, conversion, *, obligatoire=False, defaut=None):
        nonlocal erreurs
        brut = v.get(colonne, "")
        if brut == "":
            if obligatoire:
                analyse.erreur(numero, colonne, "Valeur obligatoire manquante.")
                erreurs = True
                return
            cible[cle] = defaut
            return
        try:
            cible[cle] = conversion(brut)
        except ErreurValeur as erreur:
            analyse.erreur(numero, colonne, str(erreur))
            erreurs = True

    champ("code_programme", programme, "code", lambda x: _code(x, "programme"), obligatoire=True)
    champ("nom_programme", programme, "nom", lambda x: _texte(x, Programme, "nom"), obligatoire=True)
    champ("adresse", programme, "adresse", lambda x: _texte(x, Programme, "adresse"), defaut="")
    champ("code_insee", programme, "commune_id", lambda x: _commune(x, ref), obligatoire=True)
    champ("annee_construction", programme, "annee_construction", lambda x: _annee(x))
    qpv_declare = {}
    champ("qpv", qpv_declare, "qpv", _booleen, defaut=False)
    programme["quartier_id"] = None
    programme["qpv"] = qpv_declare.get("qpv", False)
    if v.get("quartier") and programme.get("commune_id"):
        trouve = ref.quartiers.get((programme["commune_id"], normaliser(v["quartier"])))
        if trouve is None:
            connus = sorted(nom for (commune, nom) in ref.quartiers if commune == programme["commune_id"])
            aide = (
                f" (quartiers connus : {', '.join(connus)})" if connus else " (aucun quartier connu dans cette commune)"
            )
            analyse.erreur(numero, "quartier", f"Quartier inconnu dans la commune {programme['commune_id']}{aide}.")
            erreurs = True
        else:
            programme["quartier_id"], programme["qpv"] = trouve
    if programme.get("commune_id"):
        programme["departement_id"] = ref.communes[programme["commune_id"]]

    champ("code_logement", logement, "code", lambda x: _code(x, "logement"), obligatoire=True)
    attendu_typo = "chambre, T1 (studio), T2, T3, T4, T5 ou T6"
    champ("typologie", logement, "typologie", lambda x: _choix(x, TYPOLOGIES, attendu_typo), obligatoire=True)
    champ(
        "categorie", logement, "categorie", lambda x: _choix(x, CATEGORIES, "appartement ou maison"), obligatoire=True
    )
    champ("nature", logement, "nature", lambda x: _choix(x, NATURES, "simple ou parking"), defaut=Nature.SIMPLE)
    champ("surface", logement, "surface", lambda x: _decimal(x, SURFACE_MIN, SURFACE_MAX, "m²", 1), obligatoire=True)
    champ("etage", logement, "etage", lambda x: _entier(x, ETAGE_MIN, ETAGE_MAX), defaut=0)
    champ("ascenseur", logement, "ascenseur", _booleen, defaut=False)
    attendu_acces = "vide, 1 (accessible), 2 (adaptable) ou 3 (adapté)"
    champ("accessibilite", logement, "accessibilite", lambda x: _choix(x, ACCESSIBILITES, attendu_acces), defaut="")
    champ("loyer", logement, "loyer", lambda x: _decimal(x, Decimal("0.01"), LOYER_MAX, "€"), obligatoire=True)
    champ("charges", logement, "charges", lambda x: _decimal(x, Decimal("0"), CHARGES_MAX, "€"), defaut=Decimal("0"))
    champ(
        "financement",
        logement,
        "financement",
        lambda x: _choix(x, FINANCEMENTS, "PLAI, PLUS, PLS ou PLI"),
        obligatoire=True,
    )
    champ("reservataire", logement, "reservataire_id", lambda x: _reservataire(x, ref))
    champ("dpe", logement, "dpe", lambda x: _choix(x, {c.lower(): c for c in ClasseDpe.values}, "A à G"), defaut="")
    champ("loyer_accessible", logement, "loyer_accessible", _booleen, defaut=False)
    champ("labels", logement, "labels", _labels, defaut=[])
    if erreurs:
        return None
    coherence = verifier_logement(
        typologie=logement["typologie"],
        categorie=logement["categorie"],
        surface=logement["surface"],
        etage=logement["etage"],
        loyer=logement["loyer"],
        labels=logement["labels"],
    )
    for nom, message in coherence.items():
        analyse.erreur(numero, nom, message)
    if coherence:
        return None
    return LigneValide(numero=numero, programme=programme, logement=logement)


def _commune(valeur: str, ref: _Referentiels) -> str:
    code = valeur.strip().upper()
    if code.isdigit() and len(code) == 4:
        code = code.zfill(5)  # un tableur a pu retirer le zéro initial
    if code not in ref.communes:
        raise ErreurValeur(f"Commune inconnue : aucun code INSEE « {valeur} » au référentiel.")
    return code


def _annee(valeur: str) -> int:
    return _entier(valeur, ANNEE_MIN, timezone.localdate().year + 5)


def _reservataire(valeur: str, ref: _Referentiels) -> int:
    pk = ref.reservataires.get(normaliser(valeur))
    if pk is None:
        raise ErreurValeur(
            f"Réservataire inconnu : « {valeur} » (nom ou sigle d'un partenaire réservataire : État, "
            "Action Logement, commune, EPCI, département)."
        )
    return pk


def _labels(valeur: str) -> list[str]:
    labels = []
    for morceau in re.split(r"[|,;]", valeur):
        if morceau.strip():
            labels.append(_choix(morceau, LABELS, "ASV ou ELAN-30"))
    if len(set(labels)) != len(labels):
        raise ErreurValeur("Un label est indiqué deux fois.")
    return labels
