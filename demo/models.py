"""Modèles propres au générateur et aux bancs (vides en production).

Ils vivaient dans ``demandes`` : leurs tables gardent leur nom
(``db_table``), le déplacement n'a changé que l'état des migrations
(``demandes`` 0021 et ``demo`` 0001, ``SeparateDatabaseAndState``).
"""

from django.db import models

from demandes.models import Demande


class DoublonSeme(models.Model):
    """Vérité terrain du générateur de démonstration : doublons introduits volontairement, et paires de
    ménages distincts qui se ressemblent (jumeaux, parent et enfant : ``NEGATIFS``).

    Sert à mesurer rappel et précision de la détection (bench/). Vide en production.
    """

    class Type(models.TextChoices):
        FAUTE_FRAPPE = "faute_frappe", "Faute de frappe"
        INVERSION = "inversion", "Nom et prénom inversés"
        ACCENTS = "accents", "Accents manquants"
        CODEMANDEUR_SEUL = "codemandeur_seul", "Co-demandeur déposant seul"
        DATE_INVERSEE = "date_inversee", "Jour et mois de naissance inversés"
        NOM_NAISSANCE = "nom_naissance", "Nom d'usage puis nom de naissance"
        TRANSLITTERATION = "translitteration", "Autre translittération du prénom (et du nom)"
        # Faux doublons (« négatifs difficiles ») : deux ménages distincts que la détection ne doit pas signaler.
        JUMEAUX = "jumeaux", "Jumeaux de sexes différents (pas un doublon)"
        PARENT_ENFANT = "parent_enfant", "Parent et enfant du même nom (pas un doublon)"

    #: Types qui ne sont pas des doublons : la paire semée mesure les fausses alertes (précision).
    NEGATIFS = frozenset({"jumeaux", "parent_enfant"})

    originale = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    doublon = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)

    class Meta:
        db_table = "demandes_doublonseme"
        verbose_name = "doublon semé (démonstration)"
        constraints = [models.UniqueConstraint(fields=["originale", "doublon"], name="doublon_seme_unique")]

    def __str__(self):
        return f"{self.originale_id} → {self.doublon_id} ({self.type})"


class IndexSuspendu(models.Model):
    """Index secondaire retiré pendant un chargement en masse du générateur, à reconstruire.

    Le générateur (``demo.generateur``, au-delà de 100 000 demandes) retire les
    index qui ne portent pas de contrainte, charge par COPY, puis les
    reconstruit en une passe triée (la pratique de ``pg_restore``). Chaque
    index retiré est noté ici avec sa définition avant d'être supprimé : si le
    chargement est interrompu, le lancement suivant les reconstruit d'abord.
    Vide hors d'un chargement.
    """

    nom = models.CharField(max_length=63, unique=True)
    table = models.CharField(max_length=63)
    definition = models.TextField()

    class Meta:
        db_table = "demandes_indexsuspendu"
        verbose_name = "index suspendu (chargement en masse)"

    def __str__(self):
        return self.nom
