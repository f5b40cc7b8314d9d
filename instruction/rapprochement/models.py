"""Table de rapprochement : une ligne par demande active × commune souhaitée (docs/decisions.md, session 10).

Table étroite, copie de ce que la recherche de candidats d'une vacance filtre
et trie : choix (rang, quartiers), logement recherché (typologies, catégorie,
accès), ménage (personnes, rang de plafond, revenu retenu N-2 ou N-1,
ressources mensuelles), labels actifs, **points de la cotation du territoire
de la commune** (résultat de la grille de son EPCI), date de dépôt
(ancienneté) et nombre de propositions et de refus. L'index
``(commune, points DESC, date_depot, demande)`` rend les candidats d'une
vacance dans leur ordre de classement ; les autres critères se vérifient sur la
ligne, sans relire la demande.

Tenue **par PostgreSQL** (triggers à tables de transition sur la demande, ses
localisations, personnes, ressources, labels, événements et résultats de
cotation : migration ``instruction/0001``), donc à jour dans la transaction de
toute écriture, y compris les recalculs en SQL de la cotation et des labels ;
le générateur en masse la remplit en une instruction (``remplir_sql``). Jamais
écrite par le code Python.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Left

from demandes.models import Demande
from fdls.territoires.models import Commune

# Longueur du début de nom indexé avec le classement (index ``candidat_prefixe_*``, filtre « nom »).
LONGUEUR_PREFIXE_NOM = 3
# Ordre du classement des candidats (``recherche_sql.ORDRE``), colonnes de fin des index qui le servent.
CLASSEMENT = (F("points").desc(nulls_last=True), F("date_depot"), F("demande"))


class LigneCandidat(models.Model):
    # Clé étrangère ON DELETE CASCADE posée en SQL (migration) : la table suit la demande sans Django.
    demande = models.ForeignKey(
        Demande, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="lignes_candidat"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    epci = models.CharField("territoire (SIREN de l'EPCI de la commune)", max_length=9, blank=True)
    rang = models.PositiveSmallIntegerField("rang du choix")
    quartiers = ArrayField(models.BigIntegerField(), verbose_name="quartiers choisis (vide : toute la commune)")
    typologies = ArrayField(models.CharField(max_length=10), verbose_name="typologies recherchées")
    categorie_recherchee = models.CharField(max_length=20)
    parking = models.BooleanField()
    nature = models.CharField(max_length=20, blank=True)
    nb_personnes = models.PositiveSmallIntegerField()
    rang_plafond = models.PositiveSmallIntegerField("catégorie de ménage pour les plafonds (6 + k au-delà)")
    revenu = models.DecimalField("revenu fiscal retenu", max_digits=12, decimal_places=2, null=True)
    revenu_n1 = models.BooleanField("revenu de l'année N-1 (baisse d'au moins 10 %)")
    ressources_mensuelles = models.DecimalField(max_digits=12, decimal_places=2)
    rez_de_chaussee = models.BooleanField()
    sans_ascenseur_accepte = models.BooleanField()
    adapte_handicap = models.BooleanField()
    handicap = models.BooleanField("une personne du ménage en situation de handicap")
    loyer_max = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    statut_occupation = models.CharField(max_length=30, blank=True)
    activite = models.CharField("activité du demandeur", max_length=30, blank=True)
    labels = ArrayField(models.BigIntegerField(), verbose_name="labels actifs (types)")
    points = models.IntegerField("points de la cotation du territoire", null=True)
    date_depot = models.DateField()
    nb_propositions = models.PositiveSmallIntegerField()
    nb_refus = models.PositiveSmallIntegerField()
    # Noms normalisés des titulaires (clés d'identité) : le filtre « nom » lit l'index (commune, nom).
    nom_demandeur = models.CharField(max_length=150, default="", db_default="")
    nom_codemandeur = models.CharField(max_length=150, default="", db_default="")

    class Meta:
        verbose_name = "ligne de rapprochement"
        verbose_name_plural = "lignes de rapprochement"
        constraints = [models.UniqueConstraint(fields=["demande", "commune"], name="candidat_demande_commune")]
        indexes = [
            models.Index(F("commune"), *CLASSEMENT, name="candidat_commune_classement"),
            # Début de nom de trois lettres dans l'ordre du classement (``recherche_sql._base``).
            models.Index(
                F("commune"),
                Left("nom_demandeur", LONGUEUR_PREFIXE_NOM),
                *CLASSEMENT,
                name="candidat_prefixe_demandeur",
            ),
            models.Index(
                F("commune"),
                Left("nom_codemandeur", LONGUEUR_PREFIXE_NOM),
                *CLASSEMENT,
                name="candidat_prefixe_codemandeur",
                condition=~models.Q(nom_codemandeur=""),
            ),
            models.Index(F("commune"), OpClass("nom_demandeur", name="varchar_pattern_ops"), name="candidat_nom"),
            models.Index(
                F("commune"),
                OpClass("nom_codemandeur", name="varchar_pattern_ops"),
                name="candidat_nom_codemandeur",
                condition=~models.Q(nom_codemandeur=""),
            ),
        ]

    def __str__(self):
        return f"{self.demande_id} {self.commune_id} ({self.points} points)"
