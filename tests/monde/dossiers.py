"""Dossiers de test : saisies complètes (objets non enregistrés) données aux services, et demandes
enregistrées par les services réels dans le territoire de Nantes (``tests.monde.territoires``)."""

import datetime
from decimal import Decimal

from demandes.cycle import services
from demandes.dossier.saisie import Dossier, PersonneSaisie
from demandes.labels import services as labels
from demandes.models import Demande, LocalisationSouhaitee, Personne, Ressource, TypeLabel
from tests.monde.fichiers import piece_identite

NAISSANCE = datetime.date(1985, 4, 12)


def dossier(
    *,
    communes,
    nom="MARTIN",
    prenom="Claire",
    naissance=NAISSANCE,
    codemandeur=None,
    occupants=(),
    salaire=Decimal("1450.00"),
    rfr=Decimal("18500"),
    **champs,
) -> Dossier:
    """Une locataire du privé seule (Claire MARTIN, salariée) qui cherche un T3 parce que son loyer est trop
    cher ; ``codemandeur=(nom, prénom, naissance)``, ``occupants=[(prénom, naissance), …]`` enfants à charge."""
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


def enregistrer(m, *, communes=None, date_depot=None, **champs) -> Demande:
    """Une demande active enregistrée par le guichet de l'Espace Habitat Social (services réels : numéro,
    doublons, labels automatiques, cotation, pièce d'identité jointe) ; ``champs`` vont au dossier."""
    return services.enregistrer_demande(
        dossier(communes=communes or [m.reze], **champs),
        auteur=m.auteur,
        guichet=m.guichet_ehs,
        date_depot=date_depot,
        piece_identite=piece_identite(),
    )


def demande_avec_exclusion(m) -> Demande:
    """Hébergée chez ses parents (+10), mais sans logement pour l'État (+15) : l'hébergement ne compte pas ;
    déposée il y a 400 jours (ancienneté : +5 jusqu'aux 18 mois)."""
    depot = datetime.date.today() - datetime.timedelta(days=400)
    demande = enregistrer(m, communes=[m.nantes], statut_occupation="heberge_famille", date_depot=depot)
    labels.poser_label(demande, TypeLabel.objects.get(code="cp-sans-logement"), user=m.agent_ddets)
    return demande
