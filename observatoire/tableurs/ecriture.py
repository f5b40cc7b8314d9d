"""Écriture des tableaux en CSV, XLSX (openpyxl) et ODS (odfpy), ligne à ligne, cellules inertes.

Toutes les valeurs passent par ``fdls.socle.tableurs`` (aucun texte ne devient une formule). Le CSV est en
UTF-8 avec BOM et point-virgule (Excel en français l'ouvre tel quel). ``ecrire`` lit un itérable de lignes
et appelle ``progression(n)`` tous les ``pas`` lignes : un export en arrière-plan y note son avancement.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from fdls.socle.tableurs import ligne_csv, ligne_xlsx, texte_inerte

PAS = 5000
TYPES_MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _csv(chemin: Path, lignes: Iterable[list], suivre: Callable[[int], None]) -> int:
    n = 0
    with chemin.open("w", encoding="utf-8-sig", newline="") as f:
        ecrivain = csv.writer(f, delimiter=";")
        for ligne in lignes:
            ecrivain.writerow(ligne_csv(ligne))
            n += 1
            suivre(n)
    return n


def _xlsx(chemin: Path, lignes: Iterable[list], suivre: Callable[[int], None], titre: str) -> int:
    from openpyxl import Workbook

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(titre[:31] or "Tableau")
    n = 0
    for ligne in lignes:
        feuille.append(ligne_xlsx(feuille, [float(v) if isinstance(v, Decimal) else v for v in ligne]))
        n += 1
        suivre(n)
    classeur.save(chemin)
    return n


def _cellule_ods(valeur):
    from odf.table import TableCell
    from odf.text import P

    if valeur is None or valeur == "":
        return TableCell()
    if isinstance(valeur, bool):
        cellule = TableCell(valuetype="string")
        cellule.addElement(P(text="oui" if valeur else "non"))
        return cellule
    if isinstance(valeur, int | float | Decimal):
        cellule = TableCell(valuetype="float", value=str(valeur))
        cellule.addElement(P(text=str(valeur)))
        return cellule
    if isinstance(valeur, date):
        cellule = TableCell(valuetype="date", datevalue=valeur.isoformat())
        cellule.addElement(P(text=f"{valeur:%d/%m/%Y}"))
        return cellule
    cellule = TableCell(valuetype="string")
    cellule.addElement(P(text=texte_inerte(str(valeur))))
    return cellule


def _ods(chemin: Path, lignes: Iterable[list], suivre: Callable[[int], None], titre: str) -> int:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow

    document = OpenDocumentSpreadsheet()
    table = Table(name=(titre[:31] or "Tableau"))
    n = 0
    for ligne in lignes:
        rangee = TableRow()
        for valeur in ligne:
            rangee.addElement(_cellule_ods(valeur))
        table.addElement(rangee)
        n += 1
        suivre(n)
    document.spreadsheet.addElement(table)
    document.save(str(chemin))
    return n


def ecrire(
    format_: str,
    chemin: Path,
    lignes: Iterable[list],
    *,
    titre: str = "Tableau",
    progression: Callable[[int], None] | None = None,
    pas: int = PAS,
) -> int:
    """Écrit ``lignes`` (en-tête compris) dans ``chemin`` au format ``csv``, ``xlsx`` ou ``ods`` ; rend leur nombre."""

    def suivre(n: int) -> None:
        if progression is not None and n % pas == 0:
            progression(n)

    chemin.parent.mkdir(parents=True, exist_ok=True)
    if format_ == "csv":
        return _csv(chemin, lignes, suivre)
    if format_ == "xlsx":
        return _xlsx(chemin, lignes, suivre, titre)
    if format_ == "ods":
        return _ods(chemin, lignes, suivre, titre)
    raise ValueError(f"Format d'export inconnu : {format_}")


def ecrire_classeur(chemin: Path, feuilles: list[tuple[str, list[list]]]) -> None:
    """Un classeur XLSX d'une feuille par tableau (titre de feuille ≤ 31 caractères, unique)."""
    from openpyxl import Workbook

    chemin.parent.mkdir(parents=True, exist_ok=True)
    classeur = Workbook(write_only=True)
    noms: set[str] = set()
    for titre, lignes in feuilles:
        nom = "".join(c for c in titre if c not in "[]:*?/\\")[:28] or "Tableau"
        base, i = nom, 2
        while nom in noms:
            nom, i = f"{base[:25]} {i}", i + 1
        noms.add(nom)
        feuille = classeur.create_sheet(nom)
        feuille.append(ligne_xlsx(feuille, [titre]))
        for ligne in lignes:
            feuille.append(ligne_xlsx(feuille, [float(v) if isinstance(v, Decimal) else v for v in ligne]))
    classeur.save(chemin)
