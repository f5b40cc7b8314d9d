"""Lots de lignes prêtes pour COPY : fabrication en mémoire, forme compacte des processus de travail,
lignes de la table de recherche, numéros uniques et références posés dans l'ordre des lots."""

from __future__ import annotations

from demo.generateur.copie_sql import COLONNES_DEMANDE

# Marques des séquences à poser par le processus principal (caractères absents des données générées).
ATTENTE_NU = "¤¤¤¤¤¤"
ATTENTE_REF = "§§§§"

# Identifiants réservés par demande d'un lot fabriqué par un processus de travail (au plus ; vérifié) :
# les demandes d'un lot sont numérotées à la suite de celles du lot précédent, les lignes filles dans
# une plage propre au lot (des trous entre lots, l'ordre chronologique des lots conservé).
RESERVE_PAR_DEMANDE = {
    "personne": 16,
    "ressource": 64,
    "localisation": 8,
    "evenement": 96,
    "cle": 2,
    "doublon": 1,
    "recherche": 20,
}


class Lot:
    """Lignes d'un lot, table par table, au format texte de COPY."""

    __slots__ = (
        "demandes",
        "personnes",
        "ressources",
        "localisations",
        "evenements",
        "cles",
        "doublons",
        "recherche",
        "numeros",
    )

    def __init__(self):
        for nom in self.__slots__:
            setattr(self, nom, [])

    def tables(self):
        return {
            "demande": self.demandes,
            "personne": self.personnes,
            "ressource": self.ressources,
            "localisation": self.localisations,
            "evenement": self.evenements,
            "cle": self.cles,
            "doublon": self.doublons,
            "recherche": self.recherche,
        }


class LotCompact:
    """Lot fabriqué par un processus de travail : chaque table en un seul bloc d'octets prêt pour COPY
    (transfert et écriture sans reconstruire les lignes), numéros uniques et références encore à poser."""

    __slots__ = ("blocs", "comptes", "numeros")

    def __init__(self, lot: Lot):
        tables = lot.tables()
        self.comptes = {cle: len(lignes) for cle, lignes in tables.items() if lignes}
        self.blocs = {}
        for cle, lignes in tables.items():
            if lignes:
                self.blocs[cle] = "".join(lignes).encode()
                lignes.clear()  # les lignes d'une table libérées dès qu'elle est en bloc
        self.numeros = lot.numeros

    def tables(self):
        return self.blocs


_RECOPIEES = [COLONNES_DEMANDE.index(c) for c in ("etat", "nature", "date_depot", "date_expiration", "guichet_id")]
_I_DEPARTEMENT = COLONNES_DEMANDE.index("departement_id")
_I_GUICHET = COLONNES_DEMANDE.index("guichet_id")


def lignes_recherche(lot: Lot, communes_referentiel: dict, prochain_id) -> None:
    """Lignes de la table de recherche du lot, écrites avec lui (mêmes lignes que ``demandes_recherche_remplir``).

    Par demande, à la suite : département, guichet, puis chaque commune souhaitée et chaque EPCI de ces
    communes (sans doublon), colonnes recopiées de la demande. Les lignes d'une demande restent voisines
    dans la table (une liste filtrée par guichet vérifie les clés de l'agent demande par demande).
    ``prochain_id()`` rend l'identifiant suivant de la table de recherche.
    """
    communes: dict[str, list[str]] = {}
    for ligne in lot.localisations:
        champs = ligne.split("\t", 4)
        communes.setdefault(champs[1], []).append(champs[3])
    sortie = lot.recherche
    for ligne in lot.demandes:
        champs = ligne.rstrip("\n").split("\t")
        demande = champs[0]
        suite = "\t" + "\t".join(champs[i] for i in _RECOPIEES) + "\n"
        cles = ["D" + champs[_I_DEPARTEMENT], "G" + champs[_I_GUICHET]]
        souhaitees = list(dict.fromkeys(communes.get(demande, ())))
        cles += ["C" + c for c in souhaitees]
        cles += ["E" + e for e in dict.fromkeys(communes_referentiel[c][1] for c in souhaitees) if e]
        for cle in cles:
            sortie.append(f"{prochain_id()}\t{demande}\t{cle}{suite}")


def _entrelacer(bloc: bytes, marque: str, valeurs: list[bytes], par_valeur: int) -> bytes:
    """Remplace, dans l'ordre, chaque marque du bloc par la valeur suivante (``par_valeur`` marques chacune)."""
    morceaux = bloc.split(marque.encode())
    if len(morceaux) != len(valeurs) * par_valeur + 1:
        raise RuntimeError(f"{len(morceaux) - 1} marques « {marque} » pour {len(valeurs)} demandes.")
    sortie = [morceaux[0]]
    for i, valeur in enumerate(valeurs):
        for k in range(par_valeur):
            sortie.append(valeur)
            sortie.append(morceaux[i * par_valeur + k + 1])
    return b"".join(sortie)


def numeroter(lot: LotCompact, compteurs_nu: dict, compteurs_ref: dict) -> None:
    """Pose les séquences des numéros uniques et des références d'un lot, dans l'ordre de fabrication.

    La demande porte son numéro et sa référence une fois chacun ; son événement d'enregistrement porte
    le numéro deux fois (texte affiché et détails) et la référence une fois ; les demandes d'un lot et
    leurs enregistrements sont dans le même ordre."""
    sequences, references = [], []
    for cle, periode_ref in lot.numeros:
        seq = compteurs_nu.get(cle, 0) + 1
        compteurs_nu[cle] = seq
        ref = compteurs_ref.get(periode_ref, 0) + 1
        compteurs_ref[periode_ref] = ref
        sequences.append(b"%06d" % seq)
        references.append(b"%04d" % ref)
    blocs = lot.blocs
    blocs["demande"] = _entrelacer(_entrelacer(blocs["demande"], ATTENTE_NU, sequences, 1), ATTENTE_REF, references, 1)
    blocs["evenement"] = _entrelacer(
        _entrelacer(blocs["evenement"], ATTENTE_NU, sequences, 2), ATTENTE_REF, references, 1
    )
    lot.numeros = []
