"""Générateur de demandes réalistes, chargées par COPY (démonstration et bancs).

``generer(Parametres(actives=N))`` écrit N demandes actives du fichier de
Loire-Atlantique, plus les demandes closes des dernières années (satisfaites
et annulées) pour que délais et flux se calculent, avec leur ménage
(``Personne``, ``Ressource``), leurs localisations souhaitées, leur historique
(``Evenement``), leurs clés de doublons (``CleIdentite``, exactement celles de
``services.cles_identite``) et une part connue de doublons semés
(``DoublonSeme``, vérité terrain du banc de détection).

Distributions (sources : seeds 000 et 001, docs/domain.md §7) :

* 1er choix dans Nantes Métropole ≈ 69 % (« près de 7 demandes sur 10 »),
  communes pondérées par leur population ; 1 à 5 choix ordonnés ;
* 36 % de locataires HLM (demandes de mutation), 64 % de ménages externes ;
* ancienneté des demandes actives par tranches de la fiche territoriale
  (< 6 mois 29 %, 6–12 mois 29 %, 12–24 mois 19 %, ≥ 24 mois 23 %) ;
* ménages : personne seule 43 %, parent isolé 24 %, couple sans enfant 11 %,
  couple avec enfants 18 %, personne seule + autre adulte 4 % ;
* typologies selon la taille du ménage, catégorie recherchée (appartement,
  maison, indifférent) selon le tableau de Sautron (seed 000) ;
* satisfaites : 15,9 % du stock par an, délai moyen 24,7 mois (Nantes
  Métropole 2022) ; annulées : ``taux_annulation`` du stock par an, surtout
  pour non-renouvellement (« Traitement automatisé ») ;
* numéros uniques au format de ``demandes.numerotation`` (guichets
  accompagnateurs de la démo), compteurs ``CompteurNumero`` et
  ``CompteurReference`` laissés sur la dernière séquence : les
  enregistrements suivants continuent sans doublon ni trou.

Chargement : lots de ``taille_lot`` demandes, une transaction et un COPY par
table et par lot (mémoire constante). Un fil de chargement écrit le lot k
pendant que le fil principal fabrique le lot k+1 (deux cœurs occupés). Les
identifiants sont pris après le maximum existant, puis les séquences sont
recalées (``setval``). À lancer sans enregistrement concurrent (commande de
démonstration, base de banc).

Au-delà de 100 000 demandes (mode massif, ``Parametres.massif``) : index
secondaires retirés puis reconstruits (``IndexSuspendu``), lots fabriqués par
des processus de travail et numérotés dans l'ordre par le processus
principal, table de recherche remplie à la fin (docs/decisions.md, session 5).
"""

from __future__ import annotations

import bisect
import json
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from demandes.dossier import calculs
from demandes.dossier.normalisation import cle_phonetique, normaliser_nom

TABLES = {
    "demande": (
        "demandes_demande",
        "id, numero_unique, reference, etat, canal, guichet_id, departement_id, organisme_saisie_id, "
        "date_depot, date_renouvellement, date_expiration, date_fin, motif_annulation, commentaire_annulation, "
        "renouvellement_electronique, nom, prenom, date_naissance, adresse_numero, adresse_voie, "
        "adresse_complement, code_postal, ville, telephone, telephone_portable, email, enfants_a_naitre, "
        "statut_occupation, occupation_depuis, categorie_actuelle, pieces_actuelles, surface_actuelle, "
        "loyer_actuel, aides_logement, nb_occupants_actuels, proprietaire_autre_logement, bailleur_actuel_id, "
        "motifs, motif_precision, typologies, categorie_recherchee, parking, rez_de_chaussee, "
        "sans_ascenseur_accepte, adapte_handicap, loyer_max, complement, nature, categorie_menage, "
        "nb_personnes, mutation, created_at, updated_at",
    ),
    "personne": (
        "demandes_personne",
        "id, demande_id, role, rang, civilite, sexe, nom, nom_naissance, prenom, date_naissance, nationalite, "
        "situation_familiale, lien_parente, a_charge, handicap, telephone, email, profession, activite, "
        "cdd_interim, activite_depuis, activite_jusqua, csp, employeur, employeur_siret, employeur_adresse, "
        "travail_code_postal, travail_ville, revenu_fiscal, revenu_fiscal_n1",
    ),
    "ressource": ("demandes_ressource", "id, personne_id, type, montant"),
    "localisation": (
        "demandes_localisationsouhaitee",
        "id, demande_id, rang, commune_id, quartier_id, date_anciennete",
    ),
    "evenement": (
        "demandes_evenement",
        "id, demande_id, type, date, precisions, details, etat_avant, etat_apres, auteur_libelle, organisme_id",
    ),
    "cle": (
        "demandes_cleidentite",
        "id, demande_id, role, nom, prenom, nom_phonetique, prenom_phonetique, date_naissance",
    ),
    "doublon": ("demandes_doublonseme", "id, originale_id, doublon_id, type"),
    # Écrite par le générateur en mode massif seulement (sinon par ``demandes_recherche_remplir``).
    "recherche": (
        "demandes_lignerecherche",
        "id, demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id",
    ),
}
ORDRE_TABLES = list(TABLES)

AUTOMATE = "Traitement automatisé"
# L'enregistrement ouvre la journée, la fin de la demande la clôt ; le traitement automatisé passe la nuit.
HEURES_FIXES = {
    "enregistrement": "07:45:00",
    "satisfaction": "18:00:00",
    "annulation": "18:00:00",
    "annulation_automatique": "02:00:00",
}
DEMANDEUR_EN_LIGNE = "Le demandeur (espace personnel)"
N = "\\N"

# ---------------------------------------------------------------- listes de noms


def _mots(texte: str) -> list[str]:
    """Liste de noms séparés par des blancs ; « _ » dans un nom composé devient une espace."""
    return [mot.replace("_", " ") for mot in texte.split()]


NOMS = _mots(
    """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy Roux
David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefebvre Faure André
Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas
Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun
Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux
Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît
Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez
Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry
Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le_Gall
Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff
Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez
Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard
Maréchal Humbert Gilbert Le_Bihan Le_Guen Guéguen Tanguy Le_Floch Kerbrat Quéré Jégou Cadiou Le_Corre
Gicquel Hénaff Rialland Bréger Hervouët Chéneau Rousselot Thébaud Pichon Gouin Brosseau Joubert Bodin
Hamel Baudry Lebreton Leray Chiron Praud Cottineau Gaudin Bourasseau Brochard Coutant Ferré Gaborit Jamet
Benali Bensaïd Haddad Belkacem Mansouri Boukhalfa Cherif Amrani Saïdi Khelifi Ziani Bouazza Messaoudi Diallo
Traoré Koné Camara Sow Diop Ndiaye Cissé Touré Konaté Sylla Dos_Santos Ferreira Pereira Oliveira Rodrigues Gonçalves
Costa Yilmaz Kaya Demir Çelik Nguyen Tran Pham Popescu Kowalski Mendy Gomes Mbappé Okafor Rakoto"""
)
NOMS += ["Da Costa", "Le Moal", "Ben Ahmed", "De Oliveira", "Ait Ali"]

PRENOMS_F = _mots(
    """Marie Nathalie Isabelle Sylvie Catherine Sandrine Christine Valérie Véronique Sophie Céline Stéphanie
Aurélie Émilie Julie Camille Laura Manon Léa Chloé Sarah Inès Emma Jade Louise Alice Lina Zoé Anaïs Mélanie Élodie
Caroline Virginie Karine Laëtitia Hélène Françoise Monique Nicole Martine Brigitte Chantal Josiane Jacqueline Danielle
Christiane Patricia Corinne Pascale Florence Claire Anne Agnès Delphine Audrey Marion Pauline Justine Clémence Océane
Morgane Mégane Maëlle Maëva Noémie Lucie Charlotte Margaux Amandine Jessica Jennifer Vanessa Cindy Fatima Aïcha
Khadija Nadia Samira Yasmina Leïla Amina Fatoumata Aminata Mariama Awa Ana Maria Rosa Ayşe Elif Linh Thi Gaëlle
Solène Nolwenn Annaïck Bérénice Estelle Ophélie Jeanne Madeleine Odile Geneviève Éloïse Héloïse Rose Ambre"""
)

PRENOMS_M = _mots(
    """Jean Pierre Michel Philippe Alain Patrick Nicolas Christophe Christian Daniel Frédéric Laurent Stéphane
Éric Olivier David Sébastien Julien Thierry Pascal Bruno Dominique Jérôme Vincent François Gilles Cédric Thomas Anthony
Kevin Maxime Alexandre Romain Guillaume Mathieu Jonathan Florian Quentin Hugo Lucas Théo Nathan Louis Gabriel Raphaël
Léo Arthur Jules Noé Mathéo Enzo Tom Adam Mohamed Ahmed Karim Rachid Youssef Mehdi Sofiane Bilal Hamza Moussa Mamadou
Ibrahima Ousmane Abdoulaye Joao José Manuel Paulo Mehmet Mustafa Minh Tuan Yannick Loïc Gaël Erwan Ronan Goulven
Kévin Grégory Aurélien Jérémy Benoît Hervé Gérard Bernard René Marcel André Joël Noël Régis Timothée Clément Baptiste
Étienne Adrien Valentin Corentin Dylan Ethan Nolan"""
)


def _poids_zipf(n: int, decalage: float = 8.0, exposant: float = 0.9) -> list[float]:
    return list(accumulate(1.0 / (i + decalage) ** exposant for i in range(n)))


VOIES = [
    "rue de la République",
    "rue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue de Strasbourg",
    "avenue de la Libération",
    "rue des Lilas",
    "allée des Tilleuls",
    "rue du Général de Gaulle",
    "boulevard des Poilus",
    "rue de Rennes",
    "place de la Mairie",
    "rue des Écoles",
    "impasse des Vignes",
    "chemin du Moulin",
    "rue Paul Bellamy",
    "boulevard Jules Verne",
    "rue de la Paix",
    "rue Anatole de Monzie",
    "rue du Château",
    "allée Nicole Girard-Mangin",
    "rue de la Gare",
    "avenue des Sables",
    "rue Pasteur",
    "rue Aristide Briand",
]

PROFESSIONS = [
    ("Agent d'entretien", "ouvrier"),
    ("Aide-soignant(e)", "employe"),
    ("Agent de propreté", "ouvrier"),
    ("Préparateur de commandes", "ouvrier"),
    ("Opérateur de préparation", "ouvrier"),
    ("Vendeur(se)", "employe"),
    ("Caissier(ère)", "employe"),
    ("Auxiliaire de vie", "employe"),
    ("Assistant(e) administratif(ve)", "employe"),
    ("Cuisinier", "ouvrier"),
    ("Serveur(se)", "employe"),
    ("Chauffeur livreur", "ouvrier"),
    ("Maçon", "ouvrier"),
    ("Électricien", "ouvrier"),
    ("Agent de sécurité", "employe"),
    ("Infirmier(ère)", "intermediaire"),
    ("Technicien(ne)", "intermediaire"),
    ("Animateur(trice)", "intermediaire"),
    ("Comptable", "intermediaire"),
    ("Ingénieur(e)", "cadre"),
]
EMPLOYEURS = [
    "SAS Nantes Europ",
    "Onet Propreté",
    "CHU de Nantes",
    "Airbus Atlantic",
    "Lidl",
    "Leclerc Atlantis",
    "ADMR 44",
    "Ville de Nantes",
    "Manpower",
    "Adecco",
    "SNCF",
    "La Poste",
    "Sodexo",
    "Système U",
    "Transports de l'agglomération nantaise",
]
MOTIFS_REFUS = [
    "Localisation / Quartier",
    "Taille du logement / Surface des pièces",
    "Loyer trop élevé",
    "Étage / absence d'ascenseur",
    "Non réponse",
    "Logement ne correspondant pas aux besoins",
]
PIECES = [
    ("identite", "Pièce d'identité"),
    ("avis_imposition", "Avis d'imposition"),
    ("bulletins_salaire", "Bulletins de salaire"),
    ("attestation_caf", "Attestation de la CAF"),
    ("quittance", "Quittance de loyer"),
    ("jugement_divorce", "Jugement de divorce"),
]

# ---------------------------------------------------------------- paramètres et bilan


@dataclass
class Parametres:
    actives: int
    graine: int = 44
    aujourd_hui: date | None = None
    departement: str = "44"
    epci_principal: str = "244400404"  # Nantes Métropole
    part_epci_principal: float = 0.69
    part_mutation: float = 0.36
    part_en_ligne: float = 0.64
    annees_closes: int = 3
    taux_satisfaction: float = 0.159
    delai_moyen_mois: float = 24.7
    taux_annulation: float = 0.30
    part_doublons: float = 0.01
    taille_lot: int = 5000
    parallele: bool | None = None  # fil de chargement ; par défaut au-delà de 5 000 demandes
    ajuster_autovacuum: bool | None = None  # par défaut au-delà de 100 000 demandes
    # Contrôle des clés étrangères ligne à ligne ; par défaut désactivé au-delà de 100 000 demandes
    # si le rôle est superutilisateur (session_replication_role = replica), conservé sinon.
    controle_fk: bool | None = None
    # Chargement en masse : index secondaires retirés puis reconstruits, table de recherche remplie
    # une fois à la fin, lots fabriqués par plusieurs processus ; par défaut au-delà de 100 000 demandes.
    massif: bool | None = None
    processus: int | None = None  # processus de fabrication en mode massif (défaut : nombre de cœurs)
    journal: object = None  # fonction(str) pour la progression


@dataclass
class Bilan:
    demandes: int = 0
    actives: int = 0
    satisfaites: int = 0
    annulees: int = 0
    personnes: int = 0
    ressources: int = 0
    localisations: int = 0
    evenements: int = 0
    cles: int = 0
    doublons: int = 0
    duree: float = 0.0
    lignes: dict = field(default_factory=dict)


# ---------------------------------------------------------------- référentiel


class _Tirage:
    """Tirage pondéré rapide (bisect sur poids cumulés)."""

    __slots__ = ("valeurs", "cumul", "total")

    def __init__(self, valeurs, poids):
        self.valeurs = list(valeurs)
        self.cumul = list(accumulate(poids))
        self.total = self.cumul[-1]

    def __call__(self, alea: random.Random):
        return self.valeurs[bisect.bisect_right(self.cumul, alea.random() * self.total)]


@dataclass
class Contexte:
    communes: dict  # code -> (nom, epci, cp)
    tirage_principal: _Tirage
    tirage_reste: _Tirage
    tirage_departement: _Tirage
    tirage_par_epci: dict
    quartiers: dict  # commune -> [ids]
    guichets: list  # (id, code, organisme_id, organisme_nom, nom, commune_id, type_organisme)
    guichet_en_ligne: tuple
    guichets_bailleur: dict  # organisme_id -> guichet
    guichets_commune: dict  # commune -> guichet
    guichet_als: tuple | None
    bailleurs: list  # (id, nom, sigle)
    validite_mois: int


def charger_contexte(p: Parametres) -> Contexte:
    from demandes.dossier.saisie import parametre
    from fdls.organismes.models import Guichet, Organisme
    from fdls.territoires.models import Commune, Quartier

    lignes = list(
        Commune.objects.filter(departement_id=p.departement).values_list(
            "code_insee", "nom", "epci_id", "codes_postaux", "population"
        )
    )
    if not lignes:
        raise ValueError(f"Aucune commune du département {p.departement} : chargez le référentiel.")
    communes = {c: (nom, epci, (cps or [""])[0]) for c, nom, epci, cps, _ in lignes}
    principal = [(c, max(pop, 1)) for c, _, e, _, pop in lignes if e == p.epci_principal]
    reste = [(c, max(pop, 1)) for c, _, e, _, pop in lignes if e != p.epci_principal]
    if not principal:
        principal, reste = reste, reste
    par_epci: dict = {}
    for c, _, e, _, pop in lignes:
        par_epci.setdefault(e, []).append((c, max(pop, 1)))
    quartiers: dict = {}
    for qid, commune in Quartier.objects.filter(commune__departement_id=p.departement).values_list("pk", "commune_id"):
        quartiers.setdefault(commune, []).append(qid)
    guichets = [
        (g.pk, g.code, g.organisme_id, g.organisme.nom, g.nom, g.commune_id, g.organisme.type)
        for g in Guichet.objects.filter(
            type=Guichet.Type.ACCOMPAGNATEUR, actif=True, commune__departement_id=p.departement
        )
        .select_related("organisme")
        .order_by("code")
    ]
    if not guichets:
        raise ValueError(
            f"Aucun guichet accompagnateur dans le département {p.departement} : chargez les partenaires (demo)."
        )
    en_ligne = next((g for g in guichets if g[6] == "adil"), guichets[0])
    als = next((g for g in guichets if g[6] == "action_logement"), None)
    par_bailleur = {g[2]: g for g in guichets if g[6] == "bailleur"}
    par_commune = {g[5]: g for g in guichets if g[6] == "commune"}
    bailleurs = list(
        Organisme.objects.filter(type=Organisme.Type.BAILLEUR, departement_id=p.departement)
        .order_by("nom")
        .values_list("pk", "nom", "sigle")
    ) or [(g[2], g[3], "") for g in guichets[:1]]
    return Contexte(
        communes=communes,
        tirage_principal=_Tirage(*zip(*principal, strict=True)),
        tirage_reste=_Tirage(*zip(*reste, strict=True)),
        tirage_departement=_Tirage([c for c, *_ in lignes], [max(pop, 1) for *_, pop in lignes]),
        tirage_par_epci={e: _Tirage(*zip(*v, strict=True)) for e, v in par_epci.items()},
        quartiers=quartiers,
        guichets=guichets,
        guichet_en_ligne=en_ligne,
        guichets_bailleur=par_bailleur,
        guichets_commune=par_commune,
        guichet_als=als,
        bailleurs=bailleurs,
        validite_mois=parametre("validite_demande", p.aujourd_hui or timezone.localdate()),
    )


# ---------------------------------------------------------------- outils de dates et de texte


def ajouter_mois(d: date, mois: int) -> date:
    """Comme ``relativedelta(months=mois)`` : le 29 février devient le 28."""
    total = d.year * 12 + d.month - 1 + mois
    annee, m = divmod(total, 12)
    m += 1
    jour = d.day
    if jour > 28:
        fins = (31, 29 if (annee % 4 == 0 and (annee % 100 != 0 or annee % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31)
        fins += (30, 31, 30, 31)
        jour = min(jour, fins[m - 1])
    return date(annee, m, jour)


def _texte(valeur) -> str:
    """Champ texte pour COPY (format texte) : antislash, tabulation et fin de ligne échappés."""
    if valeur is None:
        return N
    s = str(valeur)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


_ENCODEUR = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(valeur: dict) -> str:
    return _texte(_ENCODEUR.encode(valeur))


def _b(v: bool) -> str:
    return "t" if v else "f"


def _d(v) -> str:
    return N if v is None else v.isoformat()


def _m(v) -> str:
    return N if v is None else f"{v:.2f}"


def _i(v) -> str:
    return N if v is None else str(v)


def _ri(alea: random.Random, bas: int, haut: int) -> int:
    """``randint`` rapide (la version de la bibliothèque standard coûte dix fois plus)."""
    return bas + int(alea.random() * (haut - bas + 1))


def _ch(alea: random.Random, suite):
    return suite[int(alea.random() * len(suite))]


_HEURES = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(8, 18) for m in range(0, 60, 3) for s in (7, 23, 41)]


def _horodatage(d: date, alea: random.Random) -> str:
    return f"{d.isoformat()} {_HEURES[int(alea.random() * len(_HEURES))]}+00"


_CACHE_NORM: dict = {}


def _cles(nom: str) -> tuple[str, str]:
    """(normaliser_nom, cle_phonetique), en cache : les noms se répètent."""
    r = _CACHE_NORM.get(nom)
    if r is None:
        r = (normaliser_nom(nom), cle_phonetique(nom))
        if len(_CACHE_NORM) < 200_000:
            _CACHE_NORM[nom] = r
    return r


_ACCENTS = str.maketrans("éèêëàâäîïôöûüùçÉÈÊËÀÂÎÏÔÖÛÜÇœŒæÆ", "eeeeaaaiioouuucEEEEAAIIOOUUCoOaA")


def sans_accents(texte: str) -> str:
    return texte.translate(_ACCENTS)


def a_des_accents(texte: str) -> bool:
    return sans_accents(texte) != texte


# ---------------------------------------------------------------- ménage


class P:
    """Personne du ménage en cours de fabrication (attributs lus par ``demandes.calculs``)."""

    __slots__ = (
        "role",
        "civilite",
        "sexe",
        "nom",
        "nom_naissance",
        "prenom",
        "date_naissance",
        "nationalite",
        "situation_familiale",
        "lien_parente",
        "a_charge",
        "handicap",
        "telephone",
        "email",
        "profession",
        "activite",
        "cdd_interim",
        "activite_depuis",
        "csp",
        "employeur",
        "employeur_siret",
        "travail_cp",
        "travail_ville",
        "revenu_fiscal",
        "ressources",
    )

    def __init__(self, role, sexe, nom, prenom, naissance, lien=""):
        self.role = role
        self.sexe = sexe
        self.civilite = "MME" if sexe == "F" else "M"
        self.nom = nom
        self.nom_naissance = ""
        self.prenom = prenom
        self.date_naissance = naissance
        self.nationalite = ""
        self.situation_familiale = ""
        self.lien_parente = lien
        self.a_charge = False
        self.handicap = False
        self.telephone = ""
        self.email = ""
        self.profession = ""
        self.activite = ""
        self.cdd_interim = False
        self.activite_depuis = None
        self.csp = ""
        self.employeur = ""
        self.employeur_siret = ""
        self.travail_cp = ""
        self.travail_ville = ""
        self.revenu_fiscal = None
        self.ressources = []

    def copie(self) -> P:
        autre = P.__new__(P)
        for attr in P.__slots__:
            setattr(autre, attr, getattr(self, attr))
        autre.ressources = list(self.ressources)
        return autre


class _Menage:
    __slots__ = ("personnes", "enfants_a_naitre", "statut_occupation", "forme")

    def __init__(self, personnes, forme, enfants_a_naitre=0):
        self.personnes = personnes
        self.forme = forme
        self.enfants_a_naitre = enfants_a_naitre
        self.statut_occupation = ""


# ---------------------------------------------------------------- le générateur


class Generateur:
    def __init__(self, p: Parametres, ctx: Contexte, ids: dict, compteurs_nu: dict, compteurs_ref: dict):
        self.p = p
        self.ctx = ctx
        self.aujourd_hui = p.aujourd_hui or timezone.localdate()
        self.ids = ids  # table -> dernier id utilisé
        self.compteurs_nu = compteurs_nu
        self.compteurs_ref = compteurs_ref
        self.noms = _Tirage(NOMS, [1.0 / (i + 8) ** 0.9 for i in range(len(NOMS))])
        self.prenoms_f = _Tirage(PRENOMS_F, [1.0 / (i + 6) ** 0.8 for i in range(len(PRENOMS_F))])
        self.prenoms_m = _Tirage(PRENOMS_M, [1.0 / (i + 6) ** 0.8 for i in range(len(PRENOMS_M))])
        self.prenoms_accentues = {
            "F": [x for x in PRENOMS_F if a_des_accents(x)],
            "M": [x for x in PRENOMS_M if a_des_accents(x)],
        }
        self.departement_nu = p.departement.zfill(3)
        self.bilan = Bilan()
        self.debut_fenetre = self.aujourd_hui - timedelta(days=365 * p.annees_closes)
        self.numeros_differes = False
        self._numero_en_attente = None

    # ------------------------------------------------------------ identifiants et numéros

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _numeros(self, depot: date, guichet) -> tuple[str, str]:
        periode = f"{depot.month:02d}{depot.year % 100:02d}"
        cle = (self.departement_nu, periode, guichet[1])
        if self.numeros_differes:
            # Fabrication dans un processus de travail : séquences posées par le processus principal
            # (``_numeroter``), dans l'ordre des lots, pour que chaque séquence reste sans trou.
            self._numero_en_attente = (cle, f"{depot.year:04d}{depot.month:02d}")
            return (
                f"{self.departement_nu}{periode}{_ATTENTE_NU}{guichet[1]}",
                f"{depot.year:04d}{depot.month:02d}{_ATTENTE_REF}",
            )
        seq = self.compteurs_nu.get(cle, 0) + 1
        self.compteurs_nu[cle] = seq
        periode_ref = f"{depot.year:04d}{depot.month:02d}"
        ref = self.compteurs_ref.get(periode_ref, 0) + 1
        self.compteurs_ref[periode_ref] = ref
        return f"{self.departement_nu}{periode}{seq:06d}{guichet[1]}", f"{periode_ref}{ref:04d}"

    # ------------------------------------------------------------ personnes

    def _prenom(self, a: random.Random, sexe: str) -> str:
        return (self.prenoms_f if sexe == "F" else self.prenoms_m)(a)

    def _naissance(self, a: random.Random, age_min: int, age_max: int, le: date) -> date:
        jours = _ri(a, age_min * 365 + 1, age_max * 365 + 300)
        return le - timedelta(days=jours)

    def _activite(self, a: random.Random, pers: P, le: date, age: int) -> None:
        if age >= 63 or (age >= 58 and a.random() < 0.5):
            activite = "retraite"
        else:
            r = a.random()
            activite = (
                "salarie_prive"
                if r < 0.44
                else "demandeur_emploi"
                if r < 0.60
                else "sans_activite"
                if r < 0.74
                else "fonctionnaire"
                if r < 0.79
                else "invalidite"
                if r < 0.85
                else "etudiant"
                if (r < 0.89 and age < 30)
                else "independant"
                if r < 0.92
                else "apprenti"
                if (r < 0.94 and age < 27)
                else "assistant_familial"
                if r < 0.95
                else "salarie_prive"
            )
        pers.activite = activite
        ressources = []
        imposable = 0.0
        if activite in ("salarie_prive", "fonctionnaire", "independant", "apprenti", "assistant_familial"):
            profession, csp = PROFESSIONS[min(int(a.expovariate(0.18)), len(PROFESSIONS) - 1)]
            pers.profession, pers.csp = profession, csp
            if activite == "assistant_familial":
                pers.profession = "Assistant(e) maternel(le)"
            pers.cdd_interim = activite == "salarie_prive" and a.random() < 0.35
            pers.activite_depuis = le - timedelta(days=_ri(a, 30, 3650))
            temps_partiel = a.random() < 0.3
            salaire = a.gauss(1650, 380) * (0.6 if temps_partiel else 1.0)
            if activite == "apprenti":
                salaire = a.uniform(600, 1100)
            salaire = max(450.0, salaire)
            ressources.append(("salaire", salaire))
            imposable += salaire
            if salaire < 1500:
                ressources.append(("prime_activite", a.uniform(60, 260)))
            if a.random() < 0.5:
                pers.employeur = EMPLOYEURS[int(a.random() * len(EMPLOYEURS))]
                pers.employeur_siret = f"{_ri(a, 10**13, 10**14 - 1)}"
                cp_ville = self.ctx.communes[self.ctx.tirage_principal(a)]
                pers.travail_cp, pers.travail_ville = cp_ville[2], cp_ville[0]
        elif activite == "demandeur_emploi":
            pers.csp = "sans_activite"
            montant = a.uniform(500, 1400)
            ressources.append(("chomage", montant))
            imposable += montant
        elif activite == "retraite":
            pers.csp = "retraite"
            montant = max(700.0, a.gauss(1150, 300))
            ressources.append(("retraite", montant))
            imposable += montant
        elif activite == "invalidite":
            pers.csp = "sans_activite"
            if a.random() < 0.6:
                ressources.append(("aah", a.uniform(900, 1016)))
                pers.handicap = True
            else:
                montant = a.uniform(600, 1100)
                ressources.append(("invalidite", montant))
                imposable += montant
        elif activite == "etudiant":
            pers.csp = "sans_activite"
            ressources.append(("bourse", a.uniform(100, 600)))
        else:
            pers.csp = "sans_activite"
            if a.random() < 0.7:
                ressources.append(("rsa", a.uniform(550, 640)))
        pers.ressources = ressources
        # RFR N-2 : revenus imposables d'il y a deux ans, abattement de 10 %, à ±25 %.
        pers.revenu_fiscal = round(max(0.0, imposable * 12 * 0.9 * a.uniform(0.75, 1.25)))

    def _adulte(self, a: random.Random, role: str, le: date, *, sexe=None, nom=None, age=(18, 80), lien="") -> P:
        sexe = sexe or ("F" if a.random() < 0.58 else "M")
        naissance = self._naissance(a, age[0], age[1], le)
        pers = P(role, sexe, nom or self.noms(a), self._prenom(a, sexe), naissance, lien)
        r = a.random()
        pers.nationalite = "francaise" if r < 0.76 else "ue" if r < 0.81 else "hors_ue"
        self._activite(a, pers, le, calculs.age(naissance, le))
        if a.random() < 0.03:
            pers.handicap = True
        return pers

    def _enfant(self, a: random.Random, nom: str, parent: P, le: date, lien="enfant") -> P:
        age_parent = calculs.age(parent.date_naissance, le)
        age_max = max(0, min(24, age_parent - 18))
        age_enfant = _ri(a, 0, age_max) if age_max > 0 else 0
        sexe = "F" if a.random() < 0.49 else "M"
        naissance = le - timedelta(days=age_enfant * 365 + _ri(a, 1, 360))
        enfant = P("occupant", sexe, nom, self._prenom(a, sexe), naissance, lien)
        enfant.civilite = ""
        enfant.a_charge = age_enfant < 21
        if age_enfant >= 18 and a.random() < 0.5:
            self._activite(a, enfant, le, age_enfant)
        else:
            enfant.activite = "etudiant" if age_enfant >= 16 else ""
        if a.random() < 0.02:
            enfant.handicap = True
        return enfant

    def _menage(self, a: random.Random, le: date) -> _Menage:
        r = a.random()
        if r < 0.43:
            forme = "seule"
            d = self._adulte(a, "demandeur", le, age=(18, 85))
            d.situation_familiale = _ch(a, ["celibataire", "celibataire", "divorce", "separe", "veuf"])
            personnes = [d]
        elif r < 0.67:
            forme = "monoparentale"
            d = self._adulte(a, "demandeur", le, sexe="F" if a.random() < 0.85 else "M", age=(20, 58))
            d.situation_familiale = _ch(a, ["celibataire", "divorce", "separe"])
            nb = min(1 + int(a.expovariate(0.9)), 5)
            personnes = [d] + [self._enfant(a, d.nom, d, le) for _ in range(nb)]
            for enfant in personnes[1:]:
                if a.random() < 0.1:
                    enfant.lien_parente = "enfant_garde_alternee"
            if a.random() < 0.35:
                d.ressources.append(("pension_alimentaire_recue", a.uniform(80, 300)))
        elif r < 0.96:
            forme = "couple" if r < 0.78 else "famille"
            d = self._adulte(a, "demandeur", le, age=(19, 80))
            conjoint_sexe = "M" if d.sexe == "F" else "F"
            c = self._adulte(a, "codemandeur", le, sexe=conjoint_sexe, age=(19, 80), lien="conjoint")
            # Âges proches dans le couple.
            c.date_naissance = d.date_naissance + timedelta(days=_ri(a, -2500, 2500))
            if calculs.age(c.date_naissance, le) < 18:
                c.date_naissance = le - timedelta(days=18 * 365 + _ri(a, 1, 2000))
            sf = _ch(a, ["marie", "pacse", "concubin", "concubin"])
            d.situation_familiale = c.situation_familiale = sf
            if sf == "marie" and a.random() < 0.6:
                femme = d if d.sexe == "F" else c
                mari = c if femme is d else d
                femme.nom_naissance = femme.nom
                femme.nom = mari.nom
            personnes = [d, c]
            if forme == "famille":
                nb = min(1 + int(a.expovariate(0.7)), 6)
                plus_jeune = d if d.date_naissance > c.date_naissance else c
                personnes += [self._enfant(a, d.nom, plus_jeune, le) for _ in range(nb)]
        else:
            forme = "seule_autres"
            d = self._adulte(a, "demandeur", le, age=(20, 75))
            d.situation_familiale = "celibataire"
            lien = _ch(a, ["parent", "frere_soeur", "autre_parent", "sans_lien"])
            autre = self._adulte(a, "occupant", le, lien=lien, age=(18, 90))
            if lien in ("parent", "frere_soeur"):
                autre.nom = d.nom
            personnes = [d, autre]
        enfants = personnes[2:] if forme == "famille" else personnes[1:] if forme == "monoparentale" else []
        if len(enfants) >= 2:
            d.ressources.append(("allocations_familiales", 140.0 * (len(enfants) - 1) + a.uniform(0, 40)))
        a_naitre = 1 if forme in ("couple", "famille") and a.random() < 0.03 else 0
        for pers in personnes:
            if pers.role in ("demandeur", "codemandeur"):
                pers.telephone = f"06 {_ri(a, 10, 99)} {_ri(a, 10, 99)} {_ri(a, 10, 99)} {_ri(a, 10, 99)}"
                if a.random() < 0.45:
                    local = normaliser_nom(f"{pers.prenom}.{pers.nom}").lower().replace(" ", ".")
                    pers.email = f"{local}{_ri(a, 1, 99)}@exemple.fr"
        return _Menage(personnes, forme, a_naitre)

    def menage_aleatoire(self, a: random.Random, le: date | None = None) -> _Menage:
        """Un ménage tiré comme ceux du fichier, sans rien écrire (bancs : nouveaux dossiers)."""
        menage = self._menage(a, le or self.aujourd_hui)
        menage.statut_occupation = "locataire_hlm" if a.random() < self.p.part_mutation else "locataire_prive"
        return menage

    def communes_aleatoires(self, a: random.Random) -> list[str]:
        return [commune for commune, _quartier in self._localisations(a)]

    # ------------------------------------------------------------ logement recherché

    @staticmethod
    def _typologies(a: random.Random, taille: int) -> list[str]:
        r = a.random()
        if taille <= 1:
            t = "chambre" if r < 0.01 else "T1" if r < 0.22 else "T2" if r < 0.92 else "T3"
        elif taille == 2:
            t = "T2" if r < 0.55 else "T3" if r < 0.95 else "T4"
        elif taille == 3:
            t = "T2" if r < 0.03 else "T3" if r < 0.68 else "T4"
        elif taille == 4:
            t = "T3" if r < 0.25 else "T4" if r < 0.90 else "T5"
        elif taille == 5:
            t = "T4" if r < 0.50 else "T5" if r < 0.95 else "T6"
        else:
            t = "T5" if r < 0.6 else "T6"
        ordre = ["chambre", "T1", "T2", "T3", "T4", "T5", "T6"]
        i = ordre.index(t)
        if a.random() < 0.4 and 1 <= i < 6:
            voisin = ordre[i + 1] if a.random() < 0.5 else ordre[max(1, i - 1)]
            return sorted({t, voisin}, key=ordre.index)
        return [t]

    def _localisations(self, a: random.Random) -> list[tuple[str, int | None]]:
        ctx = self.ctx
        premiere = ctx.tirage_principal(a) if a.random() < self.p.part_epci_principal else ctx.tirage_reste(a)
        r = a.random()
        nb = 1 if r < 0.30 else 2 if r < 0.50 else 3 if r < 0.70 else 4 if r < 0.85 else 5
        choisies = [premiere]
        epci = ctx.communes[premiere][1]
        tirage_epci = ctx.tirage_par_epci.get(epci, ctx.tirage_departement)
        essais = 0
        while len(choisies) < nb and essais < 20:
            essais += 1
            c = tirage_epci(a) if a.random() < 0.8 else ctx.tirage_departement(a)
            if c not in choisies:
                choisies.append(c)
        resultat = []
        for c in choisies:
            qs = ctx.quartiers.get(c)
            resultat.append((c, _ch(a, qs) if qs and a.random() < 0.1 else None))
        return resultat

    def _situation(self, a: random.Random, menage: _Menage, mutation: bool) -> dict:
        taille = len(menage.personnes)
        if mutation:
            statut = "locataire_hlm"
        else:
            r = a.random()
            statut = (
                "locataire_prive"
                if r < 0.42
                else "heberge_famille"
                if r < 0.66
                else "heberge_particulier"
                if r < 0.74
                else "structure_hebergement"
                if r < 0.80
                else "logement_foyer"
                if r < 0.85
                else "logement_temporaire"
                if r < 0.89
                else "proprietaire"
                if r < 0.92
                else "residence_etudiante"
                if r < 0.94
                else "logement_fonction"
                if r < 0.955
                else "sans_abri"
                if r < 0.975
                else "hotel"
                if r < 0.985
                else "camping"
                if r < 0.995
                else "squat"
            )
        menage.statut_occupation = statut
        loge = statut in ("locataire_hlm", "locataire_prive", "proprietaire", "logement_fonction")
        pieces = None
        surface = None
        loyer = None
        aides = None
        if loge:
            pieces = max(1, min(6, taille + _ch(a, [-1, -1, 0, 0, 1, 2]) if mutation else taille + _ch(a, [-1, 0])))
            surface = 18 + pieces * _ri(a, 14, 22)
            if statut != "proprietaire":
                loyer = (5.8 if statut == "locataire_hlm" else 11.5) * surface * a.uniform(0.85, 1.2) + 40
                aides = a.uniform(80, 320) if a.random() < 0.45 else None
        motifs: list[str]
        if mutation:
            if pieces is not None and pieces > taille + 1:
                motifs = ["trop_grand"]
            elif pieces is not None and pieces < taille:
                motifs = ["trop_petit"]
            else:
                motifs = [_ch(a, ["environnement", "handicap", "trop_cher", "rapprochement_famille", "sante"])]
        elif statut == "locataire_prive":
            motifs = [_ch(a, ["trop_cher", "trop_cher", "trop_petit", "logement_repris", "non_decent"])]
        elif statut in ("heberge_famille", "heberge_particulier"):
            motifs = [_ch(a, ["sans_logement", "decohabitation", "decohabitation"])]
        elif statut in ("sans_abri", "hotel", "squat", "camping", "structure_hebergement", "logement_temporaire"):
            motifs = ["sans_logement"]
        else:
            motifs = [_ch(a, ["trop_cher", "eloigne_travail", "rapprochement_services", "autre"])]
        if menage.forme == "monoparentale" and a.random() < 0.25:
            motifs.append("divorce")
        if a.random() < 0.08:
            motifs.append("eloigne_travail")
        if a.random() < 0.015:
            motifs.append("violences")
        r = a.random()
        categorie = "appartement" if r < 0.17 else "maison" if r < 0.41 else "indifferent"
        return {
            "statut": statut,
            "categorie_actuelle": ("maison" if a.random() < 0.25 else "appartement") if loge else "",
            "pieces": pieces,
            "surface": surface,
            "loyer": loyer,
            "aides": aides,
            "occupants": taille if loge else None,
            "motifs": list(dict.fromkeys(motifs)),
            "categorie": categorie,
            "handicap": any(x.handicap for x in menage.personnes),
        }

    # ------------------------------------------------------------ dates

    def _renouvellements(self, a: random.Random, depot: date, jusqua: date) -> tuple[list[date], date]:
        """Renouvellements chaque année avant l'échéance, tant que l'échéance précède ``jusqua``."""
        v = self.ctx.validite_mois
        expiration = ajouter_mois(depot, v)
        renouvellements = []
        while expiration < jusqua:
            r = expiration - timedelta(days=_ri(a, 0, 30))
            if r <= (renouvellements[-1] if renouvellements else depot):
                r = expiration
            renouvellements.append(r)
            expiration = ajouter_mois(r, v)
        return renouvellements, expiration

    def _anciennete_active(self, a: random.Random) -> date:
        r = a.random()
        if r < 0.29:
            jours = _ri(a, 0, 182)
        elif r < 0.58:
            jours = _ri(a, 183, 365)
        elif r < 0.77:
            jours = _ri(a, 366, 730)
        else:
            jours = 731 + int(a.expovariate(1 / 700.0))
            jours = min(jours, 365 * 12)
        return self.aujourd_hui - timedelta(days=jours)

    # ------------------------------------------------------------ guichet

    def _guichet(self, a: random.Random, mutation: bool, bailleur_id, premiere_commune: str):
        ctx = self.ctx
        if a.random() < self.p.part_en_ligne:
            return ctx.guichet_en_ligne, "en_ligne"
        if mutation and bailleur_id in ctx.guichets_bailleur and a.random() < 0.7:
            return ctx.guichets_bailleur[bailleur_id], "guichet"
        r = a.random()
        if ctx.guichet_als and r < 0.08:
            return ctx.guichet_als, "guichet"
        if premiere_commune in ctx.guichets_commune and r < 0.6:
            return ctx.guichets_commune[premiere_commune], "guichet"
        return ctx.guichet_en_ligne, "guichet"

    # ------------------------------------------------------------ une demande

    def demande(
        self,
        a: random.Random,
        lot: _Lot,
        *,
        etat: str,
        depot: date,
        fin: date | None = None,
        motif_annulation: str = "",
        menage: _Menage | None = None,
        localisations=None,
        guichet=None,
    ) -> tuple[int, _Menage, list]:
        """Écrit une demande et tout son dossier dans le lot ; renvoie son id, son ménage et ses choix."""
        ctx = self.ctx
        if motif_annulation == "non_renouvellement":
            # Annulation automatique le lendemain de l'échéance non renouvelée.
            renouvellements, expiration = self._renouvellements(a, depot, fin - timedelta(days=1))
            if expiration + timedelta(days=1) >= self.aujourd_hui and renouvellements:
                renouvellements.pop()
                expiration = ajouter_mois(renouvellements[-1] if renouvellements else depot, ctx.validite_mois)
            if expiration + timedelta(days=1) >= self.aujourd_hui:
                motif_annulation = "renonciation"
                renouvellements, expiration = self._renouvellements(a, depot, fin)
            else:
                fin = expiration + timedelta(days=1)
        else:
            renouvellements, expiration = self._renouvellements(a, depot, fin or self.aujourd_hui)
        le = fin or self.aujourd_hui
        menage = menage or self._menage(a, depot)
        demandeur = menage.personnes[0]
        mutation = menage.statut_occupation == "locataire_hlm" if menage.statut_occupation else None
        if mutation is None:
            mutation = a.random() < self.p.part_mutation
        situation = self._situation(a, menage, mutation)
        bailleur = ctx.bailleurs[int(a.random() * len(ctx.bailleurs))] if mutation else None
        localisations = localisations or self._localisations(a)
        if guichet is None:
            guichet, canal = self._guichet(a, mutation, bailleur[0] if bailleur else None, localisations[0][0])
        else:
            canal = "en_ligne" if guichet is ctx.guichet_en_ligne and a.random() < 0.8 else "guichet"
        demande_id = self._id("demande")
        nu, reference = self._numeros(depot, guichet)
        valeurs = calculs.valeurs_stockees(menage, menage.personnes, le)
        typologies = self._typologies(a, valeurs["nb_personnes"])
        organisme_guichet = guichet[2]
        auteur_guichet = guichet[3][:150]
        en_ligne = canal == "en_ligne"

        # --- Événements (ordre chronologique) : enregistrement, renouvellements, modifications, CAL, fin.
        evts: list[tuple] = []
        nu_affiche = f"{nu[:3]} {nu[3:7]} {nu[7:13]} {nu[13:]}"
        evts.append(
            (
                depot,
                "enregistrement",
                f"Numéro unique {nu_affiche} – guichet {guichet[4]}"[:2000],
                # Détails déjà en JSON (codes et chiffres, rien à échapper) : évite l'encodeur pour les événements
                # les plus nombreux ; ``test_generateur`` relit chaque détail comme un dictionnaire.
                f'{{"numero_unique":"{nu}","reference":"{reference}","guichet":"{guichet[1]}"}}',
                "brouillon",
                "active",
                auteur_guichet,
                organisme_guichet,
            )
        )
        ancienne = ajouter_mois(depot, ctx.validite_mois)
        for r in renouvellements:
            nouvelle = ajouter_mois(r, ctx.validite_mois)
            par_demandeur = en_ligne and a.random() < 0.6
            evts.append(
                (
                    r,
                    "renouvellement",
                    f"Valable jusqu'au {nouvelle:%d/%m/%Y}",
                    f'{{"ancienne_expiration":"{ancienne.isoformat()}","nouvelle_expiration":"{nouvelle.isoformat()}"}}',
                    "active",
                    "active",
                    DEMANDEUR_EN_LIGNE if par_demandeur else auteur_guichet,
                    None if par_demandeur else organisme_guichet,
                )
            )
            ancienne = nouvelle
        duree = max(1, (le - depot).days)
        # Pièces ajoutées à l'enregistrement et à l'instruction.
        for _ in range(1 + (a.random() < 0.5)):
            code, libelle = PIECES[int(a.random() * len(PIECES))]
            jour = depot + timedelta(days=min(duree - 1, _ri(a, 0, 20)))
            evts.append(
                (
                    jour,
                    "piece_ajoutee",
                    libelle,
                    f'{{"piece":"{code}"}}',
                    "active",
                    "active",
                    auteur_guichet,
                    organisme_guichet,
                )
            )
        # Localisations ajoutées après le dépôt : date d'ancienneté propre et modification historisée.
        anciennetes = []
        for rang, (commune, _q) in enumerate(localisations, 1):
            if rang > 1 and duree > 60 and a.random() < 0.35:
                jour = depot + timedelta(days=_ri(a, 30, duree - 1))
                anciennetes.append(jour)
                evts.append(
                    (
                        jour,
                        "modification",
                        "Localisation souhaitée",
                        {
                            "changements": [
                                {
                                    "rubrique": "Localisation souhaitée",
                                    "champ": ctx.communes[commune][0],
                                    "ancien": "—",
                                    "nouveau": "Souhaitée",
                                }
                            ]
                        },
                        "active",
                        "active",
                        auteur_guichet,
                        organisme_guichet,
                    )
                )
            else:
                anciennetes.append(depot)
        # Autres modifications : environ une tous les 18 mois.
        nb_modifs = int(a.expovariate(540.0 / duree)) if duree > 30 else 0
        for _ in range(min(nb_modifs, 6)):
            jour = depot + timedelta(days=_ri(a, 1, duree - 1)) if duree > 1 else depot
            rubrique, champ, ancien, nouveau = self._modification(a, situation)
            evts.append(
                (
                    jour,
                    "modification",
                    rubrique,
                    {"changements": [{"rubrique": rubrique, "champ": champ, "ancien": ancien, "nouveau": nouveau}]},
                    "active",
                    "active",
                    auteur_guichet if a.random() < 0.5 else DEMANDEUR_EN_LIGNE,
                    organisme_guichet,
                )
            )
        # Propositions, passages en CAL et refus (cotation : décotes et « déjà passé en CAL »).
        part_cal = 0.12 if etat == "active" else 0.25
        if duree > 90 and a.random() < part_cal:
            for _ in range(1 + int(a.expovariate(1.5))):
                self._episode_cal(a, evts, depot, le if etat == "active" else le - timedelta(days=60), typologies)
        date_fin = None
        if etat == "satisfaite":
            self._satisfaction(a, evts, depot, fin, typologies)
            date_fin = fin
        elif etat == "annulee":
            date_fin = fin
            if motif_annulation == "non_renouvellement":
                evts.append(
                    (
                        fin,
                        "annulation_automatique",
                        "Non renouvellement dans le délai",
                        '{"motif":"non_renouvellement"}',
                        "active",
                        "annulee",
                        AUTOMATE,
                        None,
                    )
                )
            else:
                if motif_annulation == "irrecevabilite":
                    self._cal(a, evts, fin - timedelta(days=7), typologies, decision="irrecevabilite")
                libelle = {
                    "renonciation": "Renonciation du demandeur",
                    "non_reponse": "Absence de réponse à un courrier",
                    "irrecevabilite": "Irrecevabilité décidée par une CAL",
                    "attribution_hors_fichier": "Relogé hors du parc social",
                }[motif_annulation]
                evts.append(
                    (
                        fin,
                        "annulation",
                        libelle,
                        f'{{"motif":"{motif_annulation}"}}',
                        "active",
                        "annulee",
                        auteur_guichet,
                        organisme_guichet,
                    )
                )

        # --- Demande
        adresse_commune = localisations[0][0] if a.random() < 0.6 else ctx.tirage_departement(a)
        nom_commune, _epci, cp = ctx.communes[adresse_commune]
        sans_adresse = situation["statut"] in ("sans_abri",)
        dernier_evt = max(e[0] for e in evts)
        loyer_max = round(situation["loyer"] * a.uniform(0.9, 1.2)) if situation["loyer"] and a.random() < 0.3 else None
        if self.numeros_differes:
            # Séquences à poser par le processus principal, dans l'ordre des demandes du lot (``_numeroter``).
            lot.numeros.append(self._numero_en_attente)
        lot.demandes.append(
            "\t".join(
                (
                    str(demande_id),
                    nu,
                    reference,
                    etat,
                    canal,
                    str(guichet[0]),
                    self.p.departement,
                    str(organisme_guichet),
                    depot.isoformat(),
                    _d(renouvellements[-1] if renouvellements else None),
                    expiration.isoformat(),
                    _d(date_fin),
                    motif_annulation,
                    "",
                    _b(en_ligne),
                    _texte(demandeur.nom.strip()),
                    _texte(demandeur.prenom.strip()),
                    demandeur.date_naissance.isoformat(),
                    "" if sans_adresse else str(_ri(a, 1, 180)),
                    "" if sans_adresse else VOIES[int(a.random() * len(VOIES))],
                    "",
                    "" if sans_adresse else cp,
                    "" if sans_adresse else _texte(nom_commune),
                    "",
                    demandeur.telephone,
                    demandeur.email,
                    str(menage.enfants_a_naitre),
                    situation["statut"],
                    _d(depot - timedelta(days=_ri(a, 60, 4000))),
                    situation["categorie_actuelle"],
                    _i(situation["pieces"]),
                    _i(situation["surface"]),
                    _m(situation["loyer"]),
                    _m(situation["aides"]),
                    _i(situation["occupants"]),
                    "f",
                    _i(bailleur[0] if bailleur else None),
                    "{" + ",".join(situation["motifs"]) + "}",
                    "",
                    "{" + ",".join(typologies) + "}",
                    situation["categorie"],
                    _b(a.random() < 0.3),
                    _b(situation["handicap"] and a.random() < 0.6),
                    _b(not situation["handicap"] and a.random() < 0.8),
                    _b(situation["handicap"] and a.random() < 0.5),
                    _m(loyer_max),
                    "",
                    valeurs["nature"],
                    str(valeurs["categorie_menage"]),
                    str(valeurs["nb_personnes"]),
                    _b(valeurs["mutation"]),
                    _horodatage(depot, a),
                    _horodatage(dernier_evt, a),
                )
            )
            + "\n"
        )
        # --- Ménage
        for rang, pers in enumerate(menage.personnes):
            pid = self._id("personne")
            lot.personnes.append(
                "\t".join(
                    (
                        str(pid),
                        str(demande_id),
                        pers.role,
                        str(rang),
                        pers.civilite,
                        pers.sexe,
                        _texte(pers.nom),
                        _texte(pers.nom_naissance),
                        _texte(pers.prenom),
                        pers.date_naissance.isoformat(),
                        pers.nationalite,
                        pers.situation_familiale,
                        pers.lien_parente,
                        _b(pers.a_charge),
                        _b(pers.handicap),
                        pers.telephone,
                        pers.email,
                        _texte(pers.profession),
                        pers.activite,
                        _b(pers.cdd_interim),
                        _d(pers.activite_depuis),
                        N,
                        pers.csp,
                        _texte(pers.employeur),
                        pers.employeur_siret,
                        "",
                        pers.travail_cp,
                        _texte(pers.travail_ville),
                        _m(pers.revenu_fiscal),
                        N,
                    )
                )
                + "\n"
            )
            vus = set()
            for type_, montant in pers.ressources:
                if type_ in vus:
                    continue
                vus.add(type_)
                lot.ressources.append(f"{self._id('ressource')}\t{pid}\t{type_}\t{montant:.2f}\n")
            if pers.role in ("demandeur", "codemandeur"):
                nom_n, nom_p = _cles(pers.nom)
                prenom_n, prenom_p = _cles(pers.prenom)
                lot.cles.append(
                    f"{self._id('cle')}\t{demande_id}\t{pers.role}\t{nom_n}\t{prenom_n}\t{nom_p}\t{prenom_p}\t"
                    f"{pers.date_naissance.isoformat()}\n"
                )
        # --- Localisations
        for rang, ((commune, quartier), anciennete) in enumerate(zip(localisations, anciennetes, strict=True), 1):
            lot.localisations.append(
                f"{self._id('localisation')}\t{demande_id}\t{rang}\t{commune}\t{_i(quartier)}\t{anciennete.isoformat()}\n"
            )
        # --- Historique
        evts.sort(key=lambda e: e[0])
        for jour, type_, precisions, details, avant, apres, auteur, organisme in evts:
            heure = HEURES_FIXES.get(type_)
            horodatage = f"{jour.isoformat()} {heure}+00" if heure else _horodatage(jour, a)
            lot.evenements.append(
                f"{self._id('evenement')}\t{demande_id}\t{type_}\t{horodatage}\t{_texte(precisions)}\t"
                f"{details if details.__class__ is str else _json(details)}\t{avant}\t{apres}\t"
                f"{_texte(auteur)}\t{_i(organisme)}\n"
            )
        b = self.bilan
        b.demandes += 1
        b.personnes += len(menage.personnes)
        b.localisations += len(localisations)
        b.evenements += len(evts)
        if etat == "active":
            b.actives += 1
        elif etat == "satisfaite":
            b.satisfaites += 1
        else:
            b.annulees += 1
        return demande_id, menage, localisations

    @staticmethod
    def _modification(a: random.Random, situation: dict) -> tuple[str, str, str, str]:
        r = a.random()
        if r < 0.35:
            return (
                "Coordonnées",
                "Téléphone portable",
                "—",
                f"07 {_ri(a, 10, 99)} {_ri(a, 10, 99)} {_ri(a, 10, 99)} {_ri(a, 10, 99)}",
            )
        if r < 0.6 and situation["loyer"]:
            ancien = situation["loyer"] * a.uniform(0.9, 0.98)
            return (
                "Situation actuelle",
                "Loyer avec charges (€/mois)",
                f"{ancien:.2f}".replace(".", ","),
                f"{situation['loyer']:.2f}".replace(".", ","),
            )
        if r < 0.8:
            return ("Demandeur", "Ressource : Salaires ou revenus d'activité", "—", f"{a.uniform(900, 1900):.2f}")
        return ("Logement recherché", "Souhaite un parking", "Non", "Oui")

    def _bailleur(self, a: random.Random):
        return self.ctx.bailleurs[int(a.random() * len(self.ctx.bailleurs))]

    def _bien(self, a: random.Random) -> str:
        return f"44-{_ri(a, 900, 999)}-{_ri(a, 100, 999)}{_ch(a, 'ABCD')}-{_ri(a, 100000, 999999)}"

    def _cal(self, a, evts, jour: date, typologies, *, decision: str, rang: int = 1, bailleur=None, bien=None):
        bailleur = bailleur or self._bailleur(a)
        bien = bien or self._bien(a)
        seance = jour + timedelta(days=_ri(a, 3, 14))
        commission = f"CAL {bailleur[2] or bailleur[1]}"[:60]
        evts.append(
            (
                jour,
                "passage_cal",
                f"Commission {commission} - séance du {seance:%d/%m/%Y} - bien {bien}",
                {"commission": commission, "seance": seance.isoformat(), "bien": bien, "typologie": typologies[0]},
                "active",
                "active",
                bailleur[1],
                bailleur[0],
            )
        )
        libelles = {
            "attribution": "Attribution",
            "attribution_rang": "Attribution (candidats classés)",
            "attribution_condition": "Attribution sous condition suspensive",
            "non_attribution": "Non-attribution",
            "irrecevabilite": "Irrecevabilité",
        }
        evts.append(
            (
                seance,
                "decision_cal",
                f"Commission {commission} - séance du {seance:%d/%m/%Y} - Décision : {libelles[decision]} "
                f"- Rang : {rang} - bien {bien}",
                {"decision": decision, "rang": rang, "seance": seance.isoformat(), "bien": bien, "motif": ""},
                "active",
                "active",
                bailleur[1],
                bailleur[0],
            )
        )
        return bailleur, bien, seance

    def _episode_cal(self, a: random.Random, evts, depot: date, jusqua: date, typologies) -> None:
        duree = (jusqua - depot).days
        if duree < 30:
            return
        jour = depot + timedelta(days=_ri(a, 15, duree - 15))
        bailleur = self._bailleur(a)
        bien = self._bien(a)
        evts.append(
            (
                jour,
                "proposition",
                f"Création proposition {_ri(a, 100000, 999999)}",
                {"bien": bien, "typologie": typologies[0]},
                "active",
                "active",
                bailleur[1],
                bailleur[0],
            )
        )
        r = a.random()
        if r < 0.40:
            # Refus d'être positionné en CAL après un contact (décote « refus avant CAL »).
            evts.append(
                (
                    jour + timedelta(days=_ri(a, 2, 15)),
                    "refus_proposition",
                    MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))],
                    {"etape": "avant_cal", "bien": bien, "motif": MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))]},
                    "active",
                    "active",
                    bailleur[1],
                    bailleur[0],
                )
            )
        elif r < 0.75:
            rang = _ri(a, 2, 3)
            _, _, seance = self._cal(
                a, evts, jour + timedelta(days=5), typologies, decision="attribution_rang", rang=rang, bailleur=bailleur
            )
            evts.append(
                (
                    seance + timedelta(days=_ri(a, 5, 30)),
                    "non_attribution",
                    f"Bail signé par le candidat classé devant - bien {bien}",
                    {"bien": bien, "rang": rang},
                    "active",
                    "active",
                    bailleur[1],
                    bailleur[0],
                )
            )
        elif r < 0.90:
            _, _, seance = self._cal(
                a, evts, jour + timedelta(days=5), typologies, decision="attribution", bailleur=bailleur, bien=bien
            )
            motif = MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))]
            evts.append(
                (
                    seance + timedelta(days=_ri(a, 3, 20)),
                    "refus_proposition",
                    motif,
                    {"etape": "apres_attribution", "bien": bien, "motif": motif},
                    "active",
                    "active",
                    bailleur[1],
                    bailleur[0],
                )
            )
        else:
            self._cal(
                a, evts, jour + timedelta(days=5), typologies, decision="non_attribution", bailleur=bailleur, bien=bien
            )

    def _satisfaction(self, a: random.Random, evts, depot: date, fin: date, typologies) -> None:
        bailleur = self._bailleur(a)
        bien = self._bien(a)
        # Proposition 35 à 70 jours avant le bail, jamais avant le dépôt (délais courts : un mois).
        proposition = max(fin - timedelta(days=_ri(a, 35, 70)), depot + timedelta(days=1))
        evts.append(
            (
                proposition,
                "proposition",
                f"Création proposition {_ri(a, 100000, 999999)}",
                {"bien": bien, "typologie": typologies[0]},
                "active",
                "active",
                bailleur[1],
                bailleur[0],
            )
        )
        decision = "attribution" if a.random() < 0.85 else "attribution_condition"
        self._cal(a, evts, proposition + timedelta(days=7), typologies, decision=decision, bailleur=bailleur, bien=bien)
        evts.append(
            (
                fin,
                "satisfaction",
                f"Bail signé – bien {bien}",
                {"bien": bien, "bailleur": bailleur[1]},
                "active",
                "satisfaite",
                bailleur[1],
                bailleur[0],
            )
        )

    # ------------------------------------------------------------ doublons semés

    def _doublon(self, a: random.Random, lot: _Lot, type_: str, originale: int, menage: _Menage, localisations, depot):
        nouvelles = [x.copie() for x in menage.personnes]
        d = nouvelles[0]
        if type_ == "faute_frappe":
            if a.random() < 0.7 or len(d.prenom) < 4:
                d.nom = _faute(a, d.nom)
            else:
                d.prenom = _faute(a, d.prenom)
        elif type_ == "inversion":
            d.nom, d.prenom = d.prenom, d.nom
        elif type_ == "accents":
            d.nom, d.prenom = sans_accents(d.nom), sans_accents(d.prenom)
        else:
            c = next(x for x in nouvelles if x.role == "codemandeur")
            c.role, c.lien_parente = "demandeur", ""
            enfants = [x for x in nouvelles if x.role == "occupant"]
            nouvelles = [c] + enfants
        autre = _Menage(nouvelles, menage.forme, menage.enfants_a_naitre)
        autre.statut_occupation = menage.statut_occupation
        duree = max(1, (self.aujourd_hui - depot).days)
        depot_doublon = depot + timedelta(days=_ri(a, 0, duree))
        guichet = self.ctx.guichets[int(a.random() * len(self.ctx.guichets))]
        doublon_id, _, _ = self.demande(
            a, lot, etat="active", depot=depot_doublon, menage=autre, localisations=localisations, guichet=guichet
        )
        lot.doublons.append(f"{self._id('doublon')}\t{originale}\t{doublon_id}\t{type_}\n")
        self.bilan.doublons += 1

    def preparer_accents(self, a: random.Random, menage: _Menage) -> None:
        """Un doublon « accents manquants » suppose un original accentué."""
        d = menage.personnes[0]
        if not a_des_accents(d.nom + d.prenom):
            d.prenom = _ch(a, self.prenoms_accentues[d.sexe])

    # ------------------------------------------------------------ plan des lots

    def lot(self, numero: int, actives: int, satisfaites: int, annulees: int) -> _Lot:
        a = random.Random(f"{self.p.graine}-{self.ids['demande']}-{numero}")
        lot = _Lot()
        restantes = actives
        while restantes > 0:
            depot = self._anciennete_active(a)
            if restantes >= 2 and a.random() < self.p.part_doublons:
                menage = self._menage(a, depot)
                couple = any(x.role == "codemandeur" for x in menage.personnes)
                type_ = _ch(a, ["faute_frappe", "inversion", "accents"] + (["codemandeur_seul"] if couple else []))
                if type_ == "accents":
                    self.preparer_accents(a, menage)
                originale, menage, localisations = self.demande(a, lot, etat="active", depot=depot, menage=menage)
                self._doublon(a, lot, type_, originale, menage, localisations, depot)
                restantes -= 2
            else:
                self.demande(a, lot, etat="active", depot=depot)
                restantes -= 1
        fenetre = (self.aujourd_hui - self.debut_fenetre).days
        moyenne = self.p.delai_moyen_mois * 30.44
        for _ in range(satisfaites):
            fin = self.debut_fenetre + timedelta(days=_ri(a, 0, fenetre - 1))
            delai = min(max(31, int(a.gammavariate(2.0, moyenne / 2.0))), 365 * 12)
            self.demande(a, lot, etat="satisfaite", depot=fin - timedelta(days=delai), fin=fin)
        for _ in range(annulees):
            r = a.random()
            motif = (
                "non_renouvellement"
                if r < 0.76
                else "renonciation"
                if r < 0.88
                else "attribution_hors_fichier"
                if r < 0.94
                else "non_reponse"
                if r < 0.98
                else "irrecevabilite"
            )
            if motif == "non_renouvellement":
                depot, fin = self._vie_non_renouvelee(a, fenetre)
            else:
                fin = self.debut_fenetre + timedelta(days=_ri(a, 0, fenetre - 1))
                depot = fin - timedelta(days=_ri(a, 60, 1100))
            self.demande(a, lot, etat="annulee", depot=depot, fin=fin, motif_annulation=motif)
        return lot

    def _vie_non_renouvelee(self, a: random.Random, fenetre: int) -> tuple[date, date]:
        """Dépôt et fin visée : 1 à 4 ans de validité ; ``demande`` recale la fin sur l'échéance."""
        r = a.random()
        annees = 1 if r < 0.6 else 2 if r < 0.85 else 3 if r < 0.95 else 4
        fin_visee = self.debut_fenetre + timedelta(days=_ri(a, 0, fenetre - 1))
        depot = ajouter_mois(fin_visee, -self.ctx.validite_mois * annees) + timedelta(days=_ri(a, 0, 20))
        return depot, fin_visee


def _faute(a: random.Random, mot: str) -> str:
    """Une faute de frappe (substitution, omission, inversion ou doublement d'une lettre)."""
    if len(mot) < 3:
        return mot + mot[-1]
    for _ in range(10):
        i = _ri(a, 1, len(mot) - 2)
        op = a.random()
        if op < 0.4:
            remplacement = _ch(a, "aeiourstnlmcdp")
            resultat = mot[:i] + (remplacement.upper() if mot[i].isupper() else remplacement) + mot[i + 1 :]
        elif op < 0.6:
            resultat = mot[:i] + mot[i + 1 :]
        elif op < 0.8:
            resultat = mot[: i - 1] + mot[i] + mot[i - 1] + mot[i + 1 :]
        else:
            resultat = mot[:i] + mot[i] + mot[i:]
        if normaliser_nom(resultat) != normaliser_nom(mot) and normaliser_nom(resultat):
            return resultat
    return mot + "e"


# Marques des séquences à poser par le processus principal (caractères absents des données générées).
_ATTENTE_NU = "¤¤¤¤¤¤"
_ATTENTE_REF = "§§§§"


class _Lot:
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


class _LotCompact:
    """Lot fabriqué par un processus de travail : chaque table en un seul bloc d'octets prêt pour COPY
    (transfert et écriture sans reconstruire les lignes), numéros uniques et références encore à poser."""

    __slots__ = ("blocs", "comptes", "numeros")

    def __init__(self, lot: _Lot):
        self.blocs = {cle: "".join(lignes).encode() for cle, lignes in lot.tables().items() if lignes}
        self.comptes = {cle: len(lignes) for cle, lignes in lot.tables().items() if lignes}
        self.numeros = lot.numeros

    def tables(self):
        return self.blocs


# ---------------------------------------------------------------- chargement


def _copier(lot, curseur, lignes: dict) -> None:
    comptes = getattr(lot, "comptes", None)
    for cle, contenu in lot.tables().items():
        if not contenu:
            continue
        table, colonnes = TABLES[cle]
        with curseur.copy(f"COPY {table} ({colonnes}) FROM STDIN") as copie:
            copie.write(contenu if isinstance(contenu, bytes) else "".join(contenu))
        lignes[cle] = lignes.get(cle, 0) + (comptes[cle] if comptes is not None else len(contenu))


def _charger_lot(lot: _Lot, lignes: dict, controle_fk: bool = True, recherche: bool = True) -> None:
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("SET LOCAL synchronous_commit = off")
        # La table de recherche est remplie une fois le lot copié, en une
        # instruction, plutôt que par ses triggers à chaque COPY (en mode massif : une fois à la fin).
        curseur.execute("SET LOCAL fdls.recherche_differee = on")
        if not controle_fk:
            # Chargement en masse : les clés étrangères, cohérentes par construction, ne sont pas
            # revérifiées ligne à ligne au commit (même réglage que pg_restore --disable-triggers).
            curseur.execute("SET LOCAL session_replication_role = replica")
        _copier(lot, curseur, lignes)
        if recherche and lot.demandes:
            ids = [int(ligne.split("\t", 1)[0]) for ligne in lot.demandes]
            curseur.execute("SELECT demandes_recherche_remplir(%s::bigint[])", [ids])


# ---------------------------------------------------------------- chargement en masse

# Identifiants réservés par demande d'un lot fabriqué par un processus de travail (au plus ; vérifié) :
# les demandes d'un lot sont numérotées à la suite de celles du lot précédent, les lignes filles dans
# une plage propre au lot (des trous entre lots, l'ordre chronologique des lots conservé).
_RESERVE_PAR_DEMANDE = {
    "personne": 16,
    "ressource": 64,
    "localisation": 8,
    "evenement": 96,
    "cle": 2,
    "doublon": 1,
    "recherche": 20,
}

_GENERATEUR: Generateur | None = None  # celui du processus principal, hérité par les processus de travail


def _fabriquer(tache: tuple) -> tuple:
    """Processus de travail : fabrique le lot ``numero`` dans ses plages d'identifiants."""
    numero, debuts, taille, actives, satisfaites, annulees = tache
    gen = _GENERATEUR
    gen.ids = dict(debuts)
    gen.bilan = Bilan()
    gen.numeros_differes = True
    lot = gen.lot(numero, actives, satisfaites, annulees)
    _lignes_recherche(gen, lot)
    for table, par_demande in _RESERVE_PAR_DEMANDE.items():
        if gen.ids[table] - debuts[table] > taille * par_demande:
            raise RuntimeError(f"Lot {numero} : plage d'identifiants de {table} dépassée.")
    return _LotCompact(lot), gen.bilan


_COLONNES_DEMANDE = [c.strip() for c in TABLES["demande"][1].split(",")]
_RECOPIEES = [_COLONNES_DEMANDE.index(c) for c in ("etat", "nature", "date_depot", "date_expiration", "guichet_id")]
_I_DEPARTEMENT = _COLONNES_DEMANDE.index("departement_id")
_I_GUICHET = _COLONNES_DEMANDE.index("guichet_id")


def _lignes_recherche(gen: Generateur, lot: _Lot) -> None:
    """Lignes de la table de recherche du lot, écrites avec lui (mêmes lignes que ``demandes_recherche_remplir``).

    Par demande, à la suite : département, guichet, puis chaque commune souhaitée et chaque EPCI de ces
    communes (sans doublon), colonnes recopiées de la demande. Les lignes d'une demande restent voisines
    dans la table (une liste filtrée par guichet vérifie les clés de l'agent demande par demande).
    """
    communes: dict[str, list[str]] = {}
    for ligne in lot.localisations:
        champs = ligne.split("\t", 4)
        communes.setdefault(champs[1], []).append(champs[3])
    referentiel = gen.ctx.communes
    sortie = lot.recherche
    for ligne in lot.demandes:
        champs = ligne.rstrip("\n").split("\t")
        demande = champs[0]
        suite = "\t" + "\t".join(champs[i] for i in _RECOPIEES) + "\n"
        cles = ["D" + champs[_I_DEPARTEMENT], "G" + champs[_I_GUICHET]]
        souhaitees = list(dict.fromkeys(communes.get(demande, ())))
        cles += ["C" + c for c in souhaitees]
        cles += ["E" + e for e in dict.fromkeys(referentiel[c][1] for c in souhaitees) if e]
        for cle in cles:
            sortie.append(f"{gen._id('recherche')}\t{demande}\t{cle}{suite}")


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


def _numeroter(gen: Generateur, lot: _LotCompact) -> None:
    """Pose les séquences des numéros uniques et des références d'un lot, dans l'ordre de fabrication.

    La demande porte son numéro et sa référence une fois chacun ; son événement d'enregistrement porte
    le numéro deux fois (texte affiché et détails) et la référence une fois ; les demandes d'un lot et
    leurs enregistrements sont dans le même ordre."""
    sequences, references = [], []
    for cle, periode_ref in lot.numeros:
        seq = gen.compteurs_nu.get(cle, 0) + 1
        gen.compteurs_nu[cle] = seq
        ref = gen.compteurs_ref.get(periode_ref, 0) + 1
        gen.compteurs_ref[periode_ref] = ref
        sequences.append(b"%06d" % seq)
        references.append(b"%04d" % ref)
    blocs = lot.blocs
    blocs["demande"] = _entrelacer(
        _entrelacer(blocs["demande"], _ATTENTE_NU, sequences, 1), _ATTENTE_REF, references, 1
    )
    blocs["evenement"] = _entrelacer(
        _entrelacer(blocs["evenement"], _ATTENTE_NU, sequences, 2), _ATTENTE_REF, references, 1
    )
    lot.numeros = []


def _ajouter_bilan(total: Bilan, partiel: Bilan) -> None:
    for nom in ("demandes", "actives", "satisfaites", "annulees", "personnes", "localisations", "evenements"):
        setattr(total, nom, getattr(total, nom) + getattr(partiel, nom))
    total.doublons += partiel.doublons


def restaurer_index(connexions: int = 1, journal=None) -> int:
    """Reconstruit les index retirés par un chargement en masse (interrompu ou terminé) ; rend leur nombre.

    Avec ``connexions`` > 1, les index sont construits par autant de connexions à la fois, les plus gros
    d'abord (2 cœurs : un index se trie pendant qu'un autre s'écrit). Un index n'est effacé de la liste
    qu'une fois construit : une interruption laisse les autres à reconstruire au lancement suivant.
    """
    from concurrent.futures import ThreadPoolExecutor

    from demandes.models import IndexSuspendu

    suspendus = list(IndexSuspendu.objects.all())
    if not suspendus:
        return 0
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT relname, pg_table_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [sorted({i.table for i in suspendus})],
        )
        tailles = dict(curseur.fetchall())
    suspendus.sort(key=lambda i: (-tailles.get(i.table, 0), i.table, i.nom))

    def construire(index) -> None:
        debut = time.perf_counter()
        try:
            with connection.cursor() as curseur:
                curseur.execute("SET maintenance_work_mem = '1GB'")
                curseur.execute("SELECT to_regclass(%s) IS NULL", [index.nom])
                if curseur.fetchone()[0]:
                    curseur.execute(index.definition)
                curseur.execute("RESET maintenance_work_mem")
            index.delete()
        finally:
            if connexions > 1:
                connection.close()  # connexion propre au fil
        if journal:
            journal(f"    {index.nom} ({time.perf_counter() - debut:.1f} s)")

    if connexions > 1:
        with ThreadPoolExecutor(max_workers=connexions, thread_name_prefix="fdls-index") as fils:
            list(fils.map(construire, suspendus))
    else:
        for index in suspendus:
            construire(index)
    return len(suspendus)


def _suspendre_index() -> int:
    """Retire les index secondaires des tables chargées (et les contraintes d'unicité que nulle clé
    étrangère ne vise : numéro unique, référence, clé de recherche…), après avoir noté leur définition."""
    from demandes.models import IndexSuspendu

    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(
            """
            SELECT i.indexrelid::regclass::text, t.relname,
                   CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                        ELSE format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname,
                                    pg_get_constraintdef(c.oid)) END,
                   c.conname
              FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
              LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
             WHERE t.relname = ANY(%s) AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conindid = i.indexrelid AND p.contype <> 'u')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            """,
            [_tables_chargees()],
        )
        index = curseur.fetchall()
        IndexSuspendu.objects.bulk_create(
            [IndexSuspendu(nom=nom, table=table, definition=definition) for nom, table, definition, _c in index]
        )
        for nom, table, _definition, contrainte in index:
            if contrainte:
                curseur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{contrainte}"')
            else:
                curseur.execute(f'DROP INDEX "{nom}"')
    return len(index)


def _superutilisateur() -> bool:
    with connection.cursor() as curseur:
        curseur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ligne = curseur.fetchone()
    return bool(ligne and ligne[0])


def _derniers_ids() -> dict:
    ids = {}
    with connection.cursor() as curseur:
        for cle, (table, _) in TABLES.items():
            curseur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            ids[cle] = curseur.fetchone()[0]
    return ids


def _compteurs() -> tuple[dict, dict]:
    with connection.cursor() as curseur:
        curseur.execute("SELECT departement, periode, guichet, dernier FROM demandes_compteurnumero")
        nu = {(d, p, g): n for d, p, g, n in curseur.fetchall()}
        curseur.execute("SELECT periode, dernier FROM demandes_compteurreference")
        ref = dict(curseur.fetchall())
    return nu, ref


def _finaliser(gen: Generateur, ids_depart: dict) -> None:
    with transaction.atomic(), connection.cursor() as curseur:
        lignes_nu = [(d, p, g, n) for (d, p, g), n in gen.compteurs_nu.items()]
        curseur.executemany(
            """
            INSERT INTO demandes_compteurnumero (departement, periode, guichet, dernier) VALUES (%s, %s, %s, %s)
            ON CONFLICT (departement, periode, guichet)
            DO UPDATE SET dernier = GREATEST(demandes_compteurnumero.dernier, EXCLUDED.dernier)
            """,
            lignes_nu,
        )
        curseur.executemany(
            """
            INSERT INTO demandes_compteurreference (periode, dernier) VALUES (%s, %s)
            ON CONFLICT (periode) DO UPDATE SET dernier = GREATEST(demandes_compteurreference.dernier, EXCLUDED.dernier)
            """,
            list(gen.compteurs_ref.items()),
        )
        for cle, (table, _) in TABLES.items():
            if gen.ids[cle] > ids_depart[cle]:
                curseur.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [table, gen.ids[cle]],
                )


def _tables_chargees() -> list[str]:
    """Tables copiées, plus la table de recherche remplie à chaque lot."""
    return [table for table, _ in TABLES.values()] + ["demandes_lignerecherche"]


def _autovacuum(actif: bool) -> None:
    with connection.cursor() as curseur:
        for table in _tables_chargees():
            if actif:
                curseur.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled, toast.autovacuum_enabled)")
            else:
                curseur.execute(
                    f"ALTER TABLE {table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)"
                )


def fabrique(p: Parametres | None = None) -> Generateur:
    """Générateur sans chargement, pour tirer des ménages en mémoire (bancs)."""
    p = p or Parametres(actives=0)
    return Generateur(p, charger_contexte(p), dict.fromkeys(TABLES, 0), {}, {})


def volumes(p: Parametres) -> tuple[int, int, int]:
    """(actives, satisfaites, annulées) à générer."""
    satisfaites = round(p.actives * p.taux_satisfaction * p.annees_closes)
    annulees = round(p.actives * p.taux_annulation * p.annees_closes)
    return p.actives, satisfaites, annulees


def generer(p: Parametres) -> Bilan:
    """Génère et charge les demandes ; renvoie le bilan (volumes, lignes, durée)."""
    debut = time.perf_counter()
    journal = p.journal or (lambda _texte: None)
    ctx = charger_contexte(p)
    ids = _derniers_ids()
    ids_depart = dict(ids)
    nu, ref = _compteurs()
    gen = Generateur(p, ctx, ids, nu, ref)
    actives, satisfaites, annulees = volumes(p)
    total = actives + satisfaites + annulees
    if total == 0:
        return gen.bilan
    nb_lots = max(1, -(-total // p.taille_lot))
    parallele = p.parallele if p.parallele is not None else total > 5_000
    massif = p.massif if p.massif is not None else total > 100_000
    autovacuum = p.ajuster_autovacuum if p.ajuster_autovacuum is not None else total > 100_000
    controle_fk = p.controle_fk if p.controle_fk is not None else (total <= 100_000 or not _superutilisateur())

    def part(valeur, i):
        return valeur * (i + 1) // nb_lots - valeur * i // nb_lots

    lignes: dict = {}
    restaurees = restaurer_index()
    if restaurees:
        journal(f"  {restaurees} index d'un chargement interrompu reconstruits")
    if autovacuum:
        _autovacuum(False)
    try:
        if massif:
            journal(f"  chargement en masse : {_suspendre_index()} index retirés jusqu'à la fin")
            _generer_massif(gen, p, nb_lots, (actives, satisfaites, annulees), lignes, controle_fk, journal, debut)
            journal(f"  reconstruction des index ({time.perf_counter() - debut:.0f} s)")
            restaurer_index(connexions=2, journal=journal)
        elif parallele:
            _charger_en_fond(
                (gen.lot(i, part(actives, i), part(satisfaites, i), part(annulees, i)) for i in range(nb_lots)),
                lambda lot: _charger_lot(lot, lignes, controle_fk),
                lambda i: journal(f"  lot {i + 1}/{nb_lots} ({time.perf_counter() - debut:.0f} s)"),
            )
        else:
            for i in range(nb_lots):
                lot = gen.lot(i, part(actives, i), part(satisfaites, i), part(annulees, i))
                _charger_lot(lot, lignes, controle_fk)
        _finaliser(gen, ids_depart)
    finally:
        if autovacuum:
            _autovacuum(True)
        if massif:
            restaurer_index()
    if autovacuum or total > 1000:
        with connection.cursor() as curseur:
            for table in _tables_chargees():
                curseur.execute(f"ANALYZE {table}")
    b = gen.bilan
    b.ressources = lignes.get("ressource", 0)
    b.cles = lignes.get("cle", 0)
    b.lignes = lignes
    b.duree = time.perf_counter() - debut
    return b


def _charger_en_fond(lots, charger, progression, taille_file: int = 2) -> None:
    """Charge les ``lots`` dans un fil à part (sa propre connexion) pendant que l'appelant fabrique le suivant."""
    file: queue.Queue = queue.Queue(maxsize=taille_file)
    erreurs: list = []

    def chargeur():
        try:
            while (lot := file.get()) is not None:
                charger(lot)
        except Exception as exc:  # remonté au fil principal
            erreurs.append(exc)
            while file.get() is not None:
                pass
        finally:
            connection.close()

    fil = threading.Thread(target=chargeur, name="fdls-copy", daemon=True)
    fil.start()
    try:
        for i, lot in enumerate(lots):
            if erreurs:
                break
            file.put(lot)
            if i % 20 == 19:
                progression(i)
    finally:
        file.put(None)
        fil.join()
    if erreurs:
        raise erreurs[0]


def _generer_massif(gen: Generateur, p: Parametres, nb_lots: int, volumes_, lignes, controle_fk, journal, debut):
    """Lots fabriqués par des processus de travail, numérotés ici dans l'ordre, chargés par un fil de COPY."""
    import multiprocessing
    import os

    global _GENERATEUR
    actives, satisfaites, annulees = volumes_

    def part(valeur, i):
        return valeur * (i + 1) // nb_lots - valeur * i // nb_lots

    taches = []
    prochaine = dict(gen.ids)
    for i in range(nb_lots):
        a, s, c = part(actives, i), part(satisfaites, i), part(annulees, i)
        taille = a + s + c
        taches.append((i, dict(prochaine), taille, a, s, c))
        prochaine["demande"] += taille
        for table, par_demande in _RESERVE_PAR_DEMANDE.items():
            prochaine[table] += taille * par_demande
    _GENERATEUR = gen
    # Les processus de travail n'ouvrent aucune connexion : celle du parent est fermée avant le fork.
    connection.close()

    def numerotes(pool):
        for lot, bilan in pool.imap(_fabriquer, taches):
            _numeroter(gen, lot)
            _ajouter_bilan(gen.bilan, bilan)
            yield lot

    contexte = multiprocessing.get_context("fork")
    try:
        with contexte.Pool(p.processus or os.cpu_count() or 2) as pool:
            _charger_en_fond(
                numerotes(pool),
                lambda lot: _charger_lot(lot, lignes, controle_fk, recherche=False),
                lambda i: journal(f"  lot {i + 1}/{nb_lots} ({time.perf_counter() - debut:.0f} s)"),
                taille_file=3,
            )
    finally:
        _GENERATEUR = None
    # Dernier identifiant réservé de chaque table : les séquences reprennent après (``_finaliser``).
    gen.ids = dict(prochaine)


def resume(b: Bilan) -> str:
    return (
        f"{b.demandes} demandes ({b.actives} actives, {b.satisfaites} satisfaites, {b.annulees} annulées), "
        f"{b.personnes} personnes, {b.ressources} ressources, {b.localisations} localisations, "
        f"{b.evenements} événements, {b.cles} clés d'identité, {b.doublons} doublons semés, en {b.duree:.1f} s"
    )
