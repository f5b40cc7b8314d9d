"""Règles d'architecture des demandes que ni ruff ni import-linter ne vérifient (docs/architecture.md).

* aucun nom privé (``_nom``) importé d'un autre module ;
* SQL brut seulement dans les modules ``*_sql.py`` (curseur, ``execute``,
  ``raw``, ``RawSQL``, ``extra``, ``psycopg.sql``), chacun citant dans sa
  docstring le test d'accord qui le vérifie, et ce test existe ;
* plus de modules ``views_x`` / ``api_x`` / ``urls_x`` à la racine de l'application.

Les cycles d'imports, les couches et les imports dans une fonction sont
vérifiés par ``lint-imports`` et ``ruff`` (pyproject.toml).
"""

import ast
import re
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
APPLICATION = RACINE / "demandes"
# Partent dans l'application demo (autre chantier) : hors des règles des demandes.
EXCLUS = {"generateur.py", "demo.py", "demo_dossier.py"}
MODULES = sorted(
    p
    for p in APPLICATION.rglob("*.py")
    if "migrations" not in p.parts and not (p.parent == APPLICATION and p.name in EXCLUS)
)
APPELS_SQL = {"cursor", "execute", "executemany", "raw", "extra", "RawSQL"}


def _nom(chemin: Path) -> str:
    return chemin.relative_to(RACINE).as_posix() if chemin.is_relative_to(RACINE) else chemin.name


def _arbre(chemin: Path) -> ast.Module:
    return ast.parse(chemin.read_text(), filename=str(chemin))


def _noms_prives(chemin: Path) -> list[str]:
    return [
        f"{_nom(chemin)} : {noeud.module}.{alias.name} (l. {noeud.lineno})"
        for noeud in ast.walk(_arbre(chemin))
        if isinstance(noeud, ast.ImportFrom)
        for alias in noeud.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def _sql_brut(chemin: Path) -> list[str]:
    trouves = []
    for noeud in ast.walk(_arbre(chemin)):
        if isinstance(noeud, ast.Call):
            fonction = noeud.func
            nom = fonction.attr if isinstance(fonction, ast.Attribute) else getattr(fonction, "id", "")
            if nom in APPELS_SQL:
                trouves.append(f"{_nom(chemin)} : {nom}() l. {noeud.lineno}")
        elif isinstance(noeud, ast.ImportFrom) and (noeud.module or "").startswith("psycopg"):
            trouves.append(f"{_nom(chemin)} : import de {noeud.module} l. {noeud.lineno}")
        elif isinstance(noeud, ast.ImportFrom) and noeud.module == "django.db.models.expressions":
            trouves += [
                f"{_nom(chemin)} : import de RawSQL l. {noeud.lineno}" for a in noeud.names if a.name == "RawSQL"
            ]
    return trouves


def test_aucun_nom_prive_importe_d_un_autre_module():
    assert [ligne for chemin in MODULES for ligne in _noms_prives(chemin)] == []


def test_le_sql_brut_est_dans_les_modules_sql():
    assert [ligne for chemin in MODULES if not chemin.name.endswith("_sql.py") for ligne in _sql_brut(chemin)] == []


def test_les_regles_detectent_ce_qu_elles_interdisent(tmp_path):
    fautif = tmp_path / "fautif.py"
    fautif.write_text(
        "from django.db import connection\nfrom demandes.cycle.services import _verrouiller\n"
        "with connection.cursor() as c:\n    c.execute('SELECT 1')\n"
    )
    assert len(_noms_prives(fautif)) == 1
    assert len(_sql_brut(fautif)) == 2


MODULES_SQL = [p for p in MODULES if p.name.endswith("_sql.py")]


def test_les_modules_sql_existent():
    assert {_nom(p) for p in MODULES_SQL} >= {
        "demandes/cycle/enregistrement_sql.py",
        "demandes/dossier/numerotation_sql.py",
        "demandes/doublons/detection_sql.py",
        "demandes/liste/recherche_sql.py",
        "demandes/relances/verrous_sql.py",
    }


def test_chaque_module_sql_cite_son_test_d_accord():
    for chemin in MODULES_SQL:
        cites = re.findall(r"tests/demandes/[\w/]+\.py", ast.get_docstring(_arbre(chemin)) or "")
        assert cites, f"{_nom(chemin)} : la docstring doit citer le test d'accord (tests/demandes/…/test_….py)"
        for test in cites:
            assert (RACINE / test).is_file(), f"{_nom(chemin)} cite {test}, qui n'existe pas"


def test_plus_de_modules_views_api_urls_a_la_racine():
    restes = sorted(p.name for p in APPLICATION.glob("*.py") if re.match(r"(views|api|urls)_\w+\.py$", p.name))
    assert not restes
