"""Données du calcul de la cotation : la grille telle que la lit le moteur, et les résultats stockés.

Une grille appartient à un territoire (l'EPCI qui l'adopte en CIL), porte un
numéro de version, des dates d'effet et un état (docs/statuts.md ; sa vie :
``cotation.grilles.services``) ; ses critères sont des données : familles,
libellés montrés au demandeur, points ou paliers, exclusions (« sauf si… »),
fenêtre de temps des points limités dans le temps. Chaque critère désigne une
règle nommée de ``cotation.calcul.regles`` qui lit les faits de la demande. Le
moteur (``cotation.calcul.moteur.coter``) est une fonction pure ; le résultat
d'une demande est stocké dans une table étroite à part (``ResultatCotation``),
jamais sur la table des demandes (quality.md : pas d'index sur le total de la
demande).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from demandes.models import Demande
from fdls.territoires.models import Commune, Epci


class Grille(models.Model):
    class Etat(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PROGRAMMEE = "programmee", "Programmée"
        EN_VIGUEUR = "en_vigueur", "En vigueur"
        ARCHIVEE = "archivee", "Archivée"

    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="grilles_cotation", verbose_name="territoire")
    version = models.PositiveSmallIntegerField("version")
    libelle = models.CharField("intitulé", max_length=200)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.BROUILLON)
    date_effet = models.DateField("en vigueur à partir du", null=True, blank=True)
    date_fin = models.DateField("archivée le", null=True, blank=True)
    deliberation = models.CharField(
        "délibération", max_length=200, blank=True, help_text="Ex. « CIL du 22 mars 2023 »."
    )
    # Plancher du total (None : un total peut être négatif, docs/cotation.md).
    total_plancher = models.SmallIntegerField(
        "plancher du total",
        null=True,
        blank=True,
        help_text="Laisser vide pour qu'une décote puisse rendre le total négatif.",
    )
    # Ancienneté : mois comptés depuis la date de dépôt initial (renouvellements compris).
    introduction = models.TextField("texte d'introduction du livret", blank=True)
    creee_depuis = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="copiée de"
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "grille de cotation"
        verbose_name_plural = "grilles de cotation"
        ordering = ["epci", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["epci", "version"], name="grille_epci_version"),
            models.UniqueConstraint(
                fields=["epci"], condition=models.Q(etat="en_vigueur"), name="grille_une_en_vigueur"
            ),
            models.UniqueConstraint(
                fields=["epci"], condition=models.Q(etat="programmee"), name="grille_une_programmee"
            ),
            models.CheckConstraint(
                condition=~models.Q(etat__in=["programmee", "en_vigueur"]) | models.Q(date_effet__isnull=False),
                name="grille_active_datee",
                violation_error_message="Une grille programmée ou en vigueur a une date d'effet.",
            ),
        ]

    def __str__(self):
        return f"{self.libelle} (v{self.version})"

    @property
    def modifiable(self) -> bool:
        return self.etat == self.Etat.BROUILLON


class Famille(models.Model):
    """Famille de critères (« Priorités État », « Motifs »…) et la façon dont ses points se cumulent."""

    class Cumul(models.TextChoices):
        SOMME = "somme", "Les points des critères s'additionnent"
        MAXIMUM = "maximum", "Seul le critère le plus favorable compte"

    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="familles")
    code = models.SlugField("code", max_length=40)
    libelle = models.CharField("libellé", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre", default=100)
    cumul = models.CharField("cumul", max_length=10, choices=Cumul.choices, default=Cumul.SOMME)
    exclue_si_familles = ArrayField(
        models.SlugField(max_length=40),
        verbose_name="sans points si une de ces familles en donne",
        default=list,
        blank=True,
        help_text="Ex. « Priorités Nantes Métropole » ne compte pas si une priorité État compte (« ou »).",
    )

    class Meta:
        verbose_name = "famille de critères"
        verbose_name_plural = "familles de critères"
        ordering = ["grille", "ordre", "id"]
        constraints = [models.UniqueConstraint(fields=["grille", "code"], name="famille_grille_code")]

    def __str__(self):
        return self.libelle


class Critere(models.Model):
    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="criteres")
    famille = models.ForeignKey(Famille, on_delete=models.PROTECT, related_name="criteres")
    code = models.SlugField("code", max_length=60)
    libelle = models.CharField("libellé pour le demandeur", max_length=600)
    regle = models.CharField("règle d'évaluation", max_length=60)
    parametres = models.JSONField("paramètres de la règle", default=dict, blank=True)
    points = models.SmallIntegerField("points", default=0)
    # Paliers : [{"min": 6, "max": 18, "points": 5, "duree_mois": null}, …] (bornes min incluse, max exclue).
    paliers = models.JSONField("paliers", default=list, blank=True)
    duree_mois = models.PositiveSmallIntegerField(
        "points limités à (mois)", null=True, blank=True, help_text="Pour les points et décotes limités dans le temps."
    )
    exclu_si = ArrayField(
        models.SlugField(max_length=60),
        verbose_name="sauf si ces critères comptent",
        default=list,
        blank=True,
    )
    exclu_si_familles = ArrayField(
        models.SlugField(max_length=40),
        verbose_name="sauf si ces familles comptent",
        default=list,
        blank=True,
    )
    mention_exclusion = models.CharField("mention « sauf si… » du livret", max_length=300, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=100)

    class Meta:
        verbose_name = "critère de cotation"
        verbose_name_plural = "critères de cotation"
        ordering = ["grille", "famille__ordre", "ordre", "id"]
        constraints = [models.UniqueConstraint(fields=["grille", "code"], name="critere_grille_code")]

    def __str__(self):
        return self.libelle


class ResultatCotation(models.Model):
    """Dernier calcul de la cotation d'une demande pour un territoire : table étroite, une ligne par
    (demande, EPCI doté d'une grille en vigueur parmi ses choix).

    La cotation s'applique à toutes les demandes du territoire (seed 001 §5) :
    une demande dont les choix couvrent deux EPCI dotés d'une grille a deux
    résultats. ``territoire`` : SIREN de l'EPCI de la grille ; ``""`` pour une
    demande qu'aucune grille ne cote (une seule ligne, sans points).
    ``lignes`` : [{"critere", "libelle", "famille", "points", "raison", "jusqu_au"}] ;
    ``prochaine_echeance`` : premier jour où un point limité dans le temps ou
    une bande d'ancienneté change — le calcul de nuit ne relit que ces demandes.
    ``commune`` (choix de plus petit rang dans le territoire) et ``typologie``
    (plus petite typologie) servent aux sélecteurs de transparence (demandes
    analogues).
    """

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="cotations", db_index=False)
    territoire = models.CharField("territoire (SIREN de l'EPCI)", max_length=9, blank=True, default="")
    grille = models.ForeignKey(Grille, on_delete=models.PROTECT, null=True, related_name="+")
    total = models.SmallIntegerField("total", default=0)
    lignes = models.JSONField("lignes", default=list)
    calcule_le = models.DateTimeField("calculée le")
    prochaine_echeance = models.DateField("prochain changement attendu", null=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False)
    typologie = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = "cotation d'une demande"
        verbose_name_plural = "cotations des demandes"
        indexes = [models.Index(fields=["prochaine_echeance"], name="cotation_echeance")]
        constraints = [
            models.UniqueConstraint(fields=["demande", "territoire"], name="resultat_demande_territoire"),
        ]

    def __str__(self):
        return f"{self.demande_id} ({self.territoire or 'sans grille'}) : {self.total} points"


class HistoriqueCotation(models.Model):
    """Totaux successifs d'une demande (une ligne quand le total ou la grille change).

    ``calcul_remplace`` : ``calcule_le`` du résultat que ce total remplace (aucun pour la première cotation, qui
    n'est pas dédoublonnée). Unique par demande et grille : deux recalculs simultanés qui remplacent le même résultat
    n'écrivent qu'une ligne
    (``INSERT … ON CONFLICT DO NOTHING``, docs/reliability.md).
    """

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="historique_cotation")
    grille = models.ForeignKey(Grille, on_delete=models.PROTECT, null=True, related_name="+")
    total = models.SmallIntegerField()
    date = models.DateTimeField()
    motif = models.CharField(max_length=60, blank=True)
    calcul_remplace = models.DateTimeField("calcul remplacé", null=True, blank=True)

    class Meta:
        verbose_name = "total de cotation successif"
        ordering = ["demande", "-date", "-id"]
        indexes = [models.Index(fields=["demande", "-date"], name="hist_cotation_demande")]
        constraints = [
            # Sans résultat précédent (première cotation, résultat supprimé) : pas de clé, pas de dédoublonnage ;
            # les recalculs, eux, sont sérialisés par leur verrou. La grille distingue les territoires d'une demande
            # (un résultat par EPCI doté d'une grille) : leurs résultats d'un même paquet ont la même date.
            models.UniqueConstraint(
                fields=["demande", "grille", "calcul_remplace"], name="historique_cotation_une_fois"
            )
        ]

    def __str__(self):
        return f"{self.demande_id} : {self.total} points le {self.date:%d/%m/%Y}"


class DistributionCotation(models.Model):
    """Répartition des totaux des demandes actives analogues (commune du 1er choix × typologie).

    Recalculée après chaque calcul de nuit : l'espace du demandeur lit cette
    petite table, pas le million de résultats.
    """

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    typologie = models.CharField(max_length=10)
    total = models.SmallIntegerField()
    effectif = models.PositiveIntegerField()
    calcule_le = models.DateTimeField()

    class Meta:
        verbose_name = "répartition des cotations analogues"
        constraints = [
            models.UniqueConstraint(fields=["commune", "typologie", "total"], name="distribution_cle"),
        ]

    def __str__(self):
        return f"{self.commune_id} {self.typologie} : {self.effectif} à {self.total} points"
