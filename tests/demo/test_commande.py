"""Commande ``manage.py demo`` : options inchangées, étapes dans un ordre explicite ; comptes de la bannière."""

import io

from django.core.management import call_command

from demandes.models import Demande
from demandes.pieces.services import a_piece_identite
from demo.partenaires import COMPTES_DEMO, MOT_DE_PASSE_DEMO


def test_la_commande_demo_enchaine_ses_etapes_dans_l_ordre():
    sortie = io.StringIO()
    call_command(
        "demo",
        demandes=120,
        graine=3,
        part_doublons=0.0,
        taux_annulation=0.1,
        demandes_en_ligne=2,
        logements=0,
        stdout=sortie,
    )
    lignes = [ligne.split(" ", 1)[0] for ligne in sortie.getvalue().splitlines() if not ligne.startswith(" ")]
    etapes = [mot for mot in lignes if mot in {"Partenaires", "Demandes", "Labels", "Offre", "Cotation", "Instruction"}]
    assert etapes == ["Partenaires", "Demandes", "Demandes", "Labels", "Offre", "Cotation", "Instruction"]
    assert Demande.objects.filter(etat=Demande.Etat.ACTIVE).count() == 120
    en_ligne = list(Demande.objects.filter(etat=Demande.Etat.A_VALIDER))
    assert len(en_ligne) == 2
    # La validation exige la pièce d'identité : les dépôts de démonstration la portent, un agent peut les valider.
    assert all(a_piece_identite(demande) for demande in en_ligne)


def test_les_comptes_de_demonstration_pour_la_banniere_du_lanceur():
    sortie = io.StringIO()
    call_command("comptes_demo", stdout=sortie)
    texte = sortie.getvalue()
    assert MOT_DE_PASSE_DEMO in texte
    assert all(email in texte for email, *_ in COMPTES_DEMO)
