"""Instruction de démonstration : quelques vacances de Nantes Métropole Habitat avec leurs candidats,
contacts, propositions et visites, écrits par les services de l'instruction (``instruction.propositions``)
au nom du compte bailleur@demo.fdls.fr — historique des demandes, journaux et état des vacances compris.

Idempotent : s'il existe déjà des positionnements, rien n'est ajouté.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from demandes.models import Demande
from fdls.comptes.models import Utilisateur
from instruction.propositions import services
from instruction.propositions.models import Positionnement
from offre.models import Disponibilite, EtatDisponibilite

COMPTE_BAILLEUR = "bailleur@demo.fdls.fr"
VACANCES = 4
CANDIDATS = 3


def candidats(bailleur, disponibilite, deja: set[int]) -> list[Demande]:
    """Les plus anciennes demandes actives qui souhaitent la commune du logement (hors celles déjà prises)."""
    return list(
        Demande.objects.visibles_par(bailleur)
        .filter(etat=Demande.Etat.ACTIVE, localisations__commune=disponibilite.logement.commune_id)
        .exclude(pk__in=deja)
        .order_by("date_depot", "pk")
        .distinct()[:CANDIDATS]
    )


def compte_bailleur():
    """Le compte bailleur de démonstration (Nantes Métropole Habitat), ou ``None``."""
    return Utilisateur.objects.filter(email=COMPTE_BAILLEUR).select_related("organisme").first()


def vacances_a_pourvoir(bailleur, n: int, *, ordre: str = "pk") -> list[Disponibilite]:
    return list(
        Disponibilite.objects.filter(logement__bailleur=bailleur.organisme, etat=EtatDisponibilite.A_POURVOIR)
        .select_related("logement")
        .order_by(ordre)[:n]
    )


def construire(options, stdout) -> None:
    if Positionnement.objects.exists():
        stdout.write("Instruction : vacances déjà instruites, rien n'est ajouté.")
        return
    bailleur = compte_bailleur()
    if bailleur is None:
        stdout.write("Instruction : compte bailleur de démonstration absent, aucune vacance instruite.")
        return
    vacances = vacances_a_pourvoir(bailleur, VACANCES)
    aujourd_hui = timezone.localdate()
    deja: set[int] = set()
    compte = {"positionnements": 0, "contacts": 0, "propositions": 0, "visites": 0}
    for numero, disponibilite in enumerate(vacances):
        demandes = candidats(bailleur, disponibilite, deja)
        deja.update(d.pk for d in demandes)
        positionnements = [
            services.positionner_candidat(auteur=bailleur, disponibilite=disponibilite, demande=d) for d in demandes
        ]
        compte["positionnements"] += len(positionnements)
        if not positionnements:
            continue
        premier, *autres = positionnements

        def contact(p, resultat, motif=""):
            services.contacter(
                auteur=bailleur,
                positionnement=p,
                date_contact=aujourd_hui,
                mode="telephone",
                resultat=resultat,
                motif=motif,
            )
            compte["contacts"] += 1

        if numero == 0:
            # Le premier candidat accepte ; le deuxième refuse d'être positionné ; le troisième est injoignable.
            contact(premier, "interesse")
            proposition = services.proposer_logement(auteur=bailleur, positionnement=premier)
            services.accepter_proposition(auteur=bailleur, proposition=proposition)
            compte["propositions"] += 1
            if autres:
                contact(autres[0], "refus_positionnement", "localisation_quartier")
            if len(autres) > 1:
                contact(autres[1], "injoignable")
        elif numero == 1:
            # Le premier refuse la proposition (taille) ; le deuxième a une proposition en attente et une visite.
            proposition = services.proposer_logement(auteur=bailleur, positionnement=premier)
            services.refuser_proposition(auteur=bailleur, proposition=proposition, motif="taille")
            compte["propositions"] += 1
            if autres:
                services.proposer_logement(auteur=bailleur, positionnement=autres[0])
                services.planifier_visite(
                    auteur=bailleur,
                    positionnement=autres[0],
                    date_prevue=timezone.localtime().replace(hour=14, minute=30, second=0, microsecond=0)
                    + timedelta(days=3),
                )
                compte["propositions"] += 1
                compte["visites"] += 1
        else:
            contact(premier, "interesse")
    stdout.write(
        "Instruction : {n} vacances, {positionnements} positionnements, {contacts} contacts, "
        "{propositions} propositions, {visites} visites.".format(n=len(vacances), **compte)
    )
