"""Démonstration : vacances instruites par les services de l'instruction (historique compris), une seule fois."""

import io

from demandes.models import Evenement
from demo import instruction as demo
from fdls.comptes.models import Role
from instruction.propositions.models import Contact, Positionnement, Proposition, Visite
from offre.models import Disponibilite
from tests.monde.factories import AgentFactory, BailleurFactory, CommuneFactory, DemandeFactory, DisponibiliteFactory


def test_les_vacances_de_demonstration_sont_instruites_une_seule_fois():
    nantes = CommuneFactory(nom="Nantes")
    nmh = BailleurFactory(nom="Nantes Métropole Habitat", perimetre=[nantes])
    AgentFactory(email=demo.COMPTE_BAILLEUR, organisme=nmh, roles=[Role.INSTRUCTEUR_BAILLEUR])
    for _ in range(3):
        DisponibiliteFactory(logement__programme__bailleur=nmh, logement__programme__commune=nantes)
    for _ in range(8):
        DemandeFactory(communes=[nantes])

    sortie = io.StringIO()
    demo.construire({}, sortie)

    assert "Instruction : 3 vacances, 8 positionnements, 4 contacts, 3 propositions, 1 visites." in sortie.getvalue()
    assert Positionnement.objects.values("demande").distinct().count() == 8
    assert set(Proposition.objects.values_list("etat", flat=True)) == {"acceptee", "refusee", "envoyee"}
    assert Contact.objects.filter(resultat="refus_positionnement").count() == 1
    assert Visite.objects.count() == 1
    assert Evenement.objects.filter(type="refus_positionnement").count() == 1
    assert Evenement.objects.filter(type="positionnement").count() == 8
    assert set(Disponibilite.objects.values_list("etat", flat=True)) == {"en_cours"}

    demo.construire({}, sortie)
    assert "rien n'est ajouté" in sortie.getvalue()
    assert Positionnement.objects.count() == 8
