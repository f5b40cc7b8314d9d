"""Offre de logements sociaux : programmes, logements, disponibilités (seed 001 §8).

Le parc n'est pas une donnée nominative. Un bailleur écrit son propre parc ;
tout agent dont le rôle donne accès au fichier lit le parc de son territoire
d'habilitation (docs/acces.md, section « Offre »). Les écritures passent par
``offre/services.py`` ; la localisation du programme (bailleur, commune,
département, quartier, QPV) est recopiée sur ses logements pour que la liste
filtre et trie sans jointure sur des millions de lignes (docs/benchmarks.md).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from demandes.dossier.choix import CategorieLogement as Categorie  # noqa: F401 (réexporté pour offre)
from demandes.dossier.choix import Typologie  # noqa: F401 (mêmes valeurs que les typologies recherchées)
from fdls import acces
from fdls.organismes.models import Organisme
from fdls.socle.dates import PREMIER_JOUR
from fdls.socle.typographie import nombre
from fdls.socle.workflow import CREATION, JournalTransition, Transition, Workflow
from fdls.territoires.models import Commune, Departement, Quartier

# --- Bornes de plausibilité, partagées par les écrans, l'API et l'import
SURFACE_MIN, SURFACE_MAX = Decimal("9"), Decimal("400")  # décret 2002-120 : 9 m² au moins
LOYER_MAX = Decimal("3000")
CHARGES_MAX = Decimal("1500")
LOYER_M2_MIN, LOYER_M2_MAX = Decimal("1.5"), Decimal("35")
ETAGE_MIN, ETAGE_MAX = -1, 60
ANNEE_MIN = 1850

CODE = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z._/-]*$",
    "Le code ne contient que des chiffres, des lettres (sans accent), « . », « _ », « / » ou « - ».",
)


class Nature(models.TextChoices):
    SIMPLE = "simple", "Logement simple"
    PARKING = "parking", "Logement avec parking"


class Accessibilite(models.TextChoices):
    """Niveau d'adaptation et d'accessibilité physique, 3 niveaux (seed 001 §8)."""

    ACCESSIBLE = "accessible", "Niveau 1 – accessible (accès sans marche)"
    ADAPTABLE = "adaptable", "Niveau 2 – adaptable (travaux légers)"
    ADAPTE = "adapte", "Niveau 3 – adapté (fauteuil roulant)"


class Financement(models.TextChoices):
    PLAI = "PLAI", "PLAI – prêt locatif aidé d'intégration"
    PLUS = "PLUS", "PLUS – prêt locatif à usage social"
    PLS = "PLS", "PLS – prêt locatif social"
    PLI = "PLI", "PLI – prêt locatif intermédiaire"


class ClasseDpe(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"


class Label(models.TextChoices):
    """Offre spécifique (PPGD Nantes Métropole, seed 001 fiches 6 et 7)."""

    ASV = "ASV", "ASV – adapté au vieillissement"
    ELAN_30 = "ELAN-30", "ELAN – jeunes de moins de 30 ans"


TYPES_RESERVATAIRES = (
    Organisme.Type.ETAT,
    Organisme.Type.ACTION_LOGEMENT,
    Organisme.Type.COMMUNE,
    Organisme.Type.EPCI,
    Organisme.Type.DEPARTEMENT,
)


def gere_offre(user) -> bool:
    """L'agent écrit-il le parc de son organisme ? Instructeur d'un bailleur social."""
    return (
        acces.voit_nominatif(user)
        and user.a_role("instructeur_bailleur")
        and user.organisme.type == Organisme.Type.BAILLEUR
    )


def importe_pour_un_bailleur_choisi(user) -> bool:
    """L'administration du fichier (gestionnaire) importe le parc d'un bailleur qu'elle choisit."""
    return acces.administre(user) and not gere_offre(user)


def peut_importer(user) -> bool:
    """Import d'un fichier de parc : instructeur d'un bailleur (le sien), administration (le bailleur choisi)."""
    return gere_offre(user) or importe_pour_un_bailleur_choisi(user)


def _q_territoire(user, *, prefixe: str = "") -> Q | None:
    """Parc visible : territoire d'habilitation (départements entiers, communes
    isolées) et, pour un bailleur, tout son propre parc (docs/acces.md)."""
    perimetre = acces.portee(user)
    if perimetre is None:
        return None
    condition = Q(**{f"{prefixe}bailleur": user.organisme_id})
    if perimetre.departements:
        condition |= Q(**{f"{prefixe}departement__in": perimetre.departements})
    if perimetre.communes:
        condition |= Q(**{f"{prefixe}commune__in": perimetre.communes})
    return condition


class ParcQuerySet(models.QuerySet):
    """Lecture et écriture du parc selon la politique d'accès."""

    prefixe_acces = ""

    def visibles_par(self, user):
        condition = _q_territoire(user, prefixe=self.prefixe_acces)
        return self.none() if condition is None else self.filter(condition)

    def modifiables_par(self, user):
        if not gere_offre(user):
            return self.none()
        return self.filter(**{f"{self.prefixe_acces}bailleur": user.organisme_id})


class ProgrammeQuerySet(ParcQuerySet):
    pass


class Programme(models.Model):
    """Programme ou résidence d'un bailleur : un ensemble de logements à une adresse."""

    bailleur = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="programmes",
        limit_choices_to={"type": Organisme.Type.BAILLEUR},
    )
    code = models.CharField(
        "code programme", max_length=20, validators=[CODE], help_text="Code du programme chez le bailleur (ex. 0629)."
    )
    nom = models.CharField("nom de la résidence", max_length=150)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="programmes")
    # Copie du département de la commune : la politique d'accès filtre dessus.
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+", editable=False)
    quartier = models.ForeignKey(Quartier, on_delete=models.PROTECT, related_name="programmes", null=True, blank=True)
    qpv = models.BooleanField(
        "en quartier prioritaire (QPV)",
        default=False,
        help_text="Déduit du quartier s'il est renseigné ; compte pour l'indicateur LEC.",
    )
    annee_construction = models.PositiveSmallIntegerField(
        "année de construction ou de mise en service",
        null=True,
        blank=True,
        validators=[MinValueValidator(ANNEE_MIN)],
    )
    financement = models.CharField("financement principal", max_length=4, choices=Financement.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "programme"
        ordering = ["nom", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "code"],
                name="programme_code_unique_par_bailleur",
                violation_error_message="Ce bailleur a déjà un programme de ce code.",
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    def clean(self):
        erreurs = {}
        if self.annee_construction and self.annee_construction > timezone.localdate().year + 5:
            erreurs["annee_construction"] = (
                "L'année de construction ne peut dépasser de plus de 5 ans l'année en cours."
            )
        if self.quartier_id and self.commune_id and self.quartier.commune_id != self.commune_id:
            erreurs["quartier"] = "Ce quartier n'est pas dans la commune du programme."
        if self.bailleur_id and self.bailleur.type != Organisme.Type.BAILLEUR:
            erreurs["bailleur"] = "Le propriétaire d'un programme est un bailleur social."
        if erreurs:
            raise ValidationError(erreurs)

    def localiser(self) -> None:
        """Département et QPV dérivés de la commune et du quartier."""
        self.departement_id = self.commune.departement_id
        if self.quartier_id:
            self.qpv = self.quartier.qpv


class LogementQuerySet(ParcQuerySet):
    def vacants(self, etats=("a_pourvoir", "en_cours")):
        """Logements dont la vacance ouverte est dans l'un des ``etats``."""
        return self.filter(vacance__in=etats)


class Logement(models.Model):
    """Un logement locatif social, identifié par le code du programme et le sien
    (« KALLIMA 2 (0629 - 0013) »)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="logements", db_index=False)
    code = models.CharField(
        "code logement", max_length=30, validators=[CODE], help_text="Code du logement dans le programme (ex. 0013)."
    )
    # --- Copies de la localisation du programme (écrites par les services)
    bailleur = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    quartier = models.ForeignKey(Quartier, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    qpv = models.BooleanField("en QPV", default=False, editable=False)

    # --- Description
    typologie = models.CharField("typologie", max_length=7, choices=Typologie.choices)
    categorie = models.CharField("catégorie", max_length=11, choices=Categorie.choices)
    nature = models.CharField("nature", max_length=7, choices=Nature.choices, default=Nature.SIMPLE)
    surface = models.DecimalField(
        "surface habitable (m²)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(SURFACE_MIN), MaxValueValidator(SURFACE_MAX)],
    )
    etage = models.SmallIntegerField(
        "étage",
        default=0,
        validators=[MinValueValidator(ETAGE_MIN), MaxValueValidator(ETAGE_MAX)],
        help_text="0 pour le rez-de-chaussée, -1 pour un demi-sous-sol.",
    )
    ascenseur = models.BooleanField("ascenseur", default=False)
    accessibilite = models.CharField(
        "accessibilité", max_length=10, choices=Accessibilite.choices, blank=True, help_text="Vide : non accessible."
    )
    # --- Loyer et financement
    loyer = models.DecimalField(
        "loyer hors charges (€/mois)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(LOYER_MAX)],
    )
    charges = models.DecimalField(
        "charges (€/mois)",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(CHARGES_MAX)],
    )
    financement = models.CharField("financement", max_length=4, choices=Financement.choices)
    reservataire = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="logements_reserves",
        null=True,
        blank=True,
        limit_choices_to={"type__in": TYPES_RESERVATAIRES},
        verbose_name="réservataire initial",
        help_text="Vide : logement non réservé, géré par le bailleur.",
    )
    dpe = models.CharField("classe DPE", max_length=1, choices=ClasseDpe.choices, blank=True)
    loyer_accessible = models.BooleanField("loyer accessible", default=False)
    labels = ArrayField(
        models.CharField(max_length=10, choices=Label.choices),
        verbose_name="offre spécifique",
        default=list,
        blank=True,
    )
    # État de la vacance ouverte, recopié par les services de la disponibilité :
    # le filtre « vacant » est un parcours d'index partiel, sans semi-jointure.
    vacance = models.CharField(
        "vacance en cours",
        max_length=10,
        choices=[("a_pourvoir", "À pourvoir"), ("en_cours", "En cours d'attribution")],
        blank=True,
        editable=False,
        # Défaut en base : les chargements par COPY (import, démo) ne donnent pas la colonne.
        db_default="",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LogementQuerySet.as_manager()

    class Meta:
        verbose_name = "logement"
        ordering = ["programme_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="logement_code_unique_par_programme",
                violation_error_message="Ce programme a déjà un logement de ce code.",
            )
        ]
        indexes = [
            # Filtre par commune et statistiques commune × typologie × catégorie (parcours d'index seul).
            models.Index(fields=["commune", "typologie", "categorie"], name="logement_commune_typo_cat"),
            # Liste triée par programme puis code, filtrée par département (territoire) ou par bailleur.
            models.Index(fields=["departement", "programme", "code"], name="logement_dep_tri"),
            models.Index(fields=["bailleur", "programme", "code"], name="logement_bailleur_tri"),
            # Filtres peu sélectifs seuls mais combinables (BitmapAnd) : compacts grâce à la
            # déduplication des index B-tree ; QPV et vacance en index partiels.
            models.Index(fields=["typologie", "categorie"], name="logement_typologie"),
            models.Index(fields=["financement"], name="logement_financement"),
            models.Index(fields=["qpv"], name="logement_qpv", condition=Q(qpv=True)),
            models.Index(fields=["vacance"], name="logement_vacance", condition=~Q(vacance="")),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """Libellé des écrans du fichier partagé : « KALLIMA 2 (0629 - 0013) »."""
        return f"{self.programme.nom} ({self.programme.code} - {self.code})"

    @property
    def libelle_etage(self) -> str:
        if self.etage == 0:
            return "rez-de-chaussée"
        if self.etage < 0:
            return "demi-sous-sol"
        return f"{self.etage}{'er' if self.etage == 1 else 'e'} étage"

    def libelles_labels(self) -> list[str]:
        return [Label(label).label for label in self.labels if label in Label.values]

    @property
    def loyer_total(self) -> Decimal:
        return (self.loyer or 0) + (self.charges or 0)

    def clean(self):
        erreurs = verifier_logement(
            typologie=self.typologie,
            categorie=self.categorie,
            surface=self.surface,
            etage=self.etage,
            loyer=self.loyer,
            labels=self.labels,
        )
        if self.reservataire_id and self.reservataire.type not in TYPES_RESERVATAIRES:
            erreurs["reservataire"] = "Cet organisme n'est pas réservataire (État, Action Logement, collectivité)."
        if erreurs:
            raise ValidationError(erreurs)

    def copier_localisation(self) -> None:
        programme = self.programme
        self.bailleur_id = programme.bailleur_id
        self.commune_id = programme.commune_id
        self.departement_id = programme.departement_id
        self.quartier_id = programme.quartier_id
        self.qpv = programme.qpv


def verifier_logement(*, typologie, categorie, surface, etage, loyer, labels) -> dict[str, str]:
    """Règles de cohérence entre champs d'un logement (écrans, API et import)."""
    erreurs = {}
    if loyer is not None and surface:
        loyer_m2 = loyer / surface
        if loyer_m2 > LOYER_M2_MAX:
            erreurs["loyer"] = (
                f"Loyer impossible : {nombre(loyer_m2, 2)} €/m² dépasse {nombre(LOYER_M2_MAX)} €/m² "
                "(vérifiez le loyer et la surface)."
            )
        elif loyer_m2 < LOYER_M2_MIN:
            erreurs["loyer"] = (
                f"Loyer impossible : {nombre(loyer_m2, 2)} €/m² est inférieur à {nombre(LOYER_M2_MIN)} €/m² "
                "(le loyer est mensuel, en euros)."
            )
    if categorie == Categorie.MAISON and etage not in (None, 0):
        erreurs["etage"] = "Une maison est de plain-pied avec la rue : indiquez l'étage 0."
    if labels and len(set(labels)) != len(labels):
        erreurs["labels"] = "Un label d'offre spécifique est indiqué deux fois."
    return erreurs


class EtatDisponibilite(models.TextChoices):
    A_POURVOIR = "a_pourvoir", "À pourvoir"
    EN_COURS = "en_cours", "En cours d'attribution"
    ATTRIBUEE = "attribuee", "Attribuée"
    RETIREE = "retiree", "Retirée"


ETATS_OUVERTS = (EtatDisponibilite.A_POURVOIR, EtatDisponibilite.EN_COURS)


# Table unique des transitions (docs/statuts.md) : état → {état d'arrivée : libellé de l'action}.
class DisponibiliteQuerySet(ParcQuerySet):
    prefixe_acces = "logement__"

    def ouvertes(self):
        return self.filter(etat__in=ETATS_OUVERTS)


class Disponibilite(models.Model):
    """Une vacance déclarée par le bailleur : le logement sera libre à une date."""

    class Motif(models.TextChoices):
        RELOCATION = "relocation", "Relocation (départ du locataire)"
        MISE_EN_SERVICE = "mise_en_service", "Mise en service (construction neuve)"

    logement = models.ForeignKey(Logement, on_delete=models.PROTECT, related_name="disponibilites")
    date_disponibilite = models.DateField("disponible à partir du")
    motif = models.CharField("origine de la vacance", max_length=15, choices=Motif.choices)
    reservataire = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="disponibilites_a_pourvoir",
        null=True,
        blank=True,
        limit_choices_to={"type__in": TYPES_RESERVATAIRES},
        verbose_name="réservataire dont c'est le tour",
        help_text="Gestion en flux (loi ELAN) : vide si le bailleur propose lui-même un candidat.",
    )
    etat = models.CharField(
        "état", max_length=10, choices=EtatDisponibilite.choices, default=EtatDisponibilite.A_POURVOIR
    )
    commentaire = models.TextField("commentaire", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DisponibiliteQuerySet.as_manager()

    class Meta:
        verbose_name = "disponibilité"
        ordering = ["date_disponibilite", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["logement"],
                condition=Q(etat__in=["a_pourvoir", "en_cours"]),
                name="disponibilite_une_ouverte_par_logement",
                violation_error_message="Ce logement a déjà une vacance à pourvoir ou en cours d'attribution.",
            ),
            # Date contrôlée par les services (offre.services.verifier_date_disponibilite) ; la base garde le plancher.
            models.CheckConstraint(
                condition=Q(date_disponibilite__gte=PREMIER_JOUR),
                name="disponibilite_date_depuis_1900",
                violation_error_message="La date de disponibilité est antérieure à 1900.",
            ),
        ]
        indexes = [models.Index(fields=["etat", "logement"], name="disponibilite_etat_logement")]

    def __str__(self):
        return f"{self.logement} – {self.get_etat_display()} au {self.date_disponibilite:%d/%m/%Y}"

    @property
    def ouverte(self) -> bool:
        return self.etat in ETATS_OUVERTS

    def transitions_possibles(self) -> dict[str, str]:
        """État d'arrivée → libellé de l'action, pour chaque action permise (``WORKFLOW_DISPONIBILITE``)."""
        return {t.cible: t.libelle for t in WORKFLOW_DISPONIBILITE.possibles(self)}


class DisponibiliteEvenement(JournalTransition):
    """Journal des changements d'état d'une disponibilité (une ligne par transition de ``WORKFLOW_DISPONIBILITE``)."""

    champ_objet = "disponibilite"

    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="evenements")
    etat_avant = models.CharField("état avant", max_length=20, choices=EtatDisponibilite.choices, blank=True)
    etat_apres = models.CharField("état après", max_length=20, choices=EtatDisponibilite.choices)

    class Meta:
        verbose_name = "événement de disponibilité"
        verbose_name_plural = "événements de disponibilité"
        ordering = ["date", "id"]


def _refus_disponibilite(workflow: Workflow, disponibilite, transition: Transition) -> str:
    etat = workflow.libelle_etat(workflow.etat_de(disponibilite))
    return f"Une disponibilité {etat} ne peut pas : {transition.libelle.lower()}."


# Table des transitions d'une vacance (docs/statuts.md, « Disponibilité d'un logement »). Un retour en
# arrière ou un retrait s'explique par écrit (motif obligatoire).
WORKFLOW_DISPONIBILITE = Workflow(
    nom="disponibilite",
    etats=EtatDisponibilite,
    journal=DisponibiliteEvenement,
    article="une disponibilité",
    refus=_refus_disponibilite,
    transitions=[
        Transition("declarer", frozenset({CREATION}), EtatDisponibilite.A_POURVOIR, "Déclarer la vacance"),
        Transition(
            "engager", frozenset({EtatDisponibilite.A_POURVOIR}), EtatDisponibilite.EN_COURS, "Engager l'attribution"
        ),
        Transition(
            "attribuer",
            frozenset({EtatDisponibilite.EN_COURS}),
            EtatDisponibilite.ATTRIBUEE,
            "Enregistrer l'attribution",
        ),
        Transition(
            "remettre_a_pourvoir",
            frozenset({EtatDisponibilite.EN_COURS}),
            EtatDisponibilite.A_POURVOIR,
            "Remettre à pourvoir",
            motif_obligatoire=True,
        ),
        Transition(
            "retirer",
            frozenset({EtatDisponibilite.A_POURVOIR, EtatDisponibilite.EN_COURS}),
            EtatDisponibilite.RETIREE,
            "Retirer de l'offre",
            motif_obligatoire=True,
        ),
    ],
)


class ImportLogements(models.Model):
    """Un fichier de parc déposé par un bailleur, et son rapport ligne à ligne.

    Le fichier est gardé hors de la racine web (MEDIA_ROOT privé) tant que
    l'import n'est pas fait, pour permettre d'importer ensuite les seules lignes
    valides ; il est supprimé dès l'import effectué.
    """

    class Etat(models.TextChoices):
        ERREURS = "erreurs", "Refusé : le fichier contient des erreurs"
        IMPORTE = "importe", "Importé"

    bailleur = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="imports_logements")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True)
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    nom_fichier = models.CharField("fichier", max_length=200)
    fichier = models.FileField(upload_to="offre/imports/%Y/%m/", blank=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices)
    nb_lignes = models.PositiveIntegerField("lignes", default=0)
    nb_erreurs = models.PositiveIntegerField("lignes en erreur", default=0)
    nb_crees = models.PositiveIntegerField("logements créés", default=0)
    nb_modifies = models.PositiveIntegerField("logements mis à jour", default=0)
    nb_programmes = models.PositiveIntegerField("programmes créés ou mis à jour", default=0)
    erreurs = models.JSONField("erreurs (ligne, colonne, message)", default=list, blank=True)
    avertissements = models.JSONField("avertissements", default=list, blank=True)
    importe_le = models.DateTimeField("importé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de logements"
        verbose_name_plural = "imports de logements"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.nom_fichier} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def nb_valides(self) -> int:
        return self.nb_lignes - self.nb_erreurs
