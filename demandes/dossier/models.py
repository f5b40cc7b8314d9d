"""Demande de logement social (Cerfa n°14069) : dossier, numérotation, historique.

Une demande réunit le ménage (``Personne`` : demandeur, co-demandeur,
colocataires, occupants, chacun avec sa situation professionnelle et ses
ressources), la situation actuelle, le logement recherché et les
localisations souhaitées ordonnées. Elle ne s'écrit que par les services
(``demandes/dossier/saisie.py`` pour le ménage, ``demandes/cycle/services.py``
pour le cycle de vie : numéro unique, historique, clés de doublons) ; les
écrans et l'API n'en sont que des façades.

Ce module tient les modèles du cœur du dossier, que toutes les fonctionnalités
lisent, les données réglementaires datées et l'état des traitements
planifiés (la détection de nuit des doublons y note sa reprise) ; chaque
fonctionnalité a les siens (``demandes/<fonctionnalité>/models.py``), et
``demandes/models.py`` les réunit pour Django.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Right
from django.utils import timezone

from demandes.dossier import choix
from demandes.dossier.numerotation import formater_numero_unique
from demandes.dossier.validators import valider_date_passee
from fdls import acces
from fdls.organismes.models import Guichet, Organisme
from fdls.socle.workflow import JournalTransition
from fdls.territoires.models import Commune, Departement, Epci, Quartier

MONTANT = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


# Recherche d'une personne par téléphone ou courriel (liste des demandes) : les mêmes expressions servent
# aux index d'expression partiels ci-dessous et aux requêtes (``demandes.liste.selectors``), si bien que
# PostgreSQL les reconnaît. Téléphone : ses 9 derniers chiffres (« +33 6 12… » et « 06 12… » se confondent).
CHIFFRES_TELEPHONE = 9


def telephone_cherche(champ: str):
    return Right(Func(F(champ), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"), CHIFFRES_TELEPHONE)


def courriel_cherche(champ: str):
    return Lower(champ)


def index_contact(expression, champ: str, nom: str) -> models.Index:
    """Index partiel (valeurs non vides) sur l'expression de recherche d'un téléphone ou d'un courriel."""
    return models.Index(expression, name=nom, condition=~Q(**{champ: ""}))


# Où la politique d'accès (fdls.acces) lit, depuis une demande, chacun des champs qui en décident.
CHAMPS_ACCES = {
    "departement": "departement",
    "commune": "localisations__commune",
    "guichet": "guichet",
    "demandeur": "compte_demandeur",
    "cles": "lignes_recherche__cle",
    "etat": "etat",
}


class DemandeQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Demandes que ``user`` peut consulter (CCH R441-2-6, fdls/acces.py)."""
        return acces.filtrer(self, user, **CHAMPS_ACCES)

    def modifiables_par(self, user):
        return acces.filtrer_modifiables(self, user, **CHAMPS_ACCES)

    def instruisibles_par(self, user):
        """Demandes que ``user`` complète et corrige et où il ajoute des pièces : celles qu'il modifie, plus les
        demandes actives qu'il voit s'il instruit pour un bailleur (fdls/acces : ``filtrer_instruisibles``)."""
        return acces.filtrer_instruisibles(self, user, **CHAMPS_ACCES)

    def actives(self):
        return self.filter(etat=Demande.Etat.ACTIVE)


class Demande(models.Model):
    class Etat(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        ACTIVE = "active", "Active"
        SATISFAITE = "satisfaite", "Satisfaite"
        ANNULEE = "annulee", "Annulée"
        # Demandes déposées en ligne : validées par un guichet (contrôle d'identité) avant d'entrer
        # au fichier (seed 001 §1) ; même table de transitions (demandes.dossier.workflow).
        A_VALIDER = "a_valider", "À valider"
        REJETEE = "rejetee", "Rejetée"

    # --- Identification (attribuée à l'enregistrement, jamais réutilisée)
    # Unicité par contraintes de Meta (sans l'index ``varchar_pattern_ops`` que Django ajoute à un
    # ``unique=True`` : aucune recherche par préfixe) ; pas d'index sur l'état seul (peu sélectif, les
    # index partiels et ``demande_guichet_etat`` servent les lectures). Chaque index en moins est une
    # écriture de moins à l'enregistrement (insertion puis référence) : docs/decisions.md.
    numero_unique = models.CharField("numéro unique", max_length=18, null=True, blank=True)
    reference = models.CharField("référence du dossier", max_length=12, null=True, blank=True)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON)
    canal = models.CharField("canal de dépôt", max_length=10, choices=choix.Canal.choices, default=choix.Canal.GUICHET)
    guichet = models.ForeignKey(
        Guichet,
        on_delete=models.PROTECT,
        related_name="demandes",
        verbose_name="guichet d'enregistrement",
        db_index=False,  # index demande_guichet_etat
    )
    # Département du fichier (celui du numéro unique, donc du guichet) : la
    # politique d'accès filtre dessus quand un organisme couvre tout le département.
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # index demande_dep_depot
    compte_demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="demandes",
        null=True,
        blank=True,
        limit_choices_to={"kind": "demandeur"},
    )
    organisme_saisie = models.ForeignKey(
        Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="organisme de saisie"
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    # --- Dates du cycle de vie
    date_depot = models.DateField("date de dépôt initial", null=True, blank=True)
    date_renouvellement = models.DateField("dernier renouvellement", null=True, blank=True)
    date_expiration = models.DateField("renouvellement à effectuer avant le", null=True, blank=True)
    date_fin = models.DateField("date de satisfaction ou d'annulation", null=True, blank=True)
    motif_annulation = models.CharField(
        "motif d'annulation", max_length=30, choices=choix.MotifAnnulation.choices, blank=True
    )
    commentaire_annulation = models.TextField("précisions sur l'annulation", blank=True)
    renouvellement_electronique = models.BooleanField("renouvellement par voie électronique", default=False)
    # R441-2-7 3° : le demandeur qui a déposé ou renouvelé en ligne peut demander les courriers par la poste.
    courrier_souhaite = models.BooleanField(
        "souhaite recevoir aussi les courriers par voie postale",
        default=False,
        help_text="Le demandeur qui a déposé ou renouvelé en ligne reçoit alors ses rappels par courriel et par "
        "la poste (CCH R441-2-7, 3°).",
    )
    # R441-2-8 c) : avertissement avant radiation ; la réponse du demandeur ou une mise à jour le lève.
    avertie_le = models.DateField("avertissement avant radiation envoyé le", null=True, blank=True)
    avertissement_motif = models.CharField(
        "motif de l'avertissement", max_length=30, choices=choix.MotifAnnulation.choices, blank=True
    )
    # Conservation limitée (RGPD) : données personnelles effacées après la durée de conservation.
    purgee_le = models.DateTimeField("données personnelles effacées le", null=True, blank=True)
    fusionnee_dans = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="demandes_fusionnees", null=True, blank=True
    )

    # --- Demandeur (copie de la personne « demandeur » pour les listes ; écrite par les services)
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    date_naissance = models.DateField("date de naissance", validators=[valider_date_passee])

    # --- Coordonnées du ménage
    adresse_numero = models.CharField("numéro", max_length=10, blank=True)
    adresse_voie = models.CharField("voie", max_length=200, blank=True)
    adresse_complement = models.CharField("complément d'adresse", max_length=200, blank=True)
    code_postal = models.CharField(
        "code postal",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")],
    )
    ville = models.CharField("ville", max_length=100, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    telephone_portable = models.CharField("téléphone portable", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    enfants_a_naitre = models.PositiveSmallIntegerField(
        "enfants à naître", default=0, validators=[MaxValueValidator(9)]
    )

    # --- Situation actuelle
    statut_occupation = models.CharField(
        "statut d'occupation", max_length=30, choices=choix.StatutOccupation.choices, blank=True
    )
    occupation_depuis = models.DateField("depuis le", null=True, blank=True, validators=[valider_date_passee])
    categorie_actuelle = models.CharField(
        "catégorie du logement actuel", max_length=20, choices=choix.CategorieLogement.choices, blank=True
    )
    pieces_actuelles = models.PositiveSmallIntegerField(
        "nombre de pièces", null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    surface_actuelle = models.PositiveSmallIntegerField(
        "surface habitable (m²)", null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    loyer_actuel = models.DecimalField("loyer avec charges (€/mois)", null=True, blank=True, **MONTANT)
    aides_logement = models.DecimalField("aides au logement (€/mois)", null=True, blank=True, **MONTANT)
    nb_occupants_actuels = models.PositiveSmallIntegerField(
        "nombre d'occupants du logement actuel", null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    proprietaire_autre_logement = models.BooleanField("propriétaire d'un autre logement", default=False)
    bailleur_actuel = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"type": "bailleur"},
        verbose_name="bailleur social actuel",
    )

    # --- Logement recherché
    motifs = ArrayField(
        models.CharField(max_length=30, choices=choix.Motif.choices),
        verbose_name="motifs de la demande",
        default=list,
        blank=True,
    )
    motif_precision = models.CharField("précision sur le motif", max_length=200, blank=True)
    typologies = ArrayField(
        models.CharField(max_length=10, choices=choix.Typologie.choices),
        verbose_name="typologies recherchées",
        default=list,
        blank=True,
    )
    categorie_recherchee = models.CharField(
        "catégorie recherchée",
        max_length=20,
        choices=choix.CategorieRecherchee.choices,
        default=choix.CategorieRecherchee.INDIFFERENT,
    )
    parking = models.BooleanField("souhaite un parking", default=False)
    rez_de_chaussee = models.BooleanField("exige un rez-de-chaussée", default=False)
    sans_ascenseur_accepte = models.BooleanField("accepte un étage sans ascenseur", default=True)
    adapte_handicap = models.BooleanField("logement adapté au handicap", default=False)
    loyer_max = models.DecimalField("loyer maximum souhaité (€/mois)", null=True, blank=True, **MONTANT)
    complement = models.TextField("informations complémentaires", blank=True)

    # --- Valeurs dérivées stockées pour les recherches et statistiques (demandes.dossier.calculs)
    nature = models.CharField("nature de la demande", max_length=20, choices=choix.NatureDemande.choices, blank=True)
    categorie_menage = models.PositiveSmallIntegerField("catégorie de ménage", null=True, blank=True)
    nb_personnes = models.PositiveSmallIntegerField("personnes à loger", default=1)
    mutation = models.BooleanField("demande de mutation (locataire HLM)", default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        ordering = ["-date_depot", "-id"]
        indexes = [
            models.Index(fields=["departement", "-date_depot", "-id"], name="demande_dep_depot"),
            models.Index(fields=["date_expiration"], name="demande_expiration", condition=models.Q(etat="active")),
            models.Index(fields=["guichet", "etat"], name="demande_guichet_etat"),
            index_contact(telephone_cherche("telephone"), "telephone", "demande_telephone"),
            index_contact(telephone_cherche("telephone_portable"), "telephone_portable", "demande_portable"),
            index_contact(courriel_cherche("email"), "email", "demande_courriel"),
            models.Index(
                fields=["organisme_saisie", "-created_at"],
                condition=models.Q(etat="brouillon"),
                name="demande_brouillons",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["numero_unique"], name="demande_numero_unique"),
            models.UniqueConstraint(fields=["reference"], name="demande_reference"),
            models.CheckConstraint(
                condition=models.Q(etat__in=["brouillon", "a_valider", "rejetee"])
                | models.Q(numero_unique__isnull=False, date_depot__isnull=False),
                name="demande_enregistree_numerotee",
                violation_error_message="Une demande enregistrée a un numéro unique et une date de dépôt.",
            ),
        ]

    def __str__(self):
        return f"{self.numero_unique_affiche or 'brouillon'} – {self.nom.upper()} {self.prenom}"

    @property
    def numero_unique_affiche(self) -> str:
        return formater_numero_unique(self.numero_unique) if self.numero_unique else ""

    @property
    def designation(self) -> str:
        """Le numéro unique groupé ou, sans numéro, l'état : « à valider », « brouillon », « rejetée »
        (une demande en ligne en attente de validation n'est jamais présentée comme un brouillon)."""
        return self.numero_unique_affiche or self.get_etat_display().lower()


class Personne(models.Model):
    """Une personne du ménage : demandeur, co-demandeur, colocataire ou occupant."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="personnes")
    role = models.CharField("rôle", max_length=20, choices=choix.Role.choices)
    rang = models.PositiveSmallIntegerField("ordre", default=0)
    civilite = models.CharField("civilité", max_length=3, choices=choix.Civilite.choices, blank=True)
    sexe = models.CharField("sexe", max_length=1, choices=choix.Sexe.choices, blank=True)
    nom = models.CharField("nom", max_length=150)
    nom_naissance = models.CharField("nom de naissance", max_length=150, blank=True)
    prenom = models.CharField("prénom", max_length=150)
    date_naissance = models.DateField("date de naissance", validators=[valider_date_passee])
    nationalite = models.CharField("nationalité", max_length=10, choices=choix.Nationalite.choices, blank=True)
    situation_familiale = models.CharField(
        "situation familiale", max_length=20, choices=choix.SituationFamiliale.choices, blank=True
    )
    lien_parente = models.CharField(
        "lien avec le demandeur", max_length=30, choices=choix.LienParente.choices, blank=True
    )
    a_charge = models.BooleanField("à charge", default=False)
    handicap = models.BooleanField("en situation de handicap", default=False)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)

    # Situation professionnelle
    profession = models.CharField("profession", max_length=150, blank=True)
    activite = models.CharField("activité", max_length=30, choices=choix.Activite.choices, blank=True)
    cdd_interim = models.BooleanField("CDD, intérim ou stage", default=False)
    activite_depuis = models.DateField("en activité depuis", null=True, blank=True, validators=[valider_date_passee])
    activite_jusqua = models.DateField("jusqu'au", null=True, blank=True)
    csp = models.CharField("catégorie socio-professionnelle", max_length=20, choices=choix.Csp.choices, blank=True)
    employeur = models.CharField("employeur (raison sociale)", max_length=200, blank=True)
    employeur_siret = models.CharField(
        "SIRET de l'employeur",
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", "Le SIRET compte 14 chiffres.")],
    )
    employeur_adresse = models.CharField("adresse de l'employeur", max_length=250, blank=True)
    travail_code_postal = models.CharField(
        "code postal du lieu de travail",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")],
    )
    travail_ville = models.CharField("ville du lieu de travail", max_length=100, blank=True)

    # Revenus annuels (avis d'imposition)
    revenu_fiscal = models.DecimalField("revenu fiscal de référence N-2 (€)", null=True, blank=True, **MONTANT)
    revenu_fiscal_n1 = models.DecimalField("revenu fiscal de référence N-1 (€)", null=True, blank=True, **MONTANT)

    class Meta:
        verbose_name = "personne du ménage"
        verbose_name_plural = "personnes du ménage"
        ordering = ["demande", "rang", "id"]
        indexes = [
            index_contact(telephone_cherche("telephone"), "telephone", "personne_telephone"),
            index_contact(courriel_cherche("email"), "email", "personne_courriel"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["demande"], condition=models.Q(role="demandeur"), name="personne_un_seul_demandeur"
            ),
            models.UniqueConstraint(
                fields=["demande"], condition=models.Q(role="codemandeur"), name="personne_un_seul_codemandeur"
            ),
        ]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom} ({self.get_role_display()})"


class Ressource(models.Model):
    """Ressource mensuelle d'une personne, par type (Cerfa, rubrique « Vos ressources »)."""

    personne = models.ForeignKey(
        Personne, on_delete=models.CASCADE, related_name="ressources", db_index=False
    )  # index ressource_type_unique (personne, type)
    type = models.CharField("type de ressource", max_length=30, choices=choix.TypeRessource.choices)
    montant = models.DecimalField("montant mensuel (€)", **MONTANT)

    class Meta:
        verbose_name = "ressource mensuelle"
        ordering = ["personne", "type"]
        constraints = [models.UniqueConstraint(fields=["personne", "type"], name="ressource_type_unique")]

    def __str__(self):
        return f"{self.get_type_display()} : {self.montant} €"


class LocalisationSouhaitee(models.Model):
    # Index : localisation_rang_unique (demande, rang), localisation_commune (commune, demande) et un
    # index partiel des quartiers (rarement renseignés) ; pas d'index simple en double.
    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="localisations", db_index=False)
    rang = models.PositiveSmallIntegerField("rang")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    quartier = models.ForeignKey(
        Quartier, on_delete=models.PROTECT, related_name="+", null=True, blank=True, db_index=False
    )
    date_anciennete = models.DateField("date d'ancienneté", null=True, blank=True)

    class Meta:
        verbose_name = "localisation souhaitée"
        ordering = ["demande", "rang"]
        constraints = [models.UniqueConstraint(fields=["demande", "rang"], name="localisation_rang_unique")]
        indexes = [
            models.Index(fields=["commune", "demande"], name="localisation_commune"),
            models.Index(fields=["quartier"], name="localisation_quartier", condition=models.Q(quartier__isnull=False)),
        ]

    def __str__(self):
        return f"{self.rang}. {self.commune.nom}"


class Evenement(JournalTransition):
    """Événement de l'historique d'une demande : daté, auteur identifié, immuable.

    Un trigger PostgreSQL (migration 0004) refuse UPDATE et DELETE : l'historique
    ne se corrige pas, il se complète. C'est aussi le journal du workflow de la
    demande (``demandes.dossier.workflow.WORKFLOW_DEMANDE``) : une transition y écrit
    l'événement de son type, le commentaire dans ``precisions``.
    """

    champ_objet = "demande"
    champ_commentaire = "precisions"
    par_evenement = True

    class Type(models.TextChoices):
        ENREGISTREMENT = "enregistrement", "Enregistrement de la demande"
        MODIFICATION = "modification", "Modification de la demande"
        RENOUVELLEMENT = "renouvellement", "Renouvellement de la demande"
        ANNULATION = "annulation", "Annulation de la demande"
        ANNULATION_AUTOMATIQUE = (
            "annulation_automatique",
            "Annulation automatique de la demande suite au non renouvellement",
        )
        REACTIVATION = "reactivation", "Réactivation de la demande"
        SATISFACTION = "satisfaction", "Demande satisfaite (bail signé)"
        FUSION = "fusion", "Fusion de demandes en doublon"
        DOUBLON_ECARTE = "doublon_ecarte", "Suspicion de doublon écartée"
        VALIDATION = "validation", "Validation de la demande en ligne"
        PIECE_AJOUTEE = "piece_ajoutee", "Pièce ajoutée"
        PIECE_OBSOLETE = "piece_obsolete", "Pièce rendue obsolète"
        PIECE_SUPPRIMEE = "piece_supprimee", "Pièce supprimée"
        LABEL = "label", "Priorité, éligibilité ou contingent"
        # Instruction (instruction/propositions) : prospection, positionnement, proposition, visite.
        CONTACT = "contact", "Contact demandeur"
        REFUS_POSITIONNEMENT = "refus_positionnement", "Refus d'être positionné en CAL après un contact"
        POSITIONNEMENT = "positionnement", "Positionnement sur un logement"
        RETRAIT_POSITIONNEMENT = "retrait_positionnement", "Retrait du positionnement sur un logement"
        PROPOSITION = "proposition", "Proposition de logement"
        ACCEPTATION_PROPOSITION = "acceptation_proposition", "Acceptation d'une proposition de logement"
        NON_REPONSE_PROPOSITION = "non_reponse_proposition", "Proposition de logement restée sans réponse"
        VISITE = "visite", "Visite de logement"
        # Refus d'une proposition faite avant toute décision de CAL : sans décote (annexe 1). Le refus de la
        # proposition d'un logement attribué en CAL s'écrit REFUS_ATTRIBUTION (migration 0029, session 10).
        REFUS_PROPOSITION = "refus_proposition", "Refus du demandeur d'une proposition de logement"
        REFUS_ATTRIBUTION = "refus_attribution", "Refus du demandeur d'un logement attribué en CAL"
        PASSAGE_CAL = "passage_cal", "Passage en Commission d'attribution logement"
        DECISION_CAL = "decision_cal", "Attribution de la Commission d'attribution logement"
        NON_ATTRIBUTION = "non_attribution", "Non-attribution : bail signé par le candidat classé devant"
        LABEL_RETRAIT = "label_retrait", "Retrait d'une priorité, éligibilité ou contingent"
        DEPOT_EN_LIGNE = "depot_en_ligne", "Dépôt de la demande en ligne"
        REJET_EN_LIGNE = "rejet_en_ligne", "Rejet de la demande en ligne"
        AVERTISSEMENT = "avertissement", "Avertissement avant radiation"
        REPONSE_AVERTISSEMENT = "reponse_avertissement", "Réponse du demandeur : avertissement levé"
        RADIATION_SANS_REPONSE = "radiation_sans_reponse", "Radiation faute de réponse à l'avertissement"
        PURGE = "purge", "Données personnelles effacées (durée de conservation écoulée)"

    demande = models.ForeignKey(
        Demande, on_delete=models.PROTECT, related_name="evenements", db_index=False
    )  # index evenement_demande_date
    type = models.CharField("événement", max_length=30, choices=Type.choices)
    date = models.DateTimeField("date", db_index=True, default=timezone.now)
    precisions = models.TextField("précisions", blank=True)
    # Détail structuré : champs modifiés (ancienne/nouvelle valeur), motif, état avant/après…
    details = models.JSONField("détails", default=dict, blank=True)
    # Le commentaire d'une transition est dans ``precisions`` (champ historique de la table).
    commentaire = None

    class Meta:
        verbose_name = "événement de l'historique"
        verbose_name_plural = "historique"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["demande", "-date"], name="evenement_demande_date"),
            # Événements que lit la cotation (refus, passages en CAL) : index partiel, petit.
            models.Index(
                fields=["demande"],
                name="evenement_cotation",
                condition=models.Q(type__in=["refus_positionnement", "refus_attribution", "passage_cal"]),
            ),
            # Baux signés d'une période, que lit la photo mensuelle de l'observatoire (quelques centaines de
            # milliers parmi des dizaines de millions d'événements) : index partiel, petit.
            models.Index(fields=["date", "id"], name="evenement_satisfaction", condition=models.Q(type="satisfaction")),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_type_display()}"

    @classmethod
    def ecrire_transition(cls, objet, transition, *, auteur, avant, commentaire="", **extra):
        """L'événement d'une transition du workflow : son type, ``precisions`` = commentaire."""
        return cls.objects.create(
            demande=objet,
            type=transition.evenement,
            precisions=commentaire[:2000],
            etat_avant=avant,
            etat_apres=transition.cible,
            **cls.valeurs_auteur(auteur),
            **extra,
        )

    @classmethod
    def libelle_evenement(cls, code: str) -> str:
        return str(cls.Type(code).label)


class CleIdentite(models.Model):
    """Clés de blocage pour la détection des doublons et la recherche par nom.

    Une ligne par adulte demandeur ou co-demandeur : nom et prénom normalisés
    (majuscules sans accents ni ponctuation), clé phonétique, date de naissance.
    Tenue à jour par les services à chaque écriture du ménage.
    """

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="cles", db_index=False)  # cle_demande
    role = models.CharField(max_length=20, choices=choix.Role.choices)
    nom = models.CharField(max_length=150)
    prenom = models.CharField(max_length=150)
    nom_phonetique = models.CharField(max_length=40)
    prenom_phonetique = models.CharField(max_length=40)
    date_naissance = models.DateField()
    # Nom de naissance normalisé s'il diffère du nom (femme mariée enregistrée sous son nom d'usage) et sexe
    # (« M », « F », vide si inconnu) : comparés par le score des doublons (docs/doublons.md).
    nom_naissance = models.CharField(max_length=150, blank=True, default="", db_default="")
    sexe = models.CharField(max_length=1, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            # Couvrant : le blocage des doublons lit ces colonnes dans l'index seul (pas de lecture de
            # ligne : 0,3 ms au lieu de 13 ms pour ≈ 300 clés à 1 M de demandes).
            models.Index(
                fields=["date_naissance"],
                name="cle_naissance",
                include=["demande", "role", "nom", "prenom", "nom_naissance", "sexe"],
            ),
            models.Index(fields=["nom_phonetique", "prenom_phonetique"], name="cle_phonetique"),
            # Préfixe du nom (et du prénom) et ordre alphabétique de la recherche par nom
            # (ORDER BY … USING ~<~ : noms normalisés en A–Z et espaces, l'ordre binaire est l'alphabétique).
            models.Index(
                OpClass("nom", name="varchar_pattern_ops"),
                OpClass("prenom", name="varchar_pattern_ops"),
                "demande",
                name="cle_nom_tri",
            ),
            # Nom de naissance (« marital ou jeune fille ») cherché avec le nom d'usage : partiel, seules les
            # clés dont il diffère du nom (demandes/liste/recherche_sql.py, ``requete_nom``).
            models.Index(
                OpClass("nom_naissance", name="varchar_pattern_ops"),
                OpClass("prenom", name="varchar_pattern_ops"),
                "demande",
                name="cle_nom_naissance_tri",
                condition=~models.Q(nom_naissance=""),
            ),
            models.Index(fields=["demande"], name="cle_demande"),
        ]

    def __str__(self):
        return f"{self.nom} {self.prenom} {self.date_naissance}"


class LigneRecherche(models.Model):
    """Table de recherche étroite des demandes (quality.md) : une ligne par demande × clé d'accès.

    Clés : ``D<département>`` (département du fichier), ``G<guichet>``
    (guichet d'enregistrement), ``C<commune>`` (une par commune souhaitée) et
    ``E<siren>`` (une par EPCI de ces communes). Un agent voit une demande si
    l'une de ses clés figure parmi celles de son organisme
    (``fdls.acces.cles_acces``) ; la liste des demandes parcourt, pour chaque
    clé de l'agent et chaque état, l'index
    ``(cle, etat, date_depot DESC, demande DESC)`` jusqu'à la page voulue,
    puis fusionne (``demandes/liste/recherche.py``).

    Tenue **par PostgreSQL** (triggers sur la demande et ses localisations,
    migration 0009), donc à jour dans la transaction de toute écriture ; la
    copie des colonnes filtrées (état, nature, dates, guichet) évite de relire
    la demande pour filtrer. Le générateur en masse la remplit par lots
    (``fdls.recherche_differee``). Jamais écrite par le code Python.
    """

    # Clé étrangère ON DELETE CASCADE posée en SQL (migration 0009) : la suppression
    # d'une demande (brouillon) emporte ses lignes sans passer par Django.
    demande = models.ForeignKey(
        Demande, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="lignes_recherche"
    )
    cle = models.CharField("clé d'accès", max_length=12)
    etat = models.CharField(max_length=20)
    nature = models.CharField(max_length=20, blank=True)
    date_depot = models.DateField(null=True)
    date_expiration = models.DateField(null=True)
    guichet_id = models.BigIntegerField()

    class Meta:
        verbose_name = "ligne de recherche"
        constraints = [models.UniqueConstraint(fields=["demande", "cle"], name="recherche_demande_cle")]
        indexes = [
            models.Index(
                F("cle"),
                F("etat"),
                F("date_depot").desc(nulls_first=True),
                F("demande").desc(),
                name="recherche_cle_etat_depot",
            ),
            models.Index(
                fields=["cle", "date_expiration", "demande"],
                condition=models.Q(etat="active"),
                name="recherche_cle_echeance",
            ),
        ]

    def __str__(self):
        return f"{self.demande_id} {self.cle}"


class CompteurNumero(models.Model):
    """Dernier numéro de séquence attribué par (département, mois, année, guichet).

    Incrémenté par ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` dans la
    transaction de l'enregistrement : la ligne reste verrouillée jusqu'au
    commit, un rollback rend le numéro ; ni doublon ni trou.
    """

    departement = models.CharField(max_length=3)
    periode = models.CharField(max_length=4, help_text="MMAA")
    guichet = models.CharField(max_length=5)
    dernier = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["departement", "periode", "guichet"], name="compteur_numero_unique")
        ]

    def __str__(self):
        return f"{self.departement}{self.periode}…{self.guichet} = {self.dernier}"


class CompteurReference(models.Model):
    """Dernière séquence de la référence interne du dossier, par mois (AAAAMM)."""

    periode = models.CharField(max_length=6, primary_key=True)
    dernier = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.periode} = {self.dernier}"


class PlafondRessources(models.Model):
    """Plafond de ressources annuel (RFR) par financement, zone et catégorie de ménage.

    Donnée réglementaire datée (arrêté du 29 juillet 1987 modifié, révisé chaque
    1er janvier) : jamais une constante du code. ``categorie`` 7 = montant par
    personne supplémentaire au-delà de 6.
    """

    class Financement(models.TextChoices):
        PLAI = "PLAI", "PLAI"
        PLUS = "PLUS", "PLUS"
        PLS = "PLS", "PLS"

    class Zone(models.TextChoices):
        PARIS = "paris", "Paris et communes limitrophes"
        IDF = "idf", "Île-de-France hors Paris et communes limitrophes"
        AUTRES = "autres", "Autres régions"

    financement = models.CharField(max_length=4, choices=Financement.choices)
    zone = models.CharField(max_length=6, choices=Zone.choices, default=Zone.AUTRES)
    categorie = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)])
    annee = models.PositiveSmallIntegerField("année d'application")
    montant = models.DecimalField(max_digits=10, decimal_places=0)
    source = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = "plafond de ressources"
        verbose_name_plural = "plafonds de ressources"
        ordering = ["-annee", "financement", "zone", "categorie"]
        constraints = [
            models.UniqueConstraint(fields=["financement", "zone", "categorie", "annee"], name="plafond_unique")
        ]

    def __str__(self):
        return f"{self.financement} {self.annee} catégorie {self.categorie} : {self.montant} €"


class SeuilPremierQuartile(models.Model):
    """Seuil de revenu par unité de consommation du 1er quartile des demandeurs, par EPCI et année.

    Publié chaque année par arrêté préfectoral (loi Égalité et citoyenneté, CCH L441-1).
    """

    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année d'application")
    montant = models.DecimalField("revenu annuel par UC (€)", max_digits=10, decimal_places=0)
    source = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = "seuil du 1er quartile"
        verbose_name_plural = "seuils du 1er quartile"
        ordering = ["-annee", "epci"]
        constraints = [models.UniqueConstraint(fields=["epci", "annee"], name="quartile_unique")]

    def __str__(self):
        return f"{self.epci_id} {self.annee} : {self.montant} €/UC"


class ParametreReglementaire(models.Model):
    """Délai ou durée réglementaire, daté : la valeur en vigueur à une date est
    celle de la dernière ``date_effet`` antérieure (domain.md §8)."""

    code = models.CharField(max_length=60)
    valeur = models.IntegerField()
    unite = models.CharField(max_length=20)
    date_effet = models.DateField("en vigueur à partir du")
    libelle = models.CharField(max_length=200)
    source = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = "paramètre réglementaire"
        verbose_name_plural = "paramètres réglementaires"
        ordering = ["code", "-date_effet"]
        constraints = [models.UniqueConstraint(fields=["code", "date_effet"], name="parametre_date_unique")]

    def __str__(self):
        return f"{self.libelle} : {self.valeur} {self.unite} (depuis le {self.date_effet:%d/%m/%Y})"


# ---------------------------------------------------------------- traitements planifiés (relances/traitements.py)


class TraitementPlanifie(models.Model):
    """État d'un traitement planifié pour un jour : un job relancé reprend là où il en était.

    Une ligne par (job, jour). Le point de reprise et les compteurs sont écrits
    dans la transaction de chaque paquet ; deux exécutions concurrentes d'un
    même job sont exclues par un verrou consultatif PostgreSQL, libéré par le
    serveur si le processus meurt (docs/reliability.md).
    """

    class Statut(models.TextChoices):
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Interrompu sur erreur"
        INTERROMPU = "interrompu", "Interrompu (processus arrêté)"

    job = models.CharField("traitement", max_length=60)
    jour = models.DateField("jour traité")
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_COURS)
    point_de_reprise = models.BigIntegerField("dernier identifiant traité", default=0)
    compteurs = models.JSONField(default=dict, blank=True)
    passages = models.PositiveIntegerField("exécutions commencées", default=0)
    debut = models.DateTimeField("premier démarrage", null=True, blank=True)
    dernier_demarrage = models.DateTimeField(null=True, blank=True)
    fin = models.DateTimeField(null=True, blank=True)
    maj_le = models.DateTimeField("dernier paquet validé", null=True, blank=True)
    hote = models.CharField("hôte", max_length=100, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    erreur = models.TextField(blank=True)

    class Meta:
        verbose_name = "traitement planifié"
        verbose_name_plural = "traitements planifiés"
        ordering = ["-jour", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "jour"], name="traitement_job_jour_unique")]

    def __str__(self):
        return f"{self.job} du {self.jour:%d/%m/%Y} : {self.get_statut_display().lower()}"
