"""Sérialiseurs du dossier pour l'API des demandes : lecture, saisie, erreurs.

Les sérialiseurs d'écriture ne contrôlent que la forme (types, dates, montants
positifs, listes de valeurs du Cerfa, champs inconnus) ; les règles du dossier
sont celles de ``dossier.saisie.valider_dossier``, les mêmes que pour les écrans.
Les champs saisissables sont ceux que l'historique suit
(``demandes.dossier.historique``) : rien ne s'écrit par l'API sans laisser de trace.

Les erreurs des deux origines sont rendues à plat, la clé étant le chemin du
champ (``personnes[1].date_naissance``, ``localisations[0].commune``) :
``erreurs_a_plat`` convertit les erreurs imbriquées de DRF dans cette forme,
celle que lèvent déjà les services. ``dossier_saisi`` applique une saisie
validée à un ``Dossier`` (création, modification, dépôt en ligne).

Les sérialiseurs propres à une fonctionnalité sont dans la sienne
(``demandes/cycle/serializers.py`` : écritures du cycle de vie et leur
résultat ; ``demandes/fiche/serializers.py`` : filtre de l'historique).
"""

import re
from collections.abc import Mapping

from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings

from demandes.dossier import choix
from demandes.dossier.historique import CHAMPS_PERSONNE, RUBRIQUES_DEMANDE
from demandes.dossier.models import Demande, Evenement, LocalisationSouhaitee, Personne, Ressource
from demandes.dossier.saisie import Dossier, PersonneSaisie
from fdls.organismes.models import Guichet
from fdls.territoires.models import Commune, Quartier

#: Champs de la demande saisissables par l'API, dans l'ordre des rubriques du Cerfa.
CHAMPS_SAISIE_DEMANDE = [champ for champs in RUBRIQUES_DEMANDE.values() for champ in champs]
#: Plus grand identifiant d'une clé BigAutoField : au-delà, « introuvable » plutôt qu'une erreur SQL.
ID_MAX = 2**63 - 1
MESSAGE_CHAMP_INCONNU = "Champ inconnu ou non modifiable."


# ---------------------------------------------------------------- erreurs


def erreurs_a_plat(detail, prefixe: str = "") -> dict[str, list[str]]:
    """Erreurs imbriquées de DRF → ``{"personnes[1].ressources[0].montant": ["…"]}``.

    Les erreurs « non_field_errors » d'un objet imbriqué remontent sur le chemin
    de cet objet (``personnes`` : « la liste est vide ») ; au premier niveau,
    elles gardent la clé ``non_field_errors``.
    """
    plat: dict[str, list[str]] = {}

    def ajouter(chemin, messages):
        plat.setdefault(chemin or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)

    if isinstance(detail, Mapping):
        for cle, valeur in detail.items():
            if cle == api_settings.NON_FIELD_ERRORS_KEY and prefixe:
                chemin = prefixe
            elif isinstance(cle, int):  # erreurs d'un ListField : {indice: [messages]}
                chemin = f"{prefixe}[{cle}]"
            else:
                chemin = f"{prefixe}.{cle}" if prefixe else str(cle)
            for sous_chemin, messages in erreurs_a_plat(valeur, chemin).items():
                ajouter(sous_chemin, messages)
    elif isinstance(detail, list | tuple):
        for indice, valeur in enumerate(detail):
            if isinstance(valeur, Mapping | list | tuple):  # un élément d'une liste d'objets
                for sous_chemin, messages in erreurs_a_plat(valeur, f"{prefixe}[{indice}]").items():
                    ajouter(sous_chemin, messages)
            else:
                ajouter(prefixe, [str(valeur)])
    else:
        ajouter(prefixe, [str(detail)])
    return plat


class ErreurSerializer(serializers.Serializer):
    """Corps de toute réponse d'erreur de l'API."""

    detail = serializers.CharField(help_text="Message en français.")
    code = serializers.CharField(help_text="Code stable (ex. « introuvable », « acces_refuse »).")


class ErreurSaisieSerializer(ErreurSerializer):
    erreurs = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Messages par champ. La clé est le chemin du champ dans la requête : `typologies`, "
            "`personnes[1].date_naissance`, `personnes[0].ressources[2].montant`, `localisations[1].commune` ; "
            "`non_field_errors` pour une erreur qui ne vise aucun champ."
        ),
    )


# ---------------------------------------------------------------- champs


class ChampsInconnusRefuses:
    """Un champ inconnu ou en lecture seule est signalé, à tout niveau d'imbrication,
    plutôt qu'ignoré en silence (le partenaire croirait l'avoir écrit)."""

    def to_internal_value(self, data):
        inconnus = []
        if isinstance(data, Mapping):
            modifiables = {nom for nom, champ in self.fields.items() if not champ.read_only}
            inconnus = sorted(str(cle) for cle in data if cle not in modifiables)
        try:
            valeurs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if inconnus and isinstance(exc.detail, dict):
                exc.detail.update({cle: [MESSAGE_CHAMP_INCONNU] for cle in inconnus})
            raise
        if inconnus:
            raise serializers.ValidationError({cle: [MESSAGE_CHAMP_INCONNU] for cle in inconnus})
        return valeurs


class IdentifiantField(serializers.PrimaryKeyRelatedField):
    """Clé entière bornée : un identifiant hors de l'intervalle des clés répond « introuvable »."""

    def to_internal_value(self, data):
        if isinstance(data, str) and re.fullmatch(r"-?\d+", data.strip()):
            data = int(data)
        if isinstance(data, int) and not isinstance(data, bool) and not 1 <= data <= ID_MAX:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class CommuneField(serializers.SlugRelatedField):
    """Commune désignée par son code INSEE (5 caractères, « 2A »/« 2B » pour la Corse)."""

    default_error_messages = {
        "format": "Le code INSEE d'une commune compte 5 caractères (ex. 44109).",
        "does_not_exist": "Commune inconnue : aucune commune n'a le code INSEE « {value} ».",
        "invalid": "Le code INSEE d'une commune est une chaîne de 5 caractères.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code_insee", queryset=Commune.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not re.fullmatch(r"(\d{2}|2[AB])\d{3}", data):
            self.fail("format")
        return super().to_internal_value(data)


# ---------------------------------------------------------------- lecture


class RessourceSerializer(ChampsInconnusRefuses, serializers.ModelSerializer):
    """Ressource mensuelle, en lecture comme en écriture (un seul composant du schéma, une seule
    énumération des types)."""

    type_libelle = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Ressource
        fields = ["type", "type_libelle", "montant"]


class PersonneSerializer(serializers.ModelSerializer):
    """Une personne du ménage, sa situation professionnelle et ses ressources mensuelles."""

    ressources = RessourceSerializer(many=True, read_only=True)

    class Meta:
        model = Personne
        fields = ["id", "role", "rang", *CHAMPS_PERSONNE, "ressources"]
        read_only_fields = fields


class LocalisationSouhaiteeSerializer(serializers.ModelSerializer):
    commune_nom = serializers.CharField(source="commune.nom", read_only=True)
    quartier_nom = serializers.CharField(source="quartier.nom", read_only=True, allow_null=True)

    class Meta:
        model = LocalisationSouhaitee
        fields = ["rang", "commune", "commune_nom", "quartier", "quartier_nom", "date_anciennete"]
        read_only_fields = fields


class DemandeSerializer(serializers.ModelSerializer):
    """Une ligne de la liste des demandes."""

    numero_unique_affiche = serializers.CharField(read_only=True, help_text="Numéro unique groupé pour la lecture.")
    etat_libelle = serializers.CharField(
        source="get_etat_display", read_only=True, help_text="État en clair : « À valider », « Brouillon », « Active »…"
    )
    guichet_code = serializers.CharField(source="guichet.code", read_only=True)
    localisations = LocalisationSouhaiteeSerializer(many=True, read_only=True)

    class Meta:
        model = Demande
        fields = [
            "id",
            "numero_unique",
            "numero_unique_affiche",
            "reference",
            "etat",
            "etat_libelle",
            "date_depot",
            "date_expiration",
            "nom",
            "prenom",
            "date_naissance",
            "guichet",
            "guichet_code",
            "localisations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DemandeDetailSerializer(serializers.ModelSerializer):
    """Le dossier complet (Cerfa n°14069) : identité, ménage, situation actuelle, logement recherché."""

    numero_unique_affiche = serializers.CharField(read_only=True, help_text="Numéro unique groupé pour la lecture.")
    etat_libelle = serializers.CharField(
        source="get_etat_display", read_only=True, help_text="État en clair : « À valider », « Brouillon », « Active »…"
    )
    guichet_code = serializers.CharField(source="guichet.code", read_only=True)
    guichet_nom = serializers.CharField(source="guichet.nom", read_only=True)
    personnes = PersonneSerializer(many=True, read_only=True)
    localisations = LocalisationSouhaiteeSerializer(many=True, read_only=True)

    class Meta:
        model = Demande
        fields = [
            "id",
            "numero_unique",
            "numero_unique_affiche",
            "reference",
            "etat",
            "etat_libelle",
            "canal",
            "guichet",
            "guichet_code",
            "guichet_nom",
            "departement",
            "date_depot",
            "date_renouvellement",
            "date_expiration",
            "date_fin",
            "motif_annulation",
            "commentaire_annulation",
            "nom",
            "prenom",
            "date_naissance",
            *CHAMPS_SAISIE_DEMANDE,
            "nature",
            "categorie_menage",
            "nb_personnes",
            "mutation",
            "personnes",
            "localisations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EvenementSerializer(serializers.ModelSerializer):
    libelle = serializers.CharField(source="get_type_display", read_only=True)
    organisme_nom = serializers.CharField(source="organisme.nom", read_only=True, allow_null=True)
    details = serializers.JSONField(read_only=True, help_text="Détail structuré : champs modifiés, motif, échéances…")

    class Meta:
        model = Evenement
        fields = [
            "id",
            "date",
            "type",
            "libelle",
            "precisions",
            "details",
            "etat_avant",
            "etat_apres",
            "auteur_libelle",
            "organisme",
            "organisme_nom",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------- écriture


class PersonneEcritureSerializer(ChampsInconnusRefuses, serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text="En modification : identifiant d'une personne déjà au dossier, pour la garder ; "
        "sans identifiant, la personne est ajoutée.",
    )
    ressources = RessourceSerializer(
        many=True, required=False, max_length=len(choix.TypeRessource), help_text="Ressources mensuelles, par type."
    )

    class Meta:
        model = Personne
        fields = ["id", "role", *CHAMPS_PERSONNE, "ressources"]


class LocalisationEcritureSerializer(ChampsInconnusRefuses, serializers.Serializer):
    commune = CommuneField(help_text="Code INSEE de la commune souhaitée.")
    quartier = IdentifiantField(
        queryset=Quartier.objects.all(),
        required=False,
        allow_null=True,
        help_text="Identifiant d'un quartier de cette commune (facultatif).",
        error_messages={"does_not_exist": "Quartier inconnu : aucun quartier n'a l'identifiant « {pk_value} »."},
    )


class DemandeEcritureSerializer(ChampsInconnusRefuses, serializers.ModelSerializer):
    """Champs communs à la création et à la modification."""

    guichet = serializers.RegexField(
        r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": "Le code guichet compte exactement 5 chiffres."},
        help_text="Code (5 chiffres) d'un guichet accompagnateur de votre organisme : il termine le numéro unique.",
    )
    brouillon = serializers.BooleanField(
        required=False,
        help_text="`true` : enregistre un brouillon (sans numéro unique, seule l'identité du demandeur est "
        "exigée). En modification d'un brouillon, `false` l'enregistre.",
    )
    doublons_ecartes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=100,
        help_text="Identifiants des doublons candidats vérifiés et écartés : ils ne seront pas signalés.",
    )
    motifs = serializers.ListField(
        child=serializers.ChoiceField(choices=choix.Motif.choices), required=False, max_length=len(choix.Motif)
    )
    typologies = serializers.ListField(
        child=serializers.ChoiceField(choices=choix.Typologie.choices),
        required=False,
        max_length=len(choix.Typologie),
    )
    personnes = PersonneEcritureSerializer(
        many=True,
        min_length=1,
        max_length=30,
        help_text="Le ménage : exactement un demandeur, au plus un co-demandeur, puis colocataires et occupants.",
    )
    localisations = LocalisationEcritureSerializer(
        many=True,
        required=False,
        max_length=30,
        help_text="Communes souhaitées, par ordre de préférence (l'ordre de la liste donne le rang).",
    )

    class Meta:
        model = Demande
        fields = ["guichet", "brouillon", "doublons_ecartes", *CHAMPS_SAISIE_DEMANDE, "personnes", "localisations"]
        extra_kwargs = {
            "bailleur_actuel": {
                "error_messages": {
                    "does_not_exist": "Aucun bailleur social n'a l'identifiant « {pk_value} ».",
                }
            },
            "complement": {"max_length": 5000},
        }

    def build_relational_field(self, field_name, relation_info):
        classe, kwargs = super().build_relational_field(field_name, relation_info)
        if classe is serializers.PrimaryKeyRelatedField:
            classe = IdentifiantField
        return classe, kwargs

    def validate_guichet(self, code):
        """Un guichet accompagnateur ouvert de l'organisme de l'agent (seed 001 annexe 2)."""
        user = self.context["request"].user
        guichet = Guichet.objects.select_related("commune").filter(code=code).first()
        if guichet is None:
            raise serializers.ValidationError(f"Guichet inconnu : aucun guichet n'a le code « {code} ».")
        if guichet.organisme_id != user.organisme_id:
            raise serializers.ValidationError(
                f"Le guichet {guichet.nom} ({code}) n'appartient pas à votre organisme : "
                "enregistrez la demande à l'un de vos guichets."
            )
        if not guichet.peut_enregistrer:
            raise serializers.ValidationError(
                f"Le guichet {guichet.nom} est un guichet relai : il transmet les demandes à un "
                "guichet accompagnateur, qui les enregistre."
            )
        if not guichet.actif:
            raise serializers.ValidationError(f"Le guichet {guichet.nom} est fermé.")
        return guichet


# ---------------------------------------------------------------- saisie → dossier


def valider(serialiseur) -> dict:
    """``is_valid`` avec des erreurs à plat, par chemin de champ (comme celles des services)."""
    if not serialiseur.is_valid():
        raise exceptions.ValidationError(erreurs_a_plat(serialiseur.errors))
    return serialiseur.validated_data


def dossier_saisi(donnees: dict, existant: Dossier) -> Dossier:
    """Applique la saisie validée au dossier : les champs présents remplacent, les absents restent.

    Chaque personne et chaque localisation envoyée est décrite en entier ; une
    personne garde son identifiant si elle le porte, une localisation garde sa
    date d'ancienneté si sa commune était déjà choisie.
    """
    d = existant.demande
    for champ in CHAMPS_SAISIE_DEMANDE:
        if champ in donnees:
            setattr(d, champ, donnees[champ])
    erreurs: dict[str, list[str]] = {}
    personnes = existant.personnes
    if "personnes" in donnees:
        connues = {s.personne.pk for s in existant.personnes}
        reprises: set[int] = set()
        personnes = []
        for i, saisie in enumerate(donnees["personnes"]):
            champs = dict(saisie)
            ressources = [Ressource(**r) for r in champs.pop("ressources", [])]
            pk = champs.pop("id", None)
            if pk is not None and (pk not in connues or pk in reprises):
                erreurs[f"personnes[{i}].id"] = ["Cette personne ne fait pas partie du ménage de la demande."]
            reprises.add(pk)
            personnes.append(PersonneSaisie(Personne(pk=pk, **champs), ressources))
    localisations = existant.localisations
    if "localisations" in donnees:
        par_commune = {loc.commune_id: loc for loc in existant.localisations}
        localisations = []
        for saisie in donnees["localisations"]:
            loc = par_commune.pop(saisie["commune"].pk, None) or LocalisationSouhaitee()
            loc.commune = saisie["commune"]
            loc.quartier = saisie.get("quartier")
            localisations.append(loc)
    if erreurs:
        raise exceptions.ValidationError(erreurs)
    return Dossier(demande=d, personnes=personnes, localisations=localisations)
