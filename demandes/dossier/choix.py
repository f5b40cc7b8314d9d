"""Listes de valeurs du Cerfa n°14069 (demande de logement social) et du fichier.

Un seul endroit pour les libellés : modèles, formulaires, API, exports et
générateur de démonstration les lisent ici.
"""

from django.db import models


class Civilite(models.TextChoices):
    MONSIEUR = "M", "M."
    MADAME = "MME", "Mme"


class Sexe(models.TextChoices):
    MASCULIN = "M", "Masculin"
    FEMININ = "F", "Féminin"


class Nationalite(models.TextChoices):
    FRANCAISE = "francaise", "Française"
    UE = "ue", "Union européenne / EEE / Suisse"
    HORS_UE = "hors_ue", "Hors Union européenne"


class SituationFamiliale(models.TextChoices):
    CELIBATAIRE = "celibataire", "Célibataire"
    MARIE = "marie", "Marié(e)"
    PACSE = "pacse", "Pacsé(e)"
    CONCUBIN = "concubin", "Concubin(e)"
    DIVORCE = "divorce", "Divorcé(e)"
    SEPARE = "separe", "Séparé(e)"
    VEUF = "veuf", "Veuf / veuve"


class Role(models.TextChoices):
    DEMANDEUR = "demandeur", "Demandeur"
    CODEMANDEUR = "codemandeur", "Co-demandeur"
    COLOCATAIRE = "colocataire", "Colocataire"
    OCCUPANT = "occupant", "Occupant"


class LienParente(models.TextChoices):
    CONJOINT = "conjoint", "Conjoint(e)"
    ENFANT = "enfant", "Enfant"
    ENFANT_GARDE_ALTERNEE = "enfant_garde_alternee", "Enfant en garde alternée"
    ENFANT_DROIT_VISITE = "enfant_droit_visite", "Enfant en droit de visite"
    PARENT = "parent", "Ascendant (parent, grand-parent)"
    PETIT_ENFANT = "petit_enfant", "Petit-enfant"
    FRERE_SOEUR = "frere_soeur", "Frère / sœur"
    AUTRE_PARENT = "autre_parent", "Autre lien de parenté"
    SANS_LIEN = "sans_lien", "Sans lien de parenté"


class Activite(models.TextChoices):
    SALARIE_PRIVE = "salarie_prive", "Salarié du privé"
    FONCTIONNAIRE = "fonctionnaire", "Fonctionnaire / agent public"
    INDEPENDANT = "independant", "Artisan, commerçant, profession libérale"
    APPRENTI = "apprenti", "Apprenti / stagiaire"
    ETUDIANT = "etudiant", "Étudiant"
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d'emploi"
    RETRAITE = "retraite", "Retraité"
    INVALIDITE = "invalidite", "Invalidité / inaptitude"
    SANS_ACTIVITE = "sans_activite", "Sans activité professionnelle"
    ASSISTANT_FAMILIAL = "assistant_familial", "Assistant(e) familial(e) ou maternel(le)"


class Csp(models.TextChoices):
    AGRICULTEUR = "agriculteur", "Agriculteur exploitant"
    ARTISAN = "artisan", "Artisan, commerçant, chef d'entreprise"
    CADRE = "cadre", "Cadre, profession intellectuelle supérieure"
    INTERMEDIAIRE = "intermediaire", "Profession intermédiaire"
    EMPLOYE = "employe", "Employé"
    OUVRIER = "ouvrier", "Ouvrier"
    RETRAITE = "retraite", "Retraité"
    SANS_ACTIVITE = "sans_activite", "Sans activité professionnelle"


class TypeRessource(models.TextChoices):
    SALAIRE = "salaire", "Salaires ou revenus d'activité"
    CHOMAGE = "chomage", "Indemnités de chômage"
    RETRAITE = "retraite", "Pension de retraite"
    INVALIDITE = "invalidite", "Pension d'invalidité"
    RSA = "rsa", "RSA"
    PRIME_ACTIVITE = "prime_activite", "Prime d'activité"
    AAH = "aah", "Allocation aux adultes handicapés (AAH)"
    ALLOCATIONS_FAMILIALES = "allocations_familiales", "Allocations familiales"
    PENSION_ALIMENTAIRE_RECUE = "pension_alimentaire_recue", "Pension alimentaire reçue"
    BOURSE = "bourse", "Bourse d'études"
    AUTRE = "autre", "Autres ressources"


class StatutOccupation(models.TextChoices):
    LOCATAIRE_HLM = "locataire_hlm", "Locataire d'un logement social (HLM)"
    LOCATAIRE_PRIVE = "locataire_prive", "Locataire ou sous-locataire d'un logement privé"
    PROPRIETAIRE = "proprietaire", "Propriétaire occupant"
    HEBERGE_FAMILLE = "heberge_famille", "Hébergé chez ses parents ou ses enfants"
    HEBERGE_PARTICULIER = "heberge_particulier", "Hébergé chez un particulier"
    LOGEMENT_FONCTION = "logement_fonction", "Logé à titre gratuit / logement de fonction"
    LOGEMENT_TEMPORAIRE = "logement_temporaire", "Logement temporaire"
    STRUCTURE_HEBERGEMENT = "structure_hebergement", "Structure d'hébergement (CHRS, CHU, CADA…)"
    HOTEL = "hotel", "Hôtel"
    LOGEMENT_FOYER = "logement_foyer", "Logement-foyer, résidence sociale, pension de famille"
    RESIDENCE_ETUDIANTE = "residence_etudiante", "Résidence étudiante"
    CAMPING = "camping", "Camping, caravane, habitat mobile"
    SANS_ABRI = "sans_abri", "Sans abri, habitat de fortune"
    SQUAT = "squat", "Squat"


class CategorieLogement(models.TextChoices):
    APPARTEMENT = "appartement", "Appartement"
    MAISON = "maison", "Maison"


class CategorieRecherchee(models.TextChoices):
    APPARTEMENT = "appartement", "Appartement"
    MAISON = "maison", "Maison"
    INDIFFERENT = "indifferent", "Indifférent"


class Typologie(models.TextChoices):
    CHAMBRE = "chambre", "Chambre en colocation"
    T1 = "T1", "Studio - 1 pièce"
    T2 = "T2", "T2 - 2 pièces"
    T3 = "T3", "T3 - 3 pièces"
    T4 = "T4", "T4 - 4 pièces"
    T5 = "T5", "T5 - 5 pièces"
    T6 = "T6", "6 pièces et +"


class Motif(models.TextChoices):
    SANS_LOGEMENT = "sans_logement", "Sans logement ou hébergé"
    LOGEMENT_INDIGNE = "logement_indigne", "Logement insalubre ou dangereux (indigne)"
    NON_DECENT = "non_decent", "Logement non décent"
    PROCEDURE_EXPULSION = "procedure_expulsion", "Procédure d'expulsion"
    LOGEMENT_REPRIS = "logement_repris", "Logement repris ou mis en vente par le propriétaire"
    VIOLENCES = "violences", "Violences familiales"
    HANDICAP = "handicap", "Logement inadapté au handicap ou à la perte d'autonomie"
    SANTE = "sante", "Raisons de santé"
    TROP_CHER = "trop_cher", "Logement trop cher"
    TROP_PETIT = "trop_petit", "Logement trop petit"
    TROP_GRAND = "trop_grand", "Logement trop grand"
    DIVORCE = "divorce", "Divorce, séparation"
    DECOHABITATION = "decohabitation", "Décohabitation"
    FUTUR_COUPLE = "futur_couple", "Futur couple"
    REGROUPEMENT_FAMILIAL = "regroupement_familial", "Regroupement familial"
    ELOIGNE_TRAVAIL = "eloigne_travail", "Logement éloigné du travail / changement de travail"
    RAPPROCHEMENT_SERVICES = "rapprochement_services", "Rapprochement des équipements et services"
    RAPPROCHEMENT_FAMILLE = "rapprochement_famille", "Rapprochement de la famille"
    ASSISTANT_MATERNEL = "assistant_maternel", "Assistant(e) maternel(le) ou familial(e)"
    ENVIRONNEMENT = "environnement", "Problèmes d'environnement ou de voisinage"
    RENOUVELLEMENT_URBAIN = "renouvellement_urbain", "Démolition, renouvellement urbain"
    AUTRE = "autre", "Autre motif"


class NatureDemande(models.TextChoices):
    """Nature de la demande (fiche de synthèse, seed 000), calculée par ``demandes.calculs``."""

    PERSONNE_SEULE = "personne_seule", "Personne seule"
    COUPLE = "couple", "Couple"
    FAMILLE = "famille", "Famille"
    SEULE_AUTRES = "seule_autres", "Personne seule + autre(s)"


class Canal(models.TextChoices):
    GUICHET = "guichet", "Guichet d'enregistrement"
    EN_LIGNE = "en_ligne", "Demande en ligne"
    API = "api", "Interface d'un partenaire (API)"


class MotifAnnulation(models.TextChoices):
    """Motifs de radiation : exactement la liste de CCH R441-2-8 (docs/decisions.md, session 8).

    « Relogé hors du parc social » et « Autre motif » ne sont plus proposés
    (hors de la liste) : ils restent lisibles sur les demandes annulées avant.
    """

    RENONCIATION = "renonciation", "Renonciation écrite du demandeur"
    NON_RENOUVELLEMENT = "non_renouvellement", "Non renouvellement dans le délai"
    IRRECEVABILITE = "irrecevabilite", "Irrecevabilité prononcée par une CAL"
    NON_REPONSE = "non_reponse", "Absence de réponse à un courrier, un mois après l'avertissement"
    DOUBLON = "doublon", "Fusion avec une autre demande (doublon)"
    ATTRIBUTION_HORS_FICHIER = "attribution_hors_fichier", "Relogé hors du parc social (ancien motif)"
    AUTRE = "autre", "Autre motif (ancien motif)"


#: Attribution suivie de la signature du bail (R441-2-8 a) : la demande est « satisfaite », sans motif d'annulation.
ATTRIBUTION_BAIL = "attribution_bail"

#: Fondement légal de chaque radiation, écrit dans l'historique avec le motif (CCH R441-2-8, docs/decisions.md).
FONDEMENTS_RADIATION = {
    ATTRIBUTION_BAIL: "CCH art. R441-2-8 a) : attribution d'un logement suivie de la signature du bail",
    MotifAnnulation.RENONCIATION: "CCH art. R441-2-8 b) : renonciation écrite du demandeur",
    MotifAnnulation.NON_REPONSE: (
        "CCH art. R441-2-8 c) : absence de réponse à un courrier, un mois après un avertissement"
    ),
    MotifAnnulation.IRRECEVABILITE: (
        "CCH art. R441-2-8 d) : irrecevabilité prononcée par une CAL, un mois après un avertissement"
    ),
    MotifAnnulation.NON_RENOUVELLEMENT: "CCH art. R441-2-8 e) et R441-2-7 : demande non renouvelée",
    MotifAnnulation.DOUBLON: "CCH art. R441-2-8 f) : fusion de demandes en une seule",
}


def fondement_radiation(motif: str) -> str:
    return FONDEMENTS_RADIATION.get(motif, "")


# Le seul motif qu'un guichet choisit : la renonciation écrite (R441-2-8 b). L'absence de réponse passe
# par un avertissement puis la radiation un mois plus tard (traitement planifié) ; l'irrecevabilité est
# prononcée par une CAL (elle n'est pas proposée tant que la décision de CAL ne l'apporte pas) ;
# non-renouvellement et fusion sont posés par les traitements.
MOTIFS_ANNULATION_AGENT = [MotifAnnulation.RENONCIATION]

# Avertissement avant radiation (R441-2-8 c) : un mois sans réponse, puis radiation.
# L'irrecevabilité prononcée par une CAL s'annonce aussi par un avertissement, radiation un mois plus tard
# (R441-2-8 d ; ``instruction.commissions.services.decider``).
MOTIFS_AVERTISSEMENT = [MotifAnnulation.NON_REPONSE, MotifAnnulation.IRRECEVABILITE]


class TypePiece(models.TextChoices):
    """Pièces justificatives du dossier unique (seed 001 §2 : liste partagée par les lieux d'accueil)."""

    # Enregistrement de la demande
    IDENTITE = "identite", "Pièce d'identité"
    AVIS_IMPOSITION = "avis_imposition", "Avis d'imposition"
    # Instruction de la demande
    DECISION_OFPRA = "decision_ofpra", "Décision de l'OFPRA"
    DIVORCE = "divorce", "Justificatif de divorce ou de séparation"
    # Pièces complémentaires pouvant être demandées pour l'instruction
    CONGE_VENTE = "conge_vente", "Compromis de vente ou lettre de congé du propriétaire"
    CERTIFICAT_MEDICAL = "certificat_medical", "Certificat médical (moins de 3 mois, sans mention de pathologie)"
    CARTE_MOBILITE_INCLUSION = "carte_mobilite_inclusion", "Carte mobilité inclusion (mention invalidité)"
    ARRETE_INSALUBRITE = "arrete_insalubrite", "Arrêté d'insalubrité"
    REGROUPEMENT_FAMILIAL = "regroupement_familial", "Récépissé de regroupement familial"
    ACTE_DECES = "acte_deces", "Acte de décès du conjoint"
    TUTELLE_CURATELLE = "tutelle_curatelle", "Jugement de tutelle ou de curatelle"
    SOUS_LOCATION = "sous_location", "Décision de sous-location"
    JUGEMENT_EXPULSION = "jugement_expulsion", "Jugement d'expulsion"
    RAPPORT_ERGOTHERAPEUTE = "rapport_ergotherapeute", "Rapport d'ergothérapeute"
    NOTIFICATION_MDPH = "notification_mdph", "Notification MDPH"


# Pièces propres à une personne du ménage : sans personne indiquée, elles sont celles du demandeur.
PIECES_PERSONNELLES = frozenset({TypePiece.IDENTITE, TypePiece.AVIS_IMPOSITION})
