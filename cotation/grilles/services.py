"""Vie d'une grille de cotation : installer, copier en nouvelle version, modifier, activer, archiver.

Table des transitions : ``WORKFLOW_GRILLE`` (noyau des workflows du socle,
rendue dans docs/statuts.md, « Grille de cotation ») ; chaque transition écrit
une ligne de ``TransitionGrille`` avec son auteur.

Une seule grille en vigueur et une seule programmée par EPCI (contraintes en
base). Seul un brouillon se modifie ; une grille en vigueur se change en
copiant une nouvelle version.
"""

from __future__ import annotations

import json
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cotation.calcul.models import Critere, Famille, Grille
from cotation.calcul.regles import REGLES
from cotation.calcul.services import planifier_recalcul_territoire
from demandes.dossier import choix, reglementaire
from demandes.labels.services import CODE_PREMIER_QUARTILE
from demandes.models import TypeLabel
from fdls.socle.dates import controler_date
from fdls.socle.workflow import AUTOMATE, CREATION, Auteur, Transition, TransitionInterdite, Workflow
from fdls.territoires.models import Epci

from .grille_nantes import EPCI_NANTES_METROPOLE, GRILLE_NANTES_METROPOLE
from .models import TransitionGrille

Etat = Grille.Etat


def _refus(workflow: Workflow, grille: Grille, transition: Transition) -> str:
    attendus = ", ".join(workflow.libelle_etat(e) for e in sorted(transition.sources))
    return f"Action impossible : la grille est « {grille.get_etat_display()} » (attendu : {attendus})."


WORKFLOW_GRILLE = Workflow(
    nom="grille",
    etats=Etat,
    journal=TransitionGrille,
    article="la grille",
    refus=_refus,
    transitions=[
        Transition("installer", frozenset({CREATION}), Etat.EN_VIGUEUR, "installer"),
        Transition("creer", frozenset({CREATION}), Etat.BROUILLON, "créer"),
        Transition("nouvelle_version", frozenset({CREATION}), Etat.BROUILLON, "copier en nouvelle version"),
        Transition("modifier", frozenset({Etat.BROUILLON}), Etat.BROUILLON, "modifier"),
        Transition("programmer", frozenset({Etat.BROUILLON}), Etat.PROGRAMMEE, "programmer"),
        Transition("activer", frozenset({Etat.BROUILLON, Etat.PROGRAMMEE}), Etat.EN_VIGUEUR, "activer"),
        Transition(
            "annuler_programmation", frozenset({Etat.PROGRAMMEE}), Etat.BROUILLON, "annuler la programmation de"
        ),
        Transition("archiver", frozenset({Etat.EN_VIGUEUR}), Etat.ARCHIVEE, "archiver"),
    ],
)


def _noter_modification(grille: Grille, auteur: Auteur, commentaire: str) -> None:
    """Une modification d'un brouillon entre au journal (transition « modifier », brouillon → brouillon)."""
    transition = WORKFLOW_GRILLE.verifier(grille, "modifier")
    WORKFLOW_GRILLE.journaliser(
        grille, transition, auteur=auteur, avant=grille.etat, commentaire=commentaire, date_effet=grille.date_effet
    )


# ---------------------------------------------------------------- validation


def erreurs_grille(grille: Grille) -> list[str]:
    """Incohérences qui empêchent d'activer une grille (règles, paliers, exclusions), en français."""
    erreurs = []
    familles = {f.code: f for f in grille.familles.all()}
    criteres = list(grille.criteres.select_related("famille"))
    if not criteres:
        erreurs.append("La grille ne compte aucun critère.")
    # Même ordre que le moteur (``moteur.compiler``) : familles par (ordre, id), puis critères par (ordre, id).
    ordre = {
        c.code: i for i, c in enumerate(sorted(criteres, key=lambda c: (c.famille.ordre, c.famille_id, c.ordre, c.pk)))
    }
    ordre_familles = {f.code: (f.ordre, f.pk) for f in familles.values()}
    for f in familles.values():
        for autre in f.exclue_si_familles:
            if autre not in familles:
                erreurs.append(f"Famille « {f.libelle} » : la famille « {autre} » n'existe pas.")
            elif ordre_familles[autre] >= ordre_familles[f.code]:
                erreurs.append(f"Famille « {f.libelle} » : « {autre} » doit la précéder pour l'exclure.")
    for c in criteres:
        description = REGLES.get(c.regle)
        if description is None:
            erreurs.append(f"Critère « {c.libelle} » : règle « {c.regle} » inconnue.")
            continue
        if description.paliers and not c.paliers:
            erreurs.append(f"Critère « {c.libelle} » : la règle « {description.libelle} » demande des paliers.")
        erreurs.extend(f"Critère « {c.libelle} » : {e}" for e in erreurs_paliers(c.paliers))
        for x in c.exclu_si:
            if x not in ordre:
                erreurs.append(f"Critère « {c.libelle} » : le critère « {x} » de « sauf si » n'existe pas.")
            elif ordre[x] >= ordre[c.code]:
                erreurs.append(f"Critère « {c.libelle} » : le critère « {x} » doit le précéder pour l'exclure.")
        for x in c.exclu_si_familles:
            if x not in familles:
                erreurs.append(f"Critère « {c.libelle} » : la famille « {x} » de « sauf si » n'existe pas.")
            elif ordre_familles[x] >= ordre_familles[c.famille.code]:
                erreurs.append(
                    f"Critère « {c.libelle} » : la famille « {x} » de « sauf si » doit le précéder pour l'exclure."
                )
    return erreurs


def erreurs_paliers(paliers) -> list[str]:
    erreurs = []
    if not isinstance(paliers, list):
        return ["les paliers sont une liste."]
    precedent = None
    for i, p in enumerate(paliers, 1):
        if not isinstance(p, dict) or not isinstance(p.get("min"), int) or not isinstance(p.get("points"), int):
            erreurs.append(f"palier {i} : « min » et « points » sont des entiers.")
            continue
        if p.get("max") is not None and (not isinstance(p["max"], int) or p["max"] <= p["min"]):
            erreurs.append(f"palier {i} : « max » est un entier supérieur à « min ».")
            continue
        if precedent is not None and (precedent.get("max") is None or p["min"] < precedent["max"]):
            erreurs.append(f"palier {i} : il chevauche le palier précédent.")
        precedent = p
    return erreurs


# ---------------------------------------------------------------- écriture


def valeurs_critere(ligne, rang: int) -> tuple[str, dict]:
    """(code de la famille, champs du ``Critere``) d'une ligne ``criteres`` d'une grille décrite en données."""
    famille, code, libelle, regle, parametres, points, *reste = ligne
    options = reste[0] if reste else {}
    return famille, {
        "code": code,
        "libelle": libelle,
        "regle": regle,
        "parametres": parametres,
        "points": points,
        "paliers": options.get("paliers", []),
        "duree_mois": options.get("duree_mois"),
        "exclu_si": options.get("exclu_si", []),
        "exclu_si_familles": options.get("exclu_si_familles", []),
        "mention_exclusion": options.get("mention_exclusion", ""),
        "ordre": rang * 10,
    }


@transaction.atomic
def installer_grille(definition: dict, epci, *, version: int = 1, en_vigueur: bool = True, apps=None) -> Grille:
    """Écrit une grille décrite en données (``grille_nantes.GRILLE_NANTES_METROPOLE``) ; idempotent par version.

    ``apps`` : le registre historique quand une migration l'appelle.
    """
    actuels = {"Grille": Grille, "Famille": Famille, "Critere": Critere, "TransitionGrille": TransitionGrille}
    modeles = {nom: (apps.get_model("cotation", nom) if apps else modele) for nom, modele in actuels.items()}
    epci_id = getattr(epci, "pk", epci)
    existante = modeles["Grille"].objects.filter(epci_id=epci_id, version=version).first()
    if existante is not None:
        return existante
    grille = modeles["Grille"].objects.create(
        epci_id=epci_id,
        version=version,
        libelle=definition["libelle"],
        deliberation=definition.get("deliberation", ""),
        total_plancher=definition.get("total_plancher"),
        introduction=definition.get("introduction", ""),
        date_effet=date.fromisoformat(definition["date_effet"]) if en_vigueur else None,
        etat=Etat.EN_VIGUEUR if en_vigueur else Etat.BROUILLON,
    )
    familles = {}
    for i, f in enumerate(definition["familles"], 1):
        familles[f["code"]] = modeles["Famille"].objects.create(
            grille=grille,
            code=f["code"],
            libelle=f["libelle"],
            ordre=i * 10,
            cumul=f.get("cumul", Famille.Cumul.SOMME),
            exclue_si_familles=f.get("exclue_si_familles", []),
        )
    for i, ligne in enumerate(definition["criteres"], 1):
        famille, valeurs = valeurs_critere(ligne, i)
        modeles["Critere"].objects.create(grille=grille, famille=familles[famille], **valeurs)
    modeles["TransitionGrille"].objects.create(
        grille=grille,
        etat_avant="",
        etat_apres=grille.etat,
        date=timezone.now(),
        date_effet=grille.date_effet,
        auteur_libelle=AUTOMATE.libelle,
        commentaire="Grille installée depuis sa définition (annexe du PPGD).",
    )
    # Le cache des grilles en vigueur (``calcul.services``) se vide à l'écriture des grilles, familles et critères.
    return grille


def installer_grille_nantes(apps=None):
    """La grille de Nantes Métropole en vigueur (version 1), si l'EPCI est au référentiel."""
    modele_epci = apps.get_model("territoires", "Epci") if apps else Epci
    if not modele_epci.objects.filter(pk=EPCI_NANTES_METROPOLE).exists():
        return None
    return installer_grille(GRILLE_NANTES_METROPOLE, EPCI_NANTES_METROPOLE, apps=apps)


def _version_suivante(epci_id: str) -> int:
    """Numéro de la prochaine version d'un territoire, sous verrou de ses grilles (appel dans une transaction)."""
    versions = Grille.objects.select_for_update().filter(epci=epci_id).values_list("version", flat=True)
    return max(versions, default=0) + 1


@transaction.atomic
def nouvelle_version(source: Grille, *, auteur: Auteur) -> Grille:
    """Copie une grille (en vigueur ou non) en brouillon de version suivante, familles et critères compris."""
    version = _version_suivante(source.epci_id)
    copie = Grille.objects.create(
        epci_id=source.epci_id,
        version=version,
        libelle=source.libelle,
        deliberation="",
        total_plancher=source.total_plancher,
        introduction=source.introduction,
        creee_depuis=source,
        cree_par=auteur.user if getattr(auteur.user, "pk", None) else None,
    )
    correspondance = {}
    for f in source.familles.all():
        ancien = f.pk
        f.pk = None
        f.grille = copie
        f.save()
        correspondance[ancien] = f
    for c in source.criteres.all():
        c.pk = None
        c.grille = copie
        c.famille = correspondance[c.famille_id]
        c.save()
    WORKFLOW_GRILLE.journaliser(
        copie,
        WORKFLOW_GRILLE["nouvelle_version"],
        auteur=auteur,
        avant=CREATION,
        commentaire=f"Copie de la version {source.version}.",
    )
    return copie


def verifier_modifiable(grille: Grille) -> None:
    if not grille.modifiable:
        raise TransitionInterdite(
            f"La grille est « {grille.get_etat_display()} » : seule une grille en brouillon se modifie. "
            "Créez une nouvelle version."
        )


#: Une grille se programme au plus cinq ans à l'avance (au-delà, une faute de frappe sur l'année).
JOURS_PROGRAMMATION_MAX = 5 * 366


@transaction.atomic
def programmer(grille: Grille, *, date_effet: date, auteur: Auteur, le: date | None = None) -> Grille:
    """Fixe la date d'effet : la grille entre en vigueur ce jour-là (aujourd'hui ou avant : tout de suite)."""
    le = le or timezone.localdate()
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    if date_effet is None:
        raise ValidationError({"date_effet": "Indiquez la date d'entrée en vigueur."})
    try:
        controler_date(
            date_effet, libelle="La date d'entrée en vigueur", futur_max_jours=JOURS_PROGRAMMATION_MAX, aujourd_hui=le
        )
    except ValidationError as erreur:
        raise ValidationError({"date_effet": erreur.messages}) from None
    erreurs = erreurs_grille(grille)
    if erreurs:
        raise ValidationError({"__all__": erreurs})
    if date_effet <= le:
        return activer(grille, auteur=auteur, date_effet=date_effet)
    WORKFLOW_GRILLE.verifier(grille, "programmer")
    deja = Grille.objects.filter(epci=grille.epci_id, etat=Etat.PROGRAMMEE).exclude(pk=grille.pk).first()
    if deja is not None:
        raise ValidationError(
            {"date_effet": f"La version {deja.version} est déjà programmée : annulez d'abord sa programmation."}
        )
    grille.date_effet = date_effet
    WORKFLOW_GRILLE.appliquer(grille, "programmer", auteur=auteur, champs=["date_effet"], date_effet=date_effet)
    return grille


@transaction.atomic
def annuler_programmation(grille: Grille, *, auteur: Auteur) -> Grille:
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    grille.date_effet = None
    WORKFLOW_GRILLE.appliquer(grille, "annuler_programmation", auteur=auteur, champs=["date_effet"], date_effet=None)
    return grille


@transaction.atomic
def activer(grille: Grille, *, auteur: Auteur, date_effet: date | None = None) -> Grille:
    """Met la grille en vigueur (la précédente est archivée) ; les demandes seront recotées (tâche)."""
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    WORKFLOW_GRILLE.verifier(grille, "activer")
    erreurs = erreurs_grille(grille)
    if erreurs:
        raise ValidationError({"__all__": erreurs})
    programmee = Grille.objects.filter(epci=grille.epci_id, etat=Etat.PROGRAMMEE).exclude(pk=grille.pk).first()
    if programmee is not None:
        raise TransitionInterdite(
            f"La version {programmee.version} est programmée au {programmee.date_effet:%d/%m/%Y} : "
            "annulez d'abord sa programmation."
        )
    effet = date_effet or grille.date_effet or timezone.localdate()
    for ancienne in Grille.objects.select_for_update().filter(epci=grille.epci_id, etat=Etat.EN_VIGUEUR):
        # Archivée le jour où la nouvelle entre en vigueur (même si le traitement de nuit passe plus tard).
        ancienne.date_fin = effet
        WORKFLOW_GRILLE.appliquer(
            ancienne,
            "archiver",
            auteur=auteur,
            champs=["date_fin"],
            commentaire=f"Remplacée par la version {grille.version}.",
            date_effet=ancienne.date_effet,
        )
    grille.date_effet = effet
    WORKFLOW_GRILLE.appliquer(grille, "activer", auteur=auteur, champs=["date_effet"], date_effet=effet)
    planifier_recalcul_territoire(grille.epci_id)
    return grille


@transaction.atomic
def archiver(grille: Grille, *, auteur: Auteur) -> Grille:
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    grille.date_fin = timezone.localdate()
    WORKFLOW_GRILLE.appliquer(grille, "archiver", auteur=auteur, champs=["date_fin"], date_effet=grille.date_effet)
    planifier_recalcul_territoire(grille.epci_id)
    return grille


def activer_grilles_programmees(le: date | None = None) -> list[Grille]:
    """Tâche de nuit : les grilles programmées dont la date d'effet est atteinte entrent en vigueur."""
    le = le or timezone.localdate()
    activees = []
    for grille in Grille.objects.filter(etat=Etat.PROGRAMMEE, date_effet__lte=le):
        activees.append(activer(grille, auteur=AUTOMATE))
    return activees


# ---------------------------------------------------------------- modification d'un brouillon
#
# Chaque service verrouille la grille, vérifie qu'elle est en brouillon (``verifier_modifiable``), valide
# la saisie (erreurs en français par champ : ``ValidationError({"champ": [...]})``, rien n'est écrit) et
# inscrit la modification au journal de la grille (état inchangé, commentaire qui dit quoi).

#: Clés de paramètres que chaque règle lit, au-delà de celles de son aide de saisie (``REGLES``).
CLES_SUPPLEMENTAIRES = {"taux_effort": {"deduire_aides"}, "activite": {"motifs"}}
EVENEMENTS_REFUS = ("refus_positionnement", "refus_attribution")
CLES_NOMBRES = {
    "periode_mois": (1, 240),
    "seuil_pct": (1, 100),
    "surface_une_personne": (1, 500),
    "surface_deux_personnes": (1, 500),
    "surface_par_personne_en_plus": (1, 500),
    "surface_plafond": (1, 1000),
}


def cles_parametres(regle: str) -> set[str]:
    """Clés de paramètres admises pour ``regle`` (celles de l'aide de saisie, plus les facultatives)."""
    description = REGLES.get(regle)
    if description is None:
        return set()
    return set(json.loads(description.parametres)) | CLES_SUPPLEMENTAIRES.get(regle, set())


def codes_admis(cle: str) -> dict[str, str] | None:
    if cle == "labels":
        return dict(TypeLabel.objects.values_list("code", "libelle"))
    listes = {"motifs": choix.Motif, "activites": choix.Activite, "statuts": choix.StatutOccupation}
    return dict(listes[cle].choices) if cle in listes else None


def erreurs_parametres(regle: str, parametres) -> list[str]:
    """Paramètres d'un critère : un objet JSON dont les clés et les valeurs sont celles que la règle lit."""
    if not isinstance(parametres, dict):
        return ["les paramètres sont un objet JSON entre accolades, ex. " + REGLES[regle].parametres + "."]
    admises = cles_parametres(regle)
    erreurs = []
    for cle, valeur in parametres.items():
        if cle not in admises:
            attendu = ", ".join(f"« {c} »" for c in sorted(admises)) or "aucun paramètre"
            erreurs.append(f"« {cle} » n'est pas un paramètre de cette règle (attendu : {attendu}).")
            continue
        codes = codes_admis(cle)
        if codes is not None:
            if not isinstance(valeur, list) or not valeur or not all(isinstance(x, str) for x in valeur):
                exemple = next(iter(codes), "code")
                erreurs.append(f'« {cle} » est une liste non vide de codes entre guillemets, ex. ["{exemple}"].')
                continue
            inconnus = [x for x in valeur if x not in codes]
            if inconnus:
                erreurs.append(f"« {cle} » : code(s) inconnu(s) {', '.join(f'« {x} »' for x in inconnus)}.")
        elif cle == "evenement":
            if valeur not in EVENEMENTS_REFUS:
                erreurs.append(f"« evenement » vaut {' ou '.join(f'« {e} »' for e in EVENEMENTS_REFUS)}.")
        elif cle == "deduire_aides":
            if not isinstance(valeur, bool):
                erreurs.append("« deduire_aides » vaut true ou false.")
        elif cle in CLES_NOMBRES:
            bas, haut = CLES_NOMBRES[cle]
            if isinstance(valeur, bool) or not isinstance(valeur, (int, float)) or not bas <= valeur <= haut:
                erreurs.append(f"« {cle} » est un nombre de {bas} à {haut}.")
    return erreurs


def _verrouiller(grille: Grille) -> Grille:
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    verifier_modifiable(grille)
    return grille


def _erreurs_critere(grille: Grille, critere: Critere) -> dict[str, list[str]]:
    """Erreurs de saisie d'un critère (avant écriture), par champ."""
    erreurs: dict[str, list[str]] = {}

    def ajouter(champ, message):
        erreurs.setdefault(champ, []).append(message)

    if not re.fullmatch(r"[-a-z0-9_]+", critere.code or ""):
        ajouter("code", "Le code est fait de lettres minuscules sans accent, de chiffres et de tirets.")
    elif grille.criteres.filter(code=critere.code).exclude(pk=critere.pk).exists():
        ajouter("code", f"Un autre critère de la grille a déjà le code « {critere.code} ».")
    description = REGLES.get(critere.regle)
    if description is None:
        ajouter("regle", f"Règle « {critere.regle} » inconnue.")
    else:
        if description.paliers and not critere.paliers:
            ajouter("paliers", f"La règle « {description.libelle} » se calcule par paliers : indiquez-en au moins un.")
        if not description.paliers and critere.paliers:
            ajouter(
                "paliers",
                f"La règle « {description.libelle} » ne lit pas de paliers : videz le tableau et indiquez les points.",
            )
        for e in erreurs_parametres(critere.regle, critere.parametres):
            ajouter("parametres", e[:1].upper() + e[1:])
    for e in erreurs_paliers(critere.paliers):
        ajouter("paliers", e[:1].upper() + e[1:])
    if critere.famille.grille_id != grille.pk:
        ajouter("famille", "Choisissez une famille de cette grille.")
    autres = {c.code: c for c in grille.criteres.select_related("famille").exclude(pk=critere.pk)}
    position = (critere.famille.ordre, critere.famille.pk, critere.ordre, critere.pk or 10**12)
    for code in critere.exclu_si:
        autre = autres.get(code)
        if autre is None:
            ajouter("exclu_si", f"Le critère « {code} » n'existe pas dans cette grille.")
        elif (autre.famille.ordre, autre.famille.pk, autre.ordre, autre.pk) >= position:
            ajouter(
                "exclu_si",
                f"« {autre.libelle[:80]} » vient après ce critère : un critère n'est exclu que par un critère "
                "qui le précède (changez l'ordre).",
            )
    familles = set(grille.familles.values_list("code", flat=True))
    for code in critere.exclu_si_familles:
        if code not in familles:
            ajouter("exclu_si_familles", f"La famille « {code} » n'existe pas dans cette grille.")
        elif code == critere.famille.code:
            ajouter("exclu_si_familles", "Un critère ne peut pas être exclu par sa propre famille.")
    return erreurs


CHAMPS_CRITERE = (
    "famille",
    "libelle",
    "parametres",
    "points",
    "paliers",
    "duree_mois",
    "exclu_si",
    "exclu_si_familles",
    "mention_exclusion",
    "ordre",
)


NOMS_CHAMPS_CRITERE = {
    "famille": "famille",
    "libelle": "libellé",
    "parametres": "paramètres",
    "points": "points",
    "paliers": "paliers",
    "duree_mois": "durée (mois)",
    "exclu_si": "sauf si (critères)",
    "exclu_si_familles": "sauf si (familles)",
    "mention_exclusion": "mention du livret",
    "ordre": "ordre",
}


def _decrire(champ: str, valeur) -> str:
    """Valeur d'un champ de critère, courte, pour le journal de la grille."""
    if isinstance(valeur, Famille):
        return valeur.libelle
    if valeur is None or valeur == "" or valeur == [] or valeur == {}:
        return "—"
    if champ == "paliers":
        texte = " ; ".join(
            f"{p.get('min')}{'+' if p.get('max') is None else '–' + str(p['max'])} : {p.get('points')}"
            for p in valeur
            if isinstance(p, dict)
        )
    elif champ == "parametres":
        texte = json.dumps(valeur, ensure_ascii=False)
    elif isinstance(valeur, list):
        texte = ", ".join(str(v) for v in valeur)
    else:
        texte = str(valeur)
    return texte if len(texte) <= 60 else texte[:59] + "…"


@transaction.atomic
def modifier_grille(grille: Grille, *, auteur: Auteur, **champs) -> Grille:
    """Intitulé, délibération, plancher du total, texte d'introduction du livret."""
    grille = _verrouiller(grille)
    admis = {"libelle", "deliberation", "total_plancher", "introduction"}
    inconnus = set(champs) - admis
    if inconnus:
        raise ValueError(f"Champs non modifiables : {sorted(inconnus)}")
    changes = [c for c, v in champs.items() if getattr(grille, c) != v]
    if not (champs.get("libelle", grille.libelle) or "").strip():
        raise ValidationError({"libelle": "Indiquez l'intitulé de la grille."})
    for c in changes:
        setattr(grille, c, champs[c])
    if changes:
        grille.save(update_fields=[*changes, "updated_at"])
        noms = {"libelle": "intitulé", "deliberation": "délibération", "total_plancher": "plancher"}
        _noter_modification(grille, auteur, "Grille modifiée : " + ", ".join(noms.get(c, c) for c in changes))
    return grille


def _valider_famille(grille: Grille, famille: Famille) -> None:
    erreurs: dict[str, list[str]] = {}
    if not re.fullmatch(r"[-a-z0-9_]+", famille.code or ""):
        erreurs["code"] = ["Le code est fait de lettres minuscules sans accent, de chiffres et de tirets."]
    elif grille.familles.filter(code=famille.code).exclude(pk=famille.pk).exists():
        erreurs["code"] = [f"Une autre famille de la grille a déjà le code « {famille.code} »."]
    if not famille.libelle.strip():
        erreurs["libelle"] = ["Indiquez le libellé de la famille."]
    if famille.cumul not in Famille.Cumul.values:
        erreurs["cumul"] = ["Choisissez la façon dont les points se cumulent."]
    codes = dict(grille.familles.exclude(pk=famille.pk).values_list("code", "ordre"))
    for code in famille.exclue_si_familles:
        if code not in codes:
            erreurs.setdefault("exclue_si_familles", []).append(f"La famille « {code} » n'existe pas.")
        elif codes[code] >= famille.ordre:
            erreurs.setdefault("exclue_si_familles", []).append(
                f"La famille « {code} » doit précéder celle-ci pour l'exclure (changez l'ordre)."
            )
    if erreurs:
        raise ValidationError(erreurs)


@transaction.atomic
def ajouter_famille(grille: Grille, *, auteur: Auteur, code: str, libelle: str, **champs) -> Famille:
    grille = _verrouiller(grille)
    famille = Famille(grille=grille, code=code, libelle=libelle, **champs)
    _valider_famille(grille, famille)
    famille.save()
    _noter_modification(grille, auteur, f"Famille « {famille.libelle} » ajoutée.")
    return famille


@transaction.atomic
def modifier_famille(famille: Famille, *, auteur: Auteur, **champs) -> Famille:
    """Libellé, cumul (somme ou maximum), ordre, familles qui l'excluent."""
    grille = _verrouiller(famille.grille)
    famille = Famille.objects.get(pk=famille.pk, grille=grille)
    admis = {"libelle", "cumul", "ordre", "exclue_si_familles"}
    if set(champs) - admis:
        raise ValueError(f"Champs non modifiables : {sorted(set(champs) - admis)}")
    changes = [c for c, v in champs.items() if getattr(famille, c) != v]
    for c in changes:
        setattr(famille, c, champs[c])
    _valider_famille(grille, famille)
    if changes:
        famille.save(update_fields=changes)
        _noter_modification(grille, auteur, f"Famille « {famille.libelle} » modifiée.")
    return famille


@transaction.atomic
def supprimer_famille(famille: Famille, *, auteur: Auteur) -> None:
    grille = _verrouiller(famille.grille)
    if famille.criteres.exists():
        raise ValidationError("La famille compte encore des critères : supprimez-les ou déplacez-les d'abord.")
    exclue_par = [f.libelle for f in grille.familles.all() if famille.code in f.exclue_si_familles]
    exclue_par += [c.libelle for c in grille.criteres.all() if famille.code in c.exclu_si_familles]
    if exclue_par:
        raise ValidationError(f"« {exclue_par[0][:80]} » y fait référence dans ses exclusions : retirez-la d'abord.")
    libelle = famille.libelle
    famille.delete()
    _noter_modification(grille, auteur, f"Famille « {libelle} » supprimée.")


@transaction.atomic
def ajouter_critere(grille: Grille, *, auteur: Auteur, famille: Famille, code: str, regle: str, **champs) -> Critere:
    """Nouveau critère d'un brouillon (code et règle choisis une fois pour toutes)."""
    grille = _verrouiller(grille)
    critere = Critere(grille=grille, famille=famille, code=code, regle=regle, **champs)
    erreurs = _erreurs_critere(grille, critere)
    if erreurs:
        raise ValidationError(erreurs)
    critere.save()
    _noter_modification(grille, auteur, f"Critère « {critere.libelle} » ajouté.")
    return critere


@transaction.atomic
def modifier_critere(critere: Critere, *, auteur: Auteur, **champs) -> Critere:
    """Libellé, famille, points, paliers, durée, exclusions, mention, paramètres, ordre d'un critère."""
    grille = _verrouiller(critere.grille)
    critere = Critere.objects.select_related("famille").get(pk=critere.pk, grille=grille)
    if set(champs) - set(CHAMPS_CRITERE):
        raise ValueError(f"Champs non modifiables : {sorted(set(champs) - set(CHAMPS_CRITERE))}")
    avant = {c: getattr(critere, c) for c in champs}
    for c, v in champs.items():
        setattr(critere, c, v)
    erreurs = _erreurs_critere(grille, critere)
    if erreurs:
        raise ValidationError(erreurs)
    changes = [c for c in champs if avant[c] != champs[c]]
    if changes:
        critere.save(update_fields=changes)
        details = " · ".join(
            f"{NOMS_CHAMPS_CRITERE[c]} : {_decrire(c, avant[c])} → {_decrire(c, champs[c])}" for c in changes
        )
        _noter_modification(grille, auteur, f"Critère « {critere.code} » modifié ({details}).")
    return critere


@transaction.atomic
def supprimer_critere(critere: Critere, *, auteur: Auteur) -> None:
    grille = _verrouiller(critere.grille)
    references = [c.libelle for c in grille.criteres.exclude(pk=critere.pk) if critere.code in c.exclu_si]
    if references:
        raise ValidationError(
            f"Le critère « {references[0][:80]} » l'utilise dans « sauf si » : retirez d'abord cette exclusion."
        )
    libelle = critere.libelle
    Critere.objects.filter(pk=critere.pk).delete()
    _noter_modification(grille, auteur, f"Critère « {libelle[:120]} » supprimé.")


@transaction.atomic
def creer_grille(epci, *, libelle: str, auteur: Auteur) -> Grille:
    """Grille vide en brouillon pour un territoire (version suivante) : familles et critères s'ajoutent ensuite."""
    epci_id = getattr(epci, "pk", epci)
    if not (libelle or "").strip():
        raise ValidationError({"libelle": "Indiquez l'intitulé de la grille."})
    version = _version_suivante(epci_id)
    grille = Grille.objects.create(
        epci_id=epci_id,
        version=version,
        libelle=libelle.strip(),
        cree_par=auteur.user if getattr(auteur.user, "pk", None) else None,
    )
    WORKFLOW_GRILLE.journaliser(
        grille, WORKFLOW_GRILLE["creer"], auteur=auteur, avant=CREATION, commentaire="Grille créée vide."
    )
    return grille


# ---------------------------------------------------------------- données réglementaires que la grille lit


def donnees_manquantes(grille: Grille, le: date | None = None) -> list[str]:
    """Ce qui manque, à la date ``le``, pour que des critères de la grille puissent donner des points.

    Le label automatique « 1er quartile » n'est posé que si le seuil de l'EPCI
    est chargé pour l'année (``demandes.labels``) : sans seuil, un critère qui
    lit ce label ne donne de points à personne, sans autre signe. L'écran de la
    grille le dit à l'administrateur.
    """
    le = le or timezone.localdate()
    criteres = [
        c
        for c in grille.criteres.filter(regle="label").order_by("ordre", "id")
        if CODE_PREMIER_QUARTILE in (c.parametres or {}).get("labels", [])
    ]
    if not criteres:
        return []
    dernier = reglementaire.dernier_seuil_premier_quartile(grille.epci_id, le.year)
    if dernier is not None and dernier[0] == le.year:
        return []
    libelles = ", ".join(f"« {c.libelle} »" for c in criteres)
    debut = f"Aucun seuil du 1er quartile n'est chargé pour {grille.epci.nom} en {le.year}"
    if dernier is None:
        effet = (
            f"le label automatique « 1er quartile » n'est posé sur aucune demande et le critère {libelles} "
            "ne donne de points à personne"
        )
    else:
        effet = (
            f"le seuil de {dernier[0]} ({dernier[1]:,.0f} €/UC) reste appliqué au label automatique "
            f"« 1er quartile » et au critère {libelles}"
        ).replace(",", "\u202f", 1 if dernier[1] >= 1000 else 0)
    return [
        f"{debut} : {effet}. Chargez le seuil de l'arrêté annuel dans l'administration "
        "(Listes de référence › Seuils du 1er quartile)."
    ]
