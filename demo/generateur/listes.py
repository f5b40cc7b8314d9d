"""Listes du générateur : noms, prénoms, voies, professions, employeurs, motifs de refus, pièces."""

from demandes.dossier.choix import Csp, TypePiece
from instruction.commissions.models import DecisionCal, MotifDecision


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
    ("Agent d'entretien", Csp.OUVRIER),
    ("Aide-soignant(e)", Csp.EMPLOYE),
    ("Agent de propreté", Csp.OUVRIER),
    ("Préparateur de commandes", Csp.OUVRIER),
    ("Opérateur de préparation", Csp.OUVRIER),
    ("Vendeur(se)", Csp.EMPLOYE),
    ("Caissier(ère)", Csp.EMPLOYE),
    ("Auxiliaire de vie", Csp.EMPLOYE),
    ("Assistant(e) administratif(ve)", Csp.EMPLOYE),
    ("Cuisinier", Csp.OUVRIER),
    ("Serveur(se)", Csp.EMPLOYE),
    ("Chauffeur livreur", Csp.OUVRIER),
    ("Maçon", Csp.OUVRIER),
    ("Électricien", Csp.OUVRIER),
    ("Agent de sécurité", Csp.EMPLOYE),
    ("Infirmier(ère)", Csp.INTERMEDIAIRE),
    ("Technicien(ne)", Csp.INTERMEDIAIRE),
    ("Animateur(trice)", Csp.INTERMEDIAIRE),
    ("Comptable", Csp.INTERMEDIAIRE),
    ("Ingénieur(e)", Csp.CADRE),
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
# Pièces ajoutées à l'enregistrement et à l'instruction (les deux premières le plus souvent) : (code, libellé).
PIECES = [
    (piece.value, piece.label)
    for piece in (
        TypePiece.IDENTITE,
        TypePiece.AVIS_IMPOSITION,
        TypePiece.IDENTITE,
        TypePiece.AVIS_IMPOSITION,
        TypePiece.DIVORCE,
        TypePiece.CONGE_VENTE,
    )
]

# Décisions d'une commission d'attribution (détails des événements ``decision_cal``) : les libellés des
# services des commissions (``instruction.commissions.models.DecisionCal``), mêmes précisions que les leurs.
DECISIONS_CAL = {d.value: d.label for d in DecisionCal}
# Motifs tirés d'une non-attribution et d'une irrecevabilité (libellés de ``MotifDecision``).
MOTIFS_NON_ATTRIBUTION = [
    MotifDecision.CANDIDAT_PRIORITAIRE.label,
    MotifDecision.TAUX_EFFORT.label,
    MotifDecision.INADAPTE.label,
    MotifDecision.RESSOURCES_PLAFONDS.label,
]
MOTIFS_IRRECEVABILITE = [MotifDecision.SEJOUR.label, MotifDecision.CONDITIONS_ACCES.label]
FINANCEMENTS = ["PLUS", "PLUS", "PLUS", "PLAI", "PLAI", "PLS"]
