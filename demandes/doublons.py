"""Détection des doublons : blocage indexé puis score de ressemblance (rapidfuzz).

Blocage (``CleIdentite``, une ligne par demandeur et co-demandeur) : même date
de naissance, ou mêmes clés phonétiques du nom et du prénom. Les candidats
sont ensuite notés sur 100 par rapidfuzz (noms normalisés, ordre des mots
indifférent pour attraper nom et prénom inversés). Les membres d'un même
ménage (même demande) ne sont jamais comparés entre eux.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from rapidfuzz import fuzz

from demandes.models import CleIdentite, Demande, SuspicionDoublon
from demandes.normalisation import cle_phonetique, normaliser_nom

#: Score à partir duquel une paire est présentée comme doublon probable.
SEUIL = 80


@dataclass(frozen=True)
class Identite:
    nom: str
    prenom: str
    date_naissance: object
    role: str = "demandeur"


@dataclass
class Candidat:
    demande_id: int
    score: int
    motif: str
    role: str


def identites_du_dossier(personnes) -> list[Identite]:
    return [
        Identite(normaliser_nom(p.nom), normaliser_nom(p.prenom), p.date_naissance, p.role)
        for p in personnes
        if p.role in ("demandeur", "codemandeur") and p.date_naissance and p.nom
    ]


def noter(a: Identite, nom: str, prenom: str, date_naissance) -> tuple[int, str]:
    """Score 0–100 de deux identités, et le motif lisible de la ressemblance."""
    complet_a = f"{a.nom} {a.prenom}"
    complet_b = f"{nom} {prenom}"
    score_noms = max(
        fuzz.ratio(complet_a, complet_b),
        fuzz.token_sort_ratio(complet_a, complet_b),
        # Nom d'usage composé vs nom seul (« MARTIN » / « MARTIN DUBOIS »).
        (fuzz.ratio(a.prenom, prenom) + fuzz.partial_ratio(a.nom, nom)) / 2 if a.nom and nom else 0,
    )
    meme_naissance = a.date_naissance == date_naissance
    score = score_noms * (1.0 if meme_naissance else 0.85)
    motifs = []
    if meme_naissance:
        motifs.append("même date de naissance")
    if a.nom == nom and a.prenom == prenom:
        motifs.append("nom et prénom identiques")
    elif sorted([a.nom, a.prenom]) == sorted([nom, prenom]):
        motifs.append("nom et prénom inversés")
    else:
        motifs.append(f"noms proches ({round(score_noms)} %)")
    return round(score), ", ".join(motifs)


def candidats(personnes, *, exclure_demande: int | None = None, seuil: int = SEUIL, limite: int = 20) -> list[Candidat]:
    """Demandes actives ou brouillons dont un demandeur/co-demandeur ressemble à une personne du dossier."""
    identites = identites_du_dossier(personnes)
    if not identites:
        return []
    blocage = Q()
    for ident in identites:
        blocage |= Q(date_naissance=ident.date_naissance)
        phon_nom, phon_prenom = cle_phonetique(ident.nom), cle_phonetique(ident.prenom)
        blocage |= Q(nom_phonetique=phon_nom, prenom_phonetique=phon_prenom)
        blocage |= Q(nom_phonetique=phon_prenom, prenom_phonetique=phon_nom)
    lignes = (
        CleIdentite.objects.filter(blocage, demande__etat__in=[Demande.Etat.ACTIVE, Demande.Etat.BROUILLON])
        .exclude(demande_id=exclure_demande)
        .values_list("demande_id", "role", "nom", "prenom", "date_naissance")[:2000]
    )
    meilleurs: dict[int, Candidat] = {}
    for demande_id, role, nom, prenom, naissance in lignes:
        for ident in identites:
            score, motif = noter(ident, nom, prenom, naissance)
            if score < seuil:
                continue
            if ident.role != role:
                motif += " (co-demandeur d'un côté, demandeur de l'autre)"
            actuel = meilleurs.get(demande_id)
            if actuel is None or score > actuel.score:
                meilleurs[demande_id] = Candidat(demande_id, score, motif, role)
    return sorted(meilleurs.values(), key=lambda c: -c.score)[:limite]


def _paire(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def signaler_suspicions(demande: Demande, *, source: str, ecartes=(), auteur=None) -> list[SuspicionDoublon]:
    """Enregistre les suspicions de doublon d'une demande (à traiter, ou écartées par l'agent à la saisie)."""
    from django.utils import timezone

    personnes = list(demande.personnes.all())
    creees = []
    for candidat in candidats(personnes, exclure_demande=demande.pk):
        a, b = _paire(demande.pk, candidat.demande_id)
        ecartee = candidat.demande_id in set(ecartes)
        try:
            with transaction.atomic():
                suspicion, cree = SuspicionDoublon.objects.get_or_create(
                    demande_a_id=a,
                    demande_b_id=b,
                    defaults={
                        "score": candidat.score,
                        "motif": candidat.motif[:200],
                        "source": source,
                        "statut": SuspicionDoublon.Statut.DISTINCTES if ecartee else SuspicionDoublon.Statut.A_TRAITER,
                        "traitee_le": timezone.now() if ecartee else None,
                        "traitee_par": getattr(auteur, "user", None) if ecartee else None,
                    },
                )
        except IntegrityError:
            continue
        if cree:
            creees.append(suspicion)
    return creees
