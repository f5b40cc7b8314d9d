"""Règles de rangement vérifiées sur le code (issue 14) : un dossier par fonctionnalité (aucun ``views_x.py`` /
``api_x.py`` / ``urls_x.py`` à la racine d'une application) ; SQL brut seulement dans les modules ``*_sql.py``,
chacun avec son test d'accord ; pas de nom privé importé d'un autre module. Les cycles d'import et les couches sont
vérifiés par import-linter (pyproject.toml), les imports dans les fonctions par ruff (PLC0415)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
APPLICATIONS = ["fdls", "demandes", "offre", "cotation", "instruction", "observatoire", "portail", "demo"]
EXCEPTIONS: set[str] = set()
NOS_PAQUETS = {*APPLICATIONS, "tests"}


def _modules():
    for application in APPLICATIONS:
        for fichier in sorted((RACINE / application).rglob("*.py")):
            relatif = fichier.relative_to(RACINE).as_posix()
            if "migrations" in fichier.parts or relatif in EXCEPTIONS:
                continue
            yield relatif, ast.parse(fichier.read_text())


def _sql_brut(arbre: ast.AST) -> list[int]:
    """Lignes qui exécutent du SQL écrit à la main (curseur, COPY, ``raw``, ``RawSQL``, ``extra``)."""
    lignes = []
    for n in ast.walk(arbre):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            if n.func.attr in ("execute", "executemany", "raw", "extra") and n.args or n.func.attr == "copy" and n.args:
                lignes.append(n.lineno)
        elif isinstance(n, ast.Name) and n.id == "RawSQL":
            lignes.append(n.lineno)
    return lignes


def test_le_sql_brut_n_est_que_dans_les_modules_sql():
    fautes = [
        f"{chemin}:{ligne}"
        for chemin, arbre in _modules()
        if not chemin.endswith("_sql.py")
        for ligne in _sql_brut(arbre)
    ]
    assert fautes == [], "SQL brut hors d'un module *_sql.py"


@pytest.mark.parametrize("chemin", sorted(c for c, _ in _modules() if c.endswith("_sql.py")))
def test_chaque_module_sql_cite_son_test_d_accord(chemin):
    module = ast.parse((RACINE / chemin).read_text())
    cites = re.findall(r"tests/[\w/]+\.py", ast.get_docstring(module) or "")
    assert cites, f"{chemin} : la docstring cite son test d'accord (tests/….py)"
    for test in cites:
        assert (RACINE / test).exists(), f"{chemin} cite {test}, qui n'existe pas"


def test_aucun_nom_prive_n_est_importe_d_un_autre_module():
    fautes = []
    for chemin, arbre in _modules():
        modules_importes = set()
        for n in ast.walk(arbre):
            if isinstance(n, ast.ImportFrom) and n.module != "__future__":
                racine = (n.module or "").split(".")[0]
                if n.level or racine in NOS_PAQUETS:
                    for alias in n.names:
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            fautes.append(f"{chemin}:{n.lineno} {alias.name}")
                        modules_importes.add(alias.asname or alias.name)
            elif isinstance(n, ast.Import):
                for alias in n.names:
                    if alias.name.split(".")[0] in NOS_PAQUETS:
                        modules_importes.add((alias.asname or alias.name).split(".")[0])
        for n in ast.walk(arbre):
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name)
                and n.value.id in modules_importes
                and n.attr.startswith("_")
                and not n.attr.startswith("__")
                and n.attr != "_meta"  # API publique des modèles Django
            ):
                fautes.append(f"{chemin}:{n.lineno} {n.value.id}.{n.attr}")
    assert fautes == []


def test_aucun_module_x_a_la_racine_d_une_application():
    racines = [RACINE / a for a in APPLICATIONS] + [p.parent for p in (RACINE / "fdls").glob("*/apps.py")]
    fautifs = [
        f.relative_to(RACINE).as_posix()
        for racine in racines
        for f in racine.glob("*.py")
        if re.fullmatch(r"(views|api|urls|forms|serializers)_\w+\.py", f.name)
    ]
    assert fautifs == [], "Un dossier par fonctionnalité (docs/architecture.md) : " + ", ".join(fautifs)
