"""Construction de dossiers de test (objets non enregistrés) pour les services."""

import datetime
from decimal import Decimal

from demandes.dossier.saisie import Dossier, PersonneSaisie
from demandes.models import Demande, LocalisationSouhaitee, Personne, Ressource


def dossier(
    *,
    communes,
    nom="MARTIN",
    prenom="Claire",
    naissance=datetime.date(1985, 4, 12),
    codemandeur=None,
    occupants=(),
    salaire=Decimal("1450.00"),
    rfr=Decimal("18500"),
    **champs,
) -> Dossier:
    valeurs = {"typologies": ["T3"], "statut_occupation": "locataire_prive", "motifs": ["trop_cher"]}
    valeurs.update(champs)
    demande = Demande(**valeurs)
    demandeur = Personne(
        role="demandeur",
        civilite="MME",
        nom=nom,
        prenom=prenom,
        date_naissance=naissance,
        nationalite="francaise",
        situation_familiale="celibataire",
        activite="salarie_prive",
        revenu_fiscal=rfr,
    )
    personnes = [PersonneSaisie(demandeur, [Ressource(type="salaire", montant=salaire)] if salaire else [])]
    if codemandeur:
        nom_c, prenom_c, naissance_c = codemandeur
        personnes.append(
            PersonneSaisie(
                Personne(
                    role="codemandeur",
                    nom=nom_c,
                    prenom=prenom_c,
                    date_naissance=naissance_c,
                    nationalite="francaise",
                    lien_parente="conjoint",
                )
            )
        )
    for prenom_o, naissance_o in occupants:
        personnes.append(
            PersonneSaisie(
                Personne(
                    role="occupant",
                    nom=nom,
                    prenom=prenom_o,
                    date_naissance=naissance_o,
                    lien_parente="enfant",
                    a_charge=True,
                )
            )
        )
    localisations = [LocalisationSouhaitee(commune=c) for c in communes]
    return Dossier(demande=demande, personnes=personnes, localisations=localisations)
