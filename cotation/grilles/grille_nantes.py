"""La grille de cotation de Nantes Métropole (PPGD, annexe 1 ; en vigueur depuis le 2 octobre 2023).

Données, pas code : ``installer_grille(GRILLE_NANTES_METROPOLE, epci)`` l'écrit
en base (``manage.py demo``, migration cotation 0002 si l'EPCI existe). Les
choix faits là où l'annexe est ambiguë sont des paramètres de la grille et sont
expliqués dans docs/cotation.md :

- bornes des paliers partagées (« de 1 à 3 » puis « de 3 à 5 ») : la borne va
  au palier le plus favorable au demandeur (3 refus : −5) ;
- « Priorités État » : les points ne s'additionnent pas, le critère le plus
  favorable compte (les publics très prioritaires ont 20 points au plus) ;
- « Priorités Nantes Métropole » ne comptent que sans priorité État (« ou ») ;
- le total peut être négatif (pas de plancher) : une décote garde son effet
  pour toutes les demandes, y compris celles qui ont peu de points.
"""

EPCI_NANTES_METROPOLE = "244400404"

PRIORITES = ["priorites-etat", "priorites-nm"]

# fmt: off
GRILLE_NANTES_METROPOLE = {
    "libelle": "Grille de cotation de Nantes Métropole",
    "deliberation": "CIL du 25 janvier 2022, modifiée en CIL du 22 mars 2023",
    "date_effet": "2023-10-02",
    "total_plancher": None,
    "introduction": (
        "La cotation attribue des points à votre demande selon des critères objectifs adoptés par la "
        "Conférence intercommunale du logement. Elle aide à ordonner les demandes ; la commission "
        "d'attribution reste souveraine. Vos points sont recalculés automatiquement à chaque mise à jour "
        "et à chaque renouvellement de votre demande."
    ),
    "familles": [
        {
            "code": "priorites-etat",
            "libelle": "Le caractère prioritaire de votre demande : priorités État",
            "cumul": "maximum",
        },
        {
            "code": "priorites-nm",
            "libelle": "Le caractère prioritaire de votre demande : priorités Nantes Métropole",
            "cumul": "maximum",
            "exclue_si_familles": ["priorites-etat"],
        },
        {"code": "motifs", "libelle": "Les motifs de votre demande"},
        {"code": "anciennete", "libelle": "L'ancienneté de votre demande"},
        {"code": "situation-professionnelle", "libelle": "Votre situation professionnelle"},
        {"code": "situation-actuelle", "libelle": "Votre situation actuelle"},
        {"code": "occupation", "libelle": "L'occupation du logement"},
        {"code": "historique", "libelle": "L'historique de votre demande"},
    ],
    "criteres": [
        # --- Priorités État (labels posés par la DDETS ; 1er quartile calculé)
        ("priorites-etat", "dalo", "Vous êtes reconnu-e prioritaire au titre du droit au logement opposable (Dalo)",
         "label", {"labels": ["cp-dalo"]}, 20),
        ("priorites-etat", "violences-conjugales", "Vous êtes victime de violences conjugales",
         "label", {"labels": ["cp-violences-conjugales"]}, 20),
        ("priorites-etat", "sortant-hebergement", "Vous êtes sortant-e de structure d'hébergement",
         "label", {"labels": ["cp-sortant-hebergement"]}, 20),
        ("priorites-etat", "refugie", "Vous avez le statut de réfugié-e",
         "label", {"labels": ["cp-refugies"]}, 20),
        ("priorites-etat", "situation-handicap", "Vous êtes en situation de handicap",
         "label", {"labels": ["cp-handicap"]}, 20),
        ("priorites-etat", "sans-logement",
         "Vous êtes sans logement, en situation de logement précaire ou âgé de 25 à 30 ans en difficulté "
         "économique", "label", {"labels": ["cp-sans-logement"]}, 15),
        ("priorites-etat", "premier-quartile", "Vos revenus relèvent du premier quartile",
         "label", {"labels": ["cp-premier-quartile"]}, 15),
        ("priorites-etat", "autres-priorites-etat", "Autres priorités définies par l'État",
         "label", {"labels": ["cp-autres-priorites"]}, 15),
        # --- ou Priorités Nantes Métropole
        ("priorites-nm", "mutation-prioritaire", "Demande de mutation prioritaire",
         "label", {"labels": ["nm-mutation-prioritaire"]}, 15),
        ("priorites-nm", "renouvellement-urbain", "Relogement dans le cadre d'une opération de renouvellement urbain",
         "label", {"labels": ["nm-renouvellement-urbain"]}, 15),
        ("priorites-nm", "logement-d-abord", "Dispositif logement d'abord",
         "label", {"labels": ["nm-logement-d-abord"]}, 15),
        # --- Motifs
        ("motifs", "logement-inadapte-handicap",
         "Votre logement actuel est inadapté au handicap ou à la perte d'autonomie",
         "motif", {"motifs": ["handicap"]}, 20,
         {"exclu_si": ["situation-handicap"],
          "mention_exclusion": "sauf si vous bénéficiez de points pour le critère « situation de handicap » des "
                               "« priorités État »"}),
        ("motifs", "logement-indigne", "Votre logement actuel a été reconnu indigne",
         "motif", {"motifs": ["logement_indigne"]}, 8,
         {"exclu_si": ["autres-priorites-etat"],
          "mention_exclusion": "sauf si vous bénéficiez de points pour le critère « autres priorités définies par "
                               "l'État »"}),
        ("motifs", "logement-non-decent", "Votre logement actuel a été reconnu non décent",
         "motif", {"motifs": ["non_decent"]}, 6,
         {"exclu_si": ["autres-priorites-etat"],
          "mention_exclusion": "sauf si vous bénéficiez de points pour le critère « autres priorités définies par "
                               "l'État »"}),
        ("motifs", "eloigne-travail",
         "Votre logement est éloigné de votre lieu de travail ou vous avez changé de travail",
         "motif", {"motifs": ["eloigne_travail"]}, 5),
        # --- Ancienneté (depuis le dépôt initial)
        ("anciennete", "anciennete", "L'ancienneté de votre demande", "anciennete", {}, 0,
         {"paliers": [
             {"min": 6, "max": 18, "points": 5, "libelle": "Entre 6 et 18 mois"},
             {"min": 18, "max": 36, "points": 10, "libelle": "Entre 18 et 36 mois"},
             {"min": 36, "max": None, "points": 15, "libelle": "Plus de 36 mois"},
         ]}),
        # --- Situation professionnelle
        ("situation-professionnelle", "assistant-familial", "Vous êtes assistant-e familial-e ou maternel-le",
         "activite", {"activites": ["assistant_familial"], "motifs": ["assistant_maternel"]}, 8),
        # --- Situation actuelle
        ("situation-actuelle", "sans-abri", "Vous êtes sans abri, vivez en habitat de fortune, bidonville",
         "statut_occupation", {"statuts": ["sans_abri", "squat"]}, 10,
         {"exclu_si_familles": PRIORITES,
          "mention_exclusion": "sauf si vous bénéficiez de points pour un des critères des « priorités État » ou "
                               "« priorités Nantes Métropole »"}),
        ("situation-actuelle", "heberge-temporaire",
         "Vous vivez dans un logement temporaire, une structure d'hébergement (CHRS, CHU, CADA…), une résidence "
         "hôtelière à vocation sociale, un centre départemental de l'enfance et de la famille ou centre maternel, "
         "à l'hôtel, en appartement de coordination thérapeutique, chez un particulier, chez vos parents ou chez "
         "vos enfants",
         "statut_occupation",
         {"statuts": ["logement_temporaire", "structure_hebergement", "hotel", "heberge_famille",
                      "heberge_particulier"]}, 10,
         {"exclu_si_familles": PRIORITES,
          "mention_exclusion": "sauf si vous bénéficiez de points pour un des critères des « priorités État » ou "
                               "« priorités Nantes Métropole »"}),
        ("situation-actuelle", "logement-foyer",
         "Vous vivez en logement foyer, résidence sociale ou pension de famille",
         "statut_occupation", {"statuts": ["logement_foyer"]}, 10,
         {"exclu_si": ["sortant-hebergement"],
          "mention_exclusion": "sauf si vous bénéficiez de points pour le critère « sortant d'hébergement » des "
                               "« priorités État »"}),
        ("situation-actuelle", "camping-etudiant",
         "Vous vivez en camping, en habitat mobile, en résidence étudiante ou universitaire",
         "statut_occupation", {"statuts": ["camping", "residence_etudiante"]}, 10),
        # --- Occupation du logement
        ("occupation", "sous-occupation",
         "Vous êtes locataire d'un logement social et êtes en situation de sous-occupation",
         "sous_occupation", {"statuts": ["locataire_hlm"]}, 0,
         {"paliers": [
             {"min": 2, "max": 3, "points": 5,
              "libelle": "sous-occupation modérée (deux pièces de plus que d'occupants)"},
             {"min": 3, "max": None, "points": 9,
              "libelle": "sous-occupation caractérisée (trois pièces ou plus de plus que d'occupants)"},
         ]}),
        ("occupation", "sur-occupation",
         "Vous êtes locataire d'un logement social ou privé, propriétaire de votre logement et vivez en situation "
         "de sur-occupation",
         "sur_occupation",
         {"statuts": ["locataire_hlm", "locataire_prive", "proprietaire"], "surface_une_personne": 9,
          "surface_deux_personnes": 16, "surface_par_personne_en_plus": 9, "surface_plafond": 70}, 9),
        ("occupation", "taux-effort",
         "Vous êtes locataire et votre loyer représente plus de 33 % de vos ressources mensuelles",
         "taux_effort", {"statuts": ["locataire_hlm", "locataire_prive"], "seuil_pct": 33, "deduire_aides": False},
         7),
        # --- Historique de la demande (points et décotes limités dans le temps)
        ("historique", "refus-positionnement",
         "Vous avez refusé d'être positionné en Commission d'Attribution des Logements suite à un contact",
         "refus", {"evenement": "refus_positionnement", "periode_mois": 24}, 0,
         {"paliers": [
             {"min": 1, "max": 4, "points": -5, "duree_mois": 12, "libelle": "De 1 à 3 refus"},
             {"min": 4, "max": 6, "points": -10, "duree_mois": 18, "libelle": "De 3 à 5 refus (4 ou 5)"},
             {"min": 6, "max": None, "points": -15, "duree_mois": 24, "libelle": "Plus de 5 refus"},
         ]}),
        ("historique", "passage-cal",
         "Votre dossier est déjà passé en Commission d'Attribution des Logements mais n'est pas arrivé en "
         "première position",
         "passage_cal_non_premier", {}, 4, {"duree_mois": 12}),
        ("historique", "refus-attribution",
         "Vous avez refusé un logement qui vous a été attribué en Commission d'Attribution des Logements",
         "refus", {"evenement": "refus_attribution", "periode_mois": 24}, 0,
         {"paliers": [
             {"min": 2, "max": 4, "points": -15, "duree_mois": 24, "libelle": "De 2 à 3 refus"},
             {"min": 4, "max": None, "points": -20, "duree_mois": 24, "libelle": "Plus de 3 refus"},
         ]}),
    ],
}
# fmt: on
