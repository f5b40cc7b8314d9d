"""Vie d'une grille de cotation : installer, copier en nouvelle version, modifier, activer, archiver.

Table des transitions (docs/statuts.md, « Grille de cotation ») ; chaque
transition écrit une ligne de ``TransitionGrille`` avec son auteur.

| action | de | vers |
|---|---|---|
| ``programmer`` (date d'effet future) | brouillon | programmée |
| ``activer`` (date d'effet atteinte) | brouillon, programmée | en vigueur (la précédente est archivée) |
| ``annuler_programmation`` | programmée | brouillon |
| ``archiver`` | en vigueur | archivée |

Une seule grille en vigueur et une seule programmée par EPCI (contraintes en
base). Seul un brouillon se modifie ; une grille en vigueur se change en
copiant une nouvelle version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from demandes.services import AUTOMATE, Auteur

from .models import Critere, Famille, Grille, TransitionGrille  # noqa: F401 (Critere : installer_grille)
from .regles import REGLES

Etat = Grille.Etat


@dataclass(frozen=True)
class Transition:
    depuis: tuple[str, ...]
    cible: str


TRANSITIONS = {
    "programmer": Transition((Etat.BROUILLON,), Etat.PROGRAMMEE),
    "activer": Transition((Etat.BROUILLON, Etat.PROGRAMMEE), Etat.EN_VIGUEUR),
    "annuler_programmation": Transition((Etat.PROGRAMMEE,), Etat.BROUILLON),
    "archiver": Transition((Etat.EN_VIGUEUR,), Etat.ARCHIVEE),
}


class TransitionInterdite(ValidationError):
    pass


def _journaliser(grille: Grille, avant: str, auteur: Auteur, commentaire: str = "") -> None:
    TransitionGrille.objects.create(
        grille=grille,
        etat_avant=avant,
        etat_apres=grille.etat,
        date=timezone.now(),
        date_effet=grille.date_effet,
        auteur=auteur.user if getattr(auteur.user, "pk", None) else None,
        organisme=auteur.organisme,
        auteur_libelle=auteur.libelle,
        commentaire=commentaire[:300],
    )


def _verifier(grille: Grille, action: str) -> Transition:
    t = TRANSITIONS[action]
    if grille.etat not in t.depuis:
        raise TransitionInterdite(
            f"Action impossible : la grille est « {grille.get_etat_display()} » "
            f"(attendu : {', '.join(Etat(e).label.lower() for e in t.depuis)})."
        )
    return t


# ---------------------------------------------------------------- validation


def erreurs_grille(grille: Grille) -> list[str]:
    """Incohérences qui empêchent d'activer une grille (règles, paliers, exclusions), en français."""
    erreurs = []
    familles = {f.code: f for f in grille.familles.all()}
    criteres = list(grille.criteres.select_related("famille"))
    if not criteres:
        erreurs.append("La grille ne compte aucun critère.")
    ordre = {c.code: i for i, c in enumerate(sorted(criteres, key=lambda c: (c.famille.ordre, c.ordre, c.pk)))}
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
        if precedent is not None and (precedent.get("max") is None or p["min"] < precedent["max"]):
            erreurs.append(f"palier {i} : il chevauche le palier précédent.")
        precedent = p
    return erreurs


# ---------------------------------------------------------------- écriture


@transaction.atomic
def installer_grille(definition: dict, epci, *, version: int = 1, en_vigueur: bool = True, apps=None) -> Grille:
    """Écrit une grille décrite en données (``grille_nantes.GRILLE_NANTES_METROPOLE``) ; idempotent par version.

    ``apps`` : le registre historique quand une migration l'appelle.
    """
    modeles = {
        nom: (apps.get_model("cotation", nom) if apps else globals()[nom])
        for nom in ("Grille", "Famille", "Critere", "TransitionGrille")
    }
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
        famille, code, libelle, regle, parametres, points, *reste = ligne
        options = reste[0] if reste else {}
        modeles["Critere"].objects.create(
            grille=grille,
            famille=familles[famille],
            code=code,
            libelle=libelle,
            regle=regle,
            parametres=parametres,
            points=points,
            paliers=options.get("paliers", []),
            duree_mois=options.get("duree_mois"),
            exclu_si=options.get("exclu_si", []),
            exclu_si_familles=options.get("exclu_si_familles", []),
            mention_exclusion=options.get("mention_exclusion", ""),
            ordre=i * 10,
        )
    modeles["TransitionGrille"].objects.create(
        grille=grille,
        etat_avant="",
        etat_apres=grille.etat,
        date=timezone.now(),
        date_effet=grille.date_effet,
        auteur_libelle=AUTOMATE.libelle,
        commentaire="Grille installée depuis sa définition (annexe du PPGD).",
    )
    if apps is None:
        from .services import vider_cache

        vider_cache()
    return grille


def installer_grille_nantes(apps=None):
    """La grille de Nantes Métropole en vigueur (version 1), si l'EPCI est au référentiel."""
    from fdls.territoires.models import Epci as EpciActuel

    from .grille_nantes import EPCI_NANTES_METROPOLE, GRILLE_NANTES_METROPOLE

    modele_epci = apps.get_model("territoires", "Epci") if apps else EpciActuel
    if not modele_epci.objects.filter(pk=EPCI_NANTES_METROPOLE).exists():
        return None
    return installer_grille(GRILLE_NANTES_METROPOLE, EPCI_NANTES_METROPOLE, apps=apps)


@transaction.atomic
def nouvelle_version(source: Grille, *, auteur: Auteur) -> Grille:
    """Copie une grille (en vigueur ou non) en brouillon de version suivante, familles et critères compris."""
    list(Grille.objects.select_for_update().filter(epci=source.epci_id))  # versions numérotées sous verrou
    version = (Grille.objects.filter(epci=source.epci_id).aggregate(v=Max("version"))["v"] or 0) + 1
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
    _journaliser(copie, "", auteur, f"Copie de la version {source.version}.")
    return copie


def verifier_modifiable(grille: Grille) -> None:
    if not grille.modifiable:
        raise TransitionInterdite(
            f"La grille est « {grille.get_etat_display()} » : seule une grille en brouillon se modifie. "
            "Créez une nouvelle version."
        )


@transaction.atomic
def programmer(grille: Grille, *, date_effet: date, auteur: Auteur, le: date | None = None) -> Grille:
    """Fixe la date d'effet : la grille entre en vigueur ce jour-là (aujourd'hui ou avant : tout de suite)."""
    le = le or timezone.localdate()
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    if date_effet is None:
        raise ValidationError({"date_effet": "Indiquez la date d'entrée en vigueur."})
    erreurs = erreurs_grille(grille)
    if erreurs:
        raise ValidationError({"__all__": erreurs})
    if date_effet <= le:
        return activer(grille, auteur=auteur, date_effet=date_effet)
    _verifier(grille, "programmer")
    deja = Grille.objects.filter(epci=grille.epci_id, etat=Etat.PROGRAMMEE).exclude(pk=grille.pk).first()
    if deja is not None:
        raise ValidationError(
            {"date_effet": f"La version {deja.version} est déjà programmée : annulez d'abord sa programmation."}
        )
    avant = grille.etat
    grille.etat, grille.date_effet = Etat.PROGRAMMEE, date_effet
    grille.save(update_fields=["etat", "date_effet", "updated_at"])
    _journaliser(grille, avant, auteur)
    return grille


@transaction.atomic
def annuler_programmation(grille: Grille, *, auteur: Auteur) -> Grille:
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    _verifier(grille, "annuler_programmation")
    avant = grille.etat
    grille.etat, grille.date_effet = Etat.BROUILLON, None
    grille.save(update_fields=["etat", "date_effet", "updated_at"])
    _journaliser(grille, avant, auteur)
    return grille


@transaction.atomic
def activer(grille: Grille, *, auteur: Auteur, date_effet: date | None = None) -> Grille:
    """Met la grille en vigueur (la précédente est archivée) ; les demandes seront recotées (tâche)."""
    from .services import planifier_recalcul_territoire

    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    _verifier(grille, "activer")
    erreurs = erreurs_grille(grille)
    if erreurs:
        raise ValidationError({"__all__": erreurs})
    aujourdhui = timezone.localdate()
    for ancienne in Grille.objects.select_for_update().filter(epci=grille.epci_id, etat=Etat.EN_VIGUEUR):
        ancienne.etat, ancienne.date_fin = Etat.ARCHIVEE, aujourdhui
        ancienne.save(update_fields=["etat", "date_fin", "updated_at"])
        _journaliser(ancienne, Etat.EN_VIGUEUR, auteur, f"Remplacée par la version {grille.version}.")
    avant = grille.etat
    grille.etat = Etat.EN_VIGUEUR
    grille.date_effet = date_effet or grille.date_effet or aujourdhui
    grille.save(update_fields=["etat", "date_effet", "updated_at"])
    _journaliser(grille, avant, auteur)
    planifier_recalcul_territoire(grille.epci_id)
    return grille


@transaction.atomic
def archiver(grille: Grille, *, auteur: Auteur) -> Grille:
    grille = Grille.objects.select_for_update().get(pk=grille.pk)
    _verifier(grille, "archiver")
    avant = grille.etat
    grille.etat, grille.date_fin = Etat.ARCHIVEE, timezone.localdate()
    grille.save(update_fields=["etat", "date_fin", "updated_at"])
    _journaliser(grille, avant, auteur)
    return grille


def activer_grilles_programmees(le: date | None = None) -> list[Grille]:
    """Tâche de nuit : les grilles programmées dont la date d'effet est atteinte entrent en vigueur."""
    le = le or timezone.localdate()
    activees = []
    for grille in Grille.objects.filter(etat=Etat.PROGRAMMEE, date_effet__lte=le):
        activees.append(activer(grille, auteur=AUTOMATE))
    return activees
