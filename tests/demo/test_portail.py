"""Démonstration du portail : trois demandeurs à l'adresse vérifiée, rattachés chacun à une demande par le service
du rattachement (historique compris), une seule fois ; ils se connectent au portail."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone

from demandes.models import Demande, Evenement
from demo import portail as demo
from demo.partenaires import MOT_DE_PASSE_DEMO
from tests.monde.factories import CommuneFactory, DemandeFactory


def test_les_demandeurs_de_demonstration_sont_rattaches_une_seule_fois(client):
    nantes = CommuneFactory(nom="Nantes")
    for _ in range(4):
        DemandeFactory(communes=[nantes], email="menage@exemple.fr")
    bientot = DemandeFactory(communes=[nantes])
    Demande.objects.filter(pk=bientot.pk).update(date_expiration=timezone.localdate() + datetime.timedelta(days=10))

    sortie = io.StringIO()
    demo.construire({}, sortie)
    rattachees = Demande.objects.filter(compte_demandeur__email__endswith="@demo.fdls.fr")
    assert rattachees.count() == 3
    assert Demande.objects.get(compte_demandeur__email="demandeur.renouvellement@demo.fdls.fr") == bientot
    assert (
        Evenement.objects.filter(
            demande__in=rattachees, precisions="Demande rattachée à l'espace personnel du demandeur"
        ).count()
        == 3
    )
    assert "demandeur@demo.fdls.fr →" in sortie.getvalue()

    demo.construire({}, io.StringIO())
    assert Demande.objects.filter(compte_demandeur__isnull=False).count() == 3

    reponse = client.post(
        reverse("portail:connexion"), {"username": "demandeur.cal@demo.fdls.fr", "password": MOT_DE_PASSE_DEMO}
    )
    assert reponse.url == reverse("portail:espace")
