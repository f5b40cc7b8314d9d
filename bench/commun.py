"""Outils partagés par les bancs des demandes : base dédiée, fichier généré, mesures.

Chaque banc s'exécute contre la base de ``DATABASE_URL`` (une base de banc,
jamais une base de travail) ; ``preparer_fichier(N)`` la migre, charge le
référentiel et les partenaires de démonstration, puis complète le fichier
jusqu'à N demandes actives avec ``demo.generateur`` (par COPY ; rien
n'est regénéré si le fichier est déjà assez grand).
"""

import io
import os
import statistics
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def preparer_fichier(actives: int) -> float:
    """Migre, charge la démonstration et complète jusqu'à ``actives`` demandes actives ; renvoie la durée (s)."""
    debut = time.perf_counter()
    call_command("migrate", verbosity=0)
    from demandes.models import Demande

    if Demande.objects.filter(etat=Demande.Etat.ACTIVE).count() >= actives:
        # Fichier déjà préparé par ``manage.py demo --demandes N`` (les bancs ajoutent des demandes :
        # relancer la démonstration ne ferait que ses étapes idempotentes, ≈ 3 min à 1 M).
        print(f"Demandes : au moins {actives} demandes actives, fichier déjà préparé.")
        return time.perf_counter() - debut
    sortie = io.StringIO()
    call_command("demo", demandes=actives, stdout=sortie)
    for ligne in sortie.getvalue().splitlines():
        if ligne.startswith("Demandes"):
            print(ligne)
    return time.perf_counter() - debut


def centiles(durees_ms: list[float]) -> tuple[float, float, float]:
    """(médiane, p95, max) en ms."""
    valeurs = sorted(durees_ms)
    p95 = valeurs[max(0, int(round(len(valeurs) * 0.95)) - 1)]
    return statistics.median(valeurs), p95, valeurs[-1]


def chronometrer(fonction) -> tuple[float, object]:
    debut = time.perf_counter()
    resultat = fonction()
    return (time.perf_counter() - debut) * 1000, resultat


def nom_base() -> str:
    return connection.settings_dict["NAME"]


def dossier_depuis_menage(menage, communes, typologies=("T3",)):
    """``dossier.saisie.Dossier`` (objets non enregistrés) à partir d'un ménage du générateur."""
    from demandes.dossier.saisie import Dossier, PersonneSaisie
    from demandes.models import Demande, LocalisationSouhaitee, Personne, Ressource

    demande = Demande(
        typologies=list(typologies),
        statut_occupation=menage.statut_occupation or "locataire_prive",
        motifs=["trop_cher"],
        enfants_a_naitre=menage.enfants_a_naitre,
    )
    personnes = []
    for p in menage.personnes:
        personne = Personne(
            role=p.role,
            civilite=p.civilite,
            sexe=p.sexe,
            nom=p.nom,
            nom_naissance=p.nom_naissance,
            prenom=p.prenom,
            date_naissance=p.date_naissance,
            nationalite=p.nationalite or ("francaise" if p.role == "demandeur" else ""),
            situation_familiale=p.situation_familiale,
            lien_parente=p.lien_parente,
            a_charge=p.a_charge,
            handicap=p.handicap,
            activite=p.activite,
            csp=p.csp,
            revenu_fiscal=None if p.revenu_fiscal is None else Decimal(p.revenu_fiscal),
        )
        types = set()
        ressources = []
        for type_, montant in p.ressources:
            if type_ not in types:
                types.add(type_)
                ressources.append(Ressource(type=type_, montant=Decimal(f"{montant:.2f}")))
        personnes.append(PersonneSaisie(personne, ressources))
    localisations = [LocalisationSouhaitee(commune_id=c) for c in communes]
    return Dossier(demande=demande, personnes=personnes, localisations=localisations)
