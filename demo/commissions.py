"""Commission d'attribution de démonstration, écrite par les services des commissions
(``instruction.commissions``) au nom du compte bailleur@demo.fdls.fr : rien n'est fabriqué, historique des
demandes, journaux, cotation et état des vacances compris.

* la CALEOL de Nantes Métropole Habitat (membres : le bailleur et la DDETS ; la DDETS invitée) ;
* une séance tenue il y a deux jours, trois logements et leurs candidats : décisions a à e et report ; au
  premier logement, le premier classé refuse, le deuxième signe le bail, le troisième reçoit la
  non-attribution ; au deuxième, une attribution sous condition suspensive ;
* une séance à distance dans une semaine, un logement à l'ordre du jour, vote ouvert ;
* l'objectif de flux de la DDETS pour l'année.

Idempotent : s'il existe déjà une commission, rien n'est ajouté.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from demo.instruction import candidats, compte_bailleur, vacances_a_pourvoir
from fdls.comptes.models import Utilisateur
from fdls.organismes.models import Organisme
from instruction.commissions import services, votes
from instruction.commissions.models import Commission, ObjectifFlux
from instruction.commissions.services import Saisie
from instruction.propositions import services as propositions
from offre.models import Disponibilite

COMPTE_RESERVATAIRE = "reservataire@demo.fdls.fr"
LOGEMENTS = 4


def _vacances_avec_candidats(bailleur, n: int) -> list:
    """``n`` vacances à pourvoir du bailleur, chacune avec trois candidats positionnés par les services."""
    vacances = vacances_a_pourvoir(bailleur, n, ordre="-pk")
    deja = set(
        Disponibilite.objects.filter(positionnements__isnull=False).values_list("positionnements__demande", flat=True)
    )
    retenues = []
    for disponibilite in vacances:
        demandes = candidats(bailleur, disponibilite, deja)
        if len(demandes) < 3:
            continue
        deja.update(d.pk for d in demandes)
        for demande in demandes:
            propositions.positionner_candidat(auteur=bailleur, disponibilite=disponibilite, demande=demande)
        retenues.append(disponibilite)
    return retenues


def construire(options, stdout) -> None:
    # Déjà construites, ou compte bailleur absent : rien à écrire.
    bailleur = None if Commission.objects.exists() else compte_bailleur()
    if bailleur is None:
        stdout.write("Commissions : déjà présentes (ou compte bailleur absent), rien n'est ajouté.")
        return
    reservataire = Utilisateur.objects.filter(email=COMPTE_RESERVATAIRE).select_related("organisme").first()
    ddets = reservataire.organisme if reservataire else Organisme.objects.filter(type=Organisme.Type.ETAT).first()
    vacances = _vacances_avec_candidats(bailleur, LOGEMENTS)
    if len(vacances) < LOGEMENTS:
        stdout.write("Commissions : pas assez de vacances avec trois candidats, aucune séance.")
        return
    commission = services.creer_commission(
        auteur=bailleur,
        nom="CALEOL NMH",
        quorum=2,
        majorite=50,
        membres=[u for u in (bailleur, reservataire) if u is not None],
        reservataires=[ddets] if ddets else [],
    )
    aujourd_hui = timezone.localdate()
    tenue = services.planifier_seance(
        auteur=bailleur,
        commission=commission,
        date_seance=aujourd_hui - timedelta(days=2),
        lieu="Siège de Nantes Métropole Habitat, salle du conseil",
    )
    examens = [services.inscrire_logement(auteur=bailleur, seance=tenue, disponibilite=d) for d in vacances[:3]]

    def decider(candidature, decision, **saisie):
        services.decider(auteur=bailleur, candidature=candidature, saisie=Saisie(decision, **saisie))

    # 1. Attribution par ordre de priorité : le premier refuse, le deuxième signe, le troisième est écarté.
    a, b, c = examens[0].candidatures.order_by("ordre")
    decider(a, "attribution_rang", rang=1)
    decider(b, "attribution_rang", rang=2)
    decider(c, "attribution_rang", rang=3)
    services.refuser_attribution(auteur=bailleur, candidature=a, motif="loyer", date_reponse=aujourd_hui)
    services.accepter_attribution(auteur=bailleur, candidature=b, date_reponse=aujourd_hui)
    services.signer_bail(
        auteur=bailleur, candidature=b, signe_le=aujourd_hui, entree_le=aujourd_hui + timedelta(days=10)
    )
    # 2. Attribution simple, attribution sous condition suspensive au rang 2, irrecevabilité.
    a, b, c = examens[1].candidatures.order_by("ordre")
    decider(a, "attribution")
    decider(
        b,
        "attribution_condition",
        rang=2,
        piece_manquante="avis_imposition",
        date_limite=aujourd_hui + timedelta(days=20),
    )
    decider(c, "irrecevabilite", motif="sejour")
    # 3. Report, non-attribution motivée, attribution au rang 1 (réponse attendue).
    a, b, c = examens[2].candidatures.order_by("ordre")
    decider(a, "report", motif="complement")
    decider(b, "non_attribution", motif="taux_effort")
    decider(c, "attribution", commentaire="Ménage prioritaire")
    services.clore_seance(auteur=bailleur, seance=tenue)

    # Séance à distance dans une semaine : un logement, vote ouvert, premier vote du bailleur.
    a_distance = services.planifier_seance(
        auteur=bailleur, commission=commission, date_seance=aujourd_hui + timedelta(days=7), a_distance=True
    )
    examen = services.inscrire_logement(auteur=bailleur, seance=a_distance, disponibilite=vacances[3])
    votes.ouvrir_vote(auteur=bailleur, seance=a_distance)
    votes.voter(user=bailleur, examen=examen, choix="attribution")
    if ddets is not None:
        ObjectifFlux.objects.get_or_create(
            reservataire=ddets, bailleur=bailleur.organisme, annee=aujourd_hui.year, defaults={"objectif": 12}
        )
    stdout.write(
        f"Commissions : « {commission.nom} », une séance tenue (3 logements, 9 décisions, un bail signé), "
        "une séance à distance (vote ouvert)."
    )
