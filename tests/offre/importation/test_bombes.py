"""Classeurs XLSX piégés (issue 15.6) : une référence de cellule démesurée, un index de texte partagé
faux, un XML tronqué ne font ni allouer des giga-octets ni répondre 500 ; l'agent lit « illisible » et rien
n'est importé. L'analyse tient dans un budget de temps et de mémoire."""

import io
import time
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offre.importation.services import importer_logements
from offre.models import ImportLogements, Logement
from tests.monde.factories import CommuneFactory, agent_bailleur
from tests.monde.fichiers import ENTETES, csv_de, ligne

CLASSEUR = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Parc" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _cellule(reference: str, valeur: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(valeur)}</t></is></c>'


def _colonne(rang: int) -> str:
    lettres = ""
    rang += 1
    while rang:
        rang, reste = divmod(rang - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _rangee(numero: int, valeurs: list[str], extra: str = "") -> str:
    cellules = "".join(_cellule(f"{_colonne(i)}{numero}", v) for i, v in enumerate(valeurs))
    return f'<row r="{numero}">{cellules}{extra}</row>'


def classeur(rangees: str, *, partages: list[str] | None = None, brut: bool = False) -> bytes:
    """Un XLSX minimal écrit à la main : ``rangees`` (XML des ``<row>``) dans la première feuille."""
    feuille = rangees if brut else f'<worksheet xmlns="{NS}"><sheetData>{rangees}</sheetData></worksheet>'
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", CLASSEUR)
        archive.writestr("xl/worksheets/sheet1.xml", feuille)
        if partages is not None:
            textes = "".join(f"<si><t>{escape(t)}</t></si>" for t in partages)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}">{textes}</sst>')
    return sortie.getvalue()


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ENTETE = _rangee(1, ENTETES)
VALEURS = [ligne()[e] for e in ENTETES]


@pytest.fixture
def nantes():
    return CommuneFactory(code_insee="44500", nom="Nantes")


def _importer(contenu: bytes, nom="parc.xlsx"):
    return importer_logements(auteur=agent_bailleur(), fichier=SimpleUploadedFile(nom, contenu), nom_fichier=nom)


def _refuse(import_, message: str):
    assert import_.etat == ImportLogements.Etat.ERREURS
    assert message in import_.erreurs[0]["message"], import_.erreurs
    assert not import_.fichier
    assert not Logement.objects.exists()


@pytest.mark.parametrize("reference", ["ZZZZZZZZ2", "ZZZZZZ2", "AAAAA2", "XFE2", "A1048577", "2A", "A0", "é2"])
def test_une_reference_de_cellule_demesuree_ou_malformee_rend_le_fichier_illisible(nantes, reference):
    """« ZZZZZZ2 » dans un fichier de 800 octets faisait allouer 5 Go (8 lettres : MemoryError, 500)."""
    contenu = classeur(ENTETE + _rangee(2, VALEURS[:3]).replace("</row>", _cellule(reference, "x") + "</row>"))
    assert len(contenu) < 2_000
    tracemalloc.start()
    debut = time.monotonic()
    try:
        import_ = _importer(contenu)
        _courant, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _refuse(import_, "Le classeur XLSX est illisible")
    assert reference[:8] in import_.erreurs[0]["message"]
    assert pic < 20 * 1024 * 1024
    assert time.monotonic() - debut < 10


def test_une_cellule_au_dela_des_colonnes_connues_est_ignoree(nantes):
    """XFD (la 16 384e colonne) est permise par Excel : la cellule est ignorée, sans allonger chaque ligne."""
    lointaine = _cellule("XFD2", "note hors tableau")
    contenu = classeur(ENTETE + _rangee(2, VALEURS, extra=lointaine))
    import_ = _importer(contenu)
    assert import_.etat == ImportLogements.Etat.IMPORTE, import_.erreurs
    assert Logement.objects.count() == 1


@pytest.mark.parametrize("index", ["7", "-1", "abc", "99999999999999999999"])
def test_un_index_de_texte_partage_faux_rend_le_fichier_illisible(nantes, index):
    partages = ["Nantes"]
    rangee = _rangee(2, VALEURS).replace(_cellule("A2", VALEURS[0]), f'<c r="A2" t="s"><v>{index}</v></c>')
    import_ = _importer(classeur(ENTETE + rangee, partages=partages))
    _refuse(import_, "texte partagé")


def test_un_xml_tronque_au_milieu_des_lignes_rend_le_fichier_illisible(nantes):
    feuille = f'<worksheet xmlns="{NS}"><sheetData>{ENTETE}{_rangee(2, VALEURS)}<row r="3"><c r="A3"'
    import_ = _importer(classeur(feuille, brut=True))
    _refuse(import_, "illisible ou endommagé")


def test_l_analyse_s_arrete_au_budget_de_temps(nantes, settings):
    settings.FDLS_IMPORT_DUREE_MAX_S = 0
    import_ = _importer(csv_de([ligne(), ligne(code_logement="0014")]), nom="parc.csv")
    _refuse(import_, "dépasse le temps permis (0 s)")
    assert "découpez-le" in import_.erreurs[0]["message"]


def test_l_analyse_s_arrete_au_budget_de_memoire(nantes, settings):
    settings.FDLS_IMPORT_MEMOIRE_MAX_MO = 0
    import_ = _importer(classeur(ENTETE + _rangee(2, VALEURS)))
    _refuse(import_, "plus de mémoire que permis (0 Mo)")


def test_l_ecran_explique_le_fichier_piege_sans_erreur_500(client, agent_verifie, nantes):
    agent_verifie(agent_bailleur())
    contenu = classeur(ENTETE + _rangee(2, VALEURS[:3]).replace("</row>", _cellule("ZZZZZZZZ2", "x") + "</row>"))
    reponse = client.post(reverse("offre:importer"), {"fichier": SimpleUploadedFile("parc.xlsx", contenu)}, follow=True)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Rien n'a été importé" in html
    assert "référence de cellule « ZZZZZZZZ2 » malformée" in html
