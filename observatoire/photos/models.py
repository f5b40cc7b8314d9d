"""Photos mensuelles du fichier : tables étroites figées le 1er de chaque mois, jamais réécrites.

Une ``Photo`` réunit trois tables sans donnée nominative (aucun nom, aucune
adresse ; l'identifiant de la demande sert seulement à compter sans doublon) :

- ``PhotoDemande`` : une ligne par demande en cours au 1er du mois à 0 h,
  avec ses valeurs dérivées (premier choix de commune, EPCI, quartier,
  typologie, catégorie de ménage, ancienneté, mutation, priorité, 1er quartile) ;
- ``PhotoAttribution`` : une ligne par bail signé (événement « satisfaction »)
  de l'année civile précédente et de l'année en cours jusqu'au 1er du mois ;
- ``PhotoLogement`` : le parc compté par commune × typologie × catégorie ×
  financement × bailleur × QPV, avec les vacances ouvertes.

Écrites en une transaction par ``photos.services.photographier_fichier``
(``INSERT … SELECT`` de ``photo_sql``) ; un trigger (migration 0001) refuse
toute modification ou suppression d'une ligne : la photo d'un mois ne se
réécrit pas.
"""

from django.contrib.postgres.indexes import BrinIndex
from django.db import models


class Photo(models.Model):
    mois = models.DateField("photo du", unique=True, help_text="Premier jour du mois, état du fichier à 0 h.")
    prise_le = models.DateTimeField("prise le")
    duree_s = models.FloatField("durée (s)", default=0)
    nb_demandes = models.PositiveIntegerField("demandes en cours", default=0)
    nb_attributions = models.PositiveIntegerField("attributions", default=0)
    nb_logements = models.PositiveIntegerField("logements", default=0)
    reconstituee = models.BooleanField(
        "reconstituée après coup",
        default=False,
        help_text="Prise après le mois qu'elle décrit : l'état est relu des dates de dépôt et de fin "
        "(ménage et ressources d'aujourd'hui).",
    )

    class Meta:
        verbose_name = "photo mensuelle"
        verbose_name_plural = "photos mensuelles"
        ordering = ["-mois"]

    def __str__(self):
        return f"Photo du {self.mois:%d/%m/%Y}"


class TrancheAnciennete(models.IntegerChoices):
    MOINS_6 = 1, "Moins de 6 mois"
    DE_6_A_12 = 2, "6 à 11,9 mois"
    DE_12_A_24 = 3, "12 à 23,9 mois"
    PLUS_24 = 4, "24 mois et plus"


# Les lignes et les cubes d'une photo n'ont pas de contrainte de clé étrangère en base (``db_constraint=False``) :
# Django la rend « différée », et PostgreSQL vérifiait alors, au COMMIT de la photo, chacune des millions de lignes
# (12 à 14 s à 3 M). Ces lignes ne sont écrites que par la photo, dans sa transaction, et une photo ne se supprime
# jamais (trigger ``observatoire_photo_figee``).


class PhotoDemande(models.Model):
    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="demandes", db_index=False, db_constraint=False
    )
    demande_id = models.BigIntegerField()
    departement = models.CharField(max_length=3)
    commune = models.CharField("commune du 1er choix", max_length=5)
    epci = models.CharField("EPCI du 1er choix", max_length=9, blank=True)
    quartier_id = models.BigIntegerField(null=True)
    qpv = models.BooleanField("1er choix en QPV", default=False)
    typologie = models.CharField(max_length=10, blank=True)
    categorie_recherchee = models.CharField(max_length=20, blank=True)
    categorie_menage = models.PositiveSmallIntegerField(null=True)
    nb_personnes = models.PositiveSmallIntegerField(default=1)
    nature = models.CharField(max_length=20, blank=True)
    statut_occupation = models.CharField(max_length=30, blank=True)
    mutation = models.BooleanField("locataire HLM (mutation)", default=False)
    prioritaire = models.BooleanField("ménage prioritaire", default=False)
    premier_quartile = models.BooleanField("1er quartile (label automatique)", default=False)
    date_depot = models.DateField()
    anciennete_mois = models.PositiveSmallIntegerField()
    tranche_anciennete = models.PositiveSmallIntegerField(choices=TrancheAnciennete.choices)
    organisme_id = models.BigIntegerField("organisme du guichet d'enregistrement")

    class Meta:
        verbose_name = "demande photographiée"
        # Pas d'index unique (photo, demande) : l'INSERT … SELECT n'écrit qu'une ligne par demande, et chaque
        # index coûte à la prise d'un million de lignes.
        # BRIN et non B-tree : les lignes d'une photo sont écrites d'un bloc, triées par EPCI et commune, et jamais
        # modifiées ; un résumé par plage de pages suffit à ne lire que la photo (et l'EPCI) demandés, sans les
        # millions d'insertions d'un B-tree à chaque prise.
        indexes = [BrinIndex(fields=["photo", "epci", "commune"], name="photodemande_territoire")]

    def __str__(self):
        return f"{self.photo} : demande {self.demande_id}"


class PhotoDemandeCube(models.Model):
    """Les demandes de la photo comptées par combinaison des dimensions des tableaux standard (écrite avec la
    photo) : une page ne relit pas un million de lignes (quelques dizaines de milliers de combinaisons)."""

    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="cube_demandes", db_index=False, db_constraint=False
    )
    epci = models.CharField(max_length=9, blank=True)
    commune = models.CharField(max_length=5)
    quartier_id = models.BigIntegerField(null=True)
    qpv = models.BooleanField(default=False)
    typologie = models.CharField(max_length=10, blank=True)
    categorie_recherchee = models.CharField(max_length=20, blank=True)
    categorie_menage = models.PositiveSmallIntegerField(null=True)
    mutation = models.BooleanField(default=False)
    prioritaire = models.BooleanField(default=False)
    premier_quartile = models.BooleanField(default=False)
    tranche_anciennete = models.PositiveSmallIntegerField(choices=TrancheAnciennete.choices)
    nb = models.PositiveIntegerField("demandes")
    somme_anciennete = models.BigIntegerField("somme des anciennetés (mois)")

    class Meta:
        verbose_name = "demandes photographiées, comptées"
        indexes = [models.Index(fields=["photo", "epci", "commune"], name="photocube_territoire")]

    def __str__(self):
        return f"{self.photo} : {self.nb} demandes"


class PhotoAttribution(models.Model):
    """Un bail signé : l'événement « satisfaction » de l'attributaire (contrat de l'instruction, session 11).

    ``repli`` : l'événement ne portait que ``bien`` et ``bailleur`` (générateur, démonstration
    antérieure) ; commune, typologie et QPV sont alors ceux du premier choix de la demande.
    """

    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="attributions", db_index=False, db_constraint=False
    )
    evenement_id = models.BigIntegerField()
    demande_id = models.BigIntegerField()
    date_bail = models.DateField()
    annee = models.PositiveSmallIntegerField()
    commune = models.CharField("commune du logement", max_length=5)
    epci = models.CharField(max_length=9, blank=True)
    qpv = models.BooleanField("logement en QPV", default=False)
    typologie = models.CharField(max_length=10, blank=True)
    financement = models.CharField(max_length=10, blank=True)
    bailleur = models.CharField(max_length=200, blank=True)
    reservataire_id = models.BigIntegerField(null=True)
    contingent = models.CharField(max_length=60, blank=True)
    categorie_menage = models.PositiveSmallIntegerField(null=True)
    nb_personnes = models.PositiveSmallIntegerField(default=1)
    mutation = models.BooleanField(default=False)
    prioritaire = models.BooleanField(default=False)
    renouvellement_urbain = models.BooleanField("relogé du renouvellement urbain", default=False)
    ruc_annuel = models.IntegerField(null=True)
    seuil_quartile = models.IntegerField("seuil du 1er quartile appliqué (€/UC)", null=True)
    premier_quartile = models.BooleanField(null=True)
    delai_mois = models.PositiveSmallIntegerField("délai d'attribution (mois)")
    organisme_id = models.BigIntegerField("organisme du guichet d'enregistrement")
    repli = models.BooleanField("données du logement reprises de la demande", default=False)

    class Meta:
        verbose_name = "attribution photographiée"
        indexes = [BrinIndex(fields=["photo", "annee", "epci"], name="photoattribution_annee")]  # voir PhotoDemande

    def __str__(self):
        return f"{self.photo} : bail du {self.date_bail:%d/%m/%Y}"


class PhotoAttributionCube(models.Model):
    """Les attributions de la photo comptées par combinaison des dimensions des tableaux et des indicateurs."""

    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="cube_attributions", db_index=False, db_constraint=False
    )
    annee = models.PositiveSmallIntegerField()
    epci = models.CharField(max_length=9, blank=True)
    commune = models.CharField(max_length=5)
    qpv = models.BooleanField(default=False)
    typologie = models.CharField(max_length=10, blank=True)
    financement = models.CharField(max_length=10, blank=True)
    bailleur = models.CharField(max_length=200, blank=True)
    contingent = models.CharField(max_length=60, blank=True)
    categorie_menage = models.PositiveSmallIntegerField(null=True)
    mutation = models.BooleanField(default=False)
    prioritaire = models.BooleanField(default=False)
    renouvellement_urbain = models.BooleanField(default=False)
    premier_quartile = models.BooleanField(null=True)
    nb = models.PositiveIntegerField("attributions")
    somme_delai = models.BigIntegerField("somme des délais (mois)")

    class Meta:
        verbose_name = "attributions photographiées, comptées"
        indexes = [models.Index(fields=["photo", "annee", "epci", "commune"], name="photocubeattr_territoire")]

    def __str__(self):
        return f"{self.photo} : {self.nb} attributions"


class PhotoDelaiCube(models.Model):
    """Les baux de la photo comptés par délai d'attribution (mois entiers) : la médiane des délais d'un
    territoire se lit exactement dans cet histogramme, sans relire les baux (≈ 400 000 par année à 3 M)."""

    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="cube_delais", db_index=False, db_constraint=False
    )
    annee = models.PositiveSmallIntegerField()
    epci = models.CharField(max_length=9, blank=True)
    commune = models.CharField(max_length=5)
    typologie = models.CharField(max_length=10, blank=True)
    mutation = models.BooleanField(default=False)
    delai_mois = models.PositiveSmallIntegerField("délai d'attribution (mois)")
    nb = models.PositiveIntegerField("attributions")

    class Meta:
        verbose_name = "délais d'attribution photographiés, comptés"
        indexes = [models.Index(fields=["photo", "annee", "epci", "commune"], name="photocubedelai_territoire")]

    def __str__(self):
        return f"{self.photo} : {self.nb} baux à {self.delai_mois} mois"


class PhotoLogement(models.Model):
    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="logements", db_index=False, db_constraint=False
    )
    commune = models.CharField(max_length=5)
    epci = models.CharField(max_length=9, blank=True)
    qpv = models.BooleanField(default=False)
    typologie = models.CharField(max_length=10)
    categorie = models.CharField(max_length=11)
    financement = models.CharField(max_length=10, blank=True)
    bailleur = models.CharField(max_length=200)
    nb_logements = models.PositiveIntegerField()
    nb_vacants = models.PositiveIntegerField("vacances ouvertes")

    class Meta:
        verbose_name = "parc photographié"
        indexes = [models.Index(fields=["photo", "epci", "commune"], name="photologement_territoire")]

    def __str__(self):
        return f"{self.photo} : {self.nb_logements} {self.typologie} à {self.commune}"
