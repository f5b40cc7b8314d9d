"""Cellules inertes des exports CSV et XLSX : aucune donnée saisie ne devient une formule.

Un tableur (Excel, LibreOffice) exécute une cellule qui commence par ``=``,
``+``, ``-`` ou ``@`` — et, selon les versions, par une tabulation ou un retour
chariot suivis d'une formule (OWASP, « CSV Injection ») : un nom saisi
``=HYPERLINK("http://…";"Cliquez")`` deviendrait un lien actif, voire une
commande. Tout export du projet passe ses valeurs par ce module :

- CSV : ``texte_csv`` préfixe un texte dangereux d'une apostrophe, que le
  tableur lit comme « ceci est du texte » (même règle que l'export du journal
  des consultations depuis la session 3) ;
- XLSX (openpyxl) : ``cellule_xlsx`` écrit tout texte comme une chaîne typée
  (``data_type = "s"``), jamais comme une formule, sans altérer la valeur ;
  nombres et dates gardent leur type.

Seuls les textes sont concernés : un nombre négatif calculé par le projet reste
un nombre.
"""

from datetime import date, datetime

#: Premiers caractères qui font d'une cellule une formule dans un tableur.
DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")


def est_dangereux(texte: str) -> bool:
    """Vrai si un tableur pourrait lire ce texte comme une formule."""
    return texte[:1] in DEBUTS_DANGEREUX


def texte_inerte(texte: str) -> str:
    """Le texte, précédé d'une apostrophe s'il commencerait une formule."""
    return f"'{texte}" if est_dangereux(texte) else texte


def texte_csv(valeur) -> str:
    """Une valeur d'export CSV : vide pour None, date au format français, texte inerte."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y %H:%M:%S}"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    if isinstance(valeur, str):
        return texte_inerte(valeur)
    return str(valeur)


def ligne_csv(valeurs) -> list[str]:
    """Les valeurs d'une ligne CSV, chacune passée par ``texte_csv``."""
    return [texte_csv(v) for v in valeurs]


def cellule_xlsx(feuille, valeur, *, format_date: str = "DD/MM/YYYY"):
    """Une cellule openpyxl (classeur normal ou « write only ») : texte jamais formule, date formatée."""
    from openpyxl.cell import WriteOnlyCell

    cellule = WriteOnlyCell(feuille, value=valeur)
    if isinstance(valeur, str):
        # openpyxl fait d'un texte qui commence par « = » une formule : on le retype en chaîne.
        cellule.data_type = "s"
    elif isinstance(valeur, date):
        cellule.number_format = format_date
    return cellule


def ligne_xlsx(feuille, valeurs, **options) -> list:
    """Les cellules d'une ligne XLSX, chacune passée par ``cellule_xlsx``."""
    return [cellule_xlsx(feuille, v, **options) for v in valeurs]
