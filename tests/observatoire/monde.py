"""Petit fichier construit à la main, aux réponses connues, pour l'observatoire.

Territoire de ``tests.monde.territoires.territoire_nantes`` : Nantes et Rezé (Nantes Métropole, seuil du 1er
quartile 10 000 €/UC depuis 2020), Ancenis (COMPA, sans seuil). Un quartier QPV à Nantes.

Attributions : l'événement « satisfaction » de l'attributaire, exactement dans la forme du contrat de
l'instruction (session 11) : disponibilite, logement, bien, bailleur, commune, typologie, financement, qpv,
reservataire, contingent, bail_signe_le, entree_le, rang.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from demandes.models import Demande, Evenement, Label, LocalisationSouhaitee, Personne, Ressource, TypeLabel
from tests.monde.factories import DemandeFactory, QuartierFactory
from tests.monde.territoires import territoire_nantes

PARIS = ZoneInfo("Europe/Paris")
PHOTO = date(2026, 1, 1)  # photo du 1er janvier 2026 : attributions de 2025 (année N-1)


def le(jour: date, heure: int = 18) -> datetime:
    return datetime.combine(jour, time(heure), tzinfo=PARIS)


def demande(
    m,
    *,
    commune=None,
    quartier=None,
    depot=date(2024, 3, 1),
    mensuel: Decimal | int | None = 1000,
    hlm: bool = False,
    typologie: str = "T3",
    naissance=date(1980, 1, 1),
    **champs,
) -> Demande:
    """Une personne seule (1 UC) : ressources annuelles par UC = ``mensuel`` × 12."""
    commune = commune or m.nantes
    d = DemandeFactory(
        guichet=m.guichet_ehs,
        date_depot=depot,
        date_naissance=naissance,
        typologies=[typologie],
        statut_occupation="locataire_hlm" if hlm else "locataire_prive",
        mutation=hlm,
        categorie_menage=1,
        nb_personnes=1,
        **champs,
    )
    LocalisationSouhaitee.objects.create(demande=d, rang=1, commune=commune, quartier=quartier, date_anciennete=depot)
    if mensuel is not None:
        Ressource.objects.create(
            personne=Personne.objects.get(demande=d, role="demandeur"), type="salaire", montant=Decimal(mensuel)
        )
    return d


def label(d: Demande, code: str, *, pose=date(2024, 4, 1), retrait=None) -> Label:
    return Label.objects.create(
        demande=d,
        type=TypeLabel.objects.get(code=code),
        date_pose=pose,
        date_retrait=retrait,
        auteur_libelle="DDETS",
    )


def attribuer(
    d: Demande,
    *,
    bail: date,
    commune,
    qpv: bool,
    bailleur,
    typologie: str = "T3",
    financement: str = "PLUS",
    complet: bool = True,
) -> Evenement:
    """Le bail signé : la demande passe « satisfaite », l'événement porte les détails du contrat (ou, pour un
    événement ancien, seulement ``bien`` et ``bailleur`` : ``complet=False``)."""
    Demande.objects.filter(pk=d.pk).update(etat=Demande.Etat.SATISFAITE, date_fin=bail)
    details = {"bien": f"44-{d.pk:03d}-100A-123456", "bailleur": bailleur.nom}
    if complet:
        details |= {
            "disponibilite": 1000 + d.pk,
            "logement": 2000 + d.pk,
            "commune": commune.code_insee,
            "typologie": typologie,
            "financement": financement,
            "qpv": qpv,
            "reservataire": None,
            "contingent": "bailleur",
            "bail_signe_le": bail.isoformat(),
            "entree_le": bail.isoformat(),
            "rang": 1,
        }
    return Evenement.objects.create(
        demande=d,
        type=Evenement.Type.SATISFACTION,
        date=le(bail),
        precisions=f"Bail signé – bien {details['bien']}",
        details=details,
        etat_avant=Demande.Etat.ACTIVE,
        etat_apres=Demande.Etat.SATISFAITE,
        auteur_libelle=bailleur.nom,
        organisme=bailleur,
    )


@dataclass
class FichierConnu:
    m: object
    qpv_nantes: object
    attributions: dict
    en_cours: dict


def fichier_connu() -> FichierConnu:
    """Sept attributions de 2025 (et une de 2024) aux réponses connues, et six demandes en cours au 1/1/2026.

    Nantes Métropole (seuil 10 000 €/UC) :
      A1 hors QPV, 6 000 €/UC (1er quartile), ménage prioritaire (DALO) ;
      A2 hors QPV, 20 000 €/UC, mutation (locataire HLM) ;
      A3 hors QPV, 30 000 €/UC, relogé du renouvellement urbain ;
      A4 hors QPV, 15 000 €/UC, événement ancien (repli sur le 1er choix : Rezé, T2) ;
      A5 en QPV, 5 000 €/UC (1er quartile) ;
      A6 en QPV, 25 000 €/UC ;
    COMPA (aucun seuil chargé) :
      A7 hors QPV, 4 000 €/UC : quartile inconnu ;
    A0 : bail de 2024, hors de l'année 2025.
    """
    m = territoire_nantes()
    qpv = QuartierFactory(commune=m.nantes, nom="Bellevue", qpv=True)
    a = {}
    a["A1"] = demande(m, mensuel=500, depot=date(2024, 1, 15))
    label(a["A1"], "cp-dalo")
    a["A2"] = demande(m, mensuel=Decimal("1666.67"), hlm=True, depot=date(2023, 6, 1))
    a["A3"] = demande(m, mensuel=2500, depot=date(2024, 9, 1))
    label(a["A3"], "nm-renouvellement-urbain")
    a["A4"] = demande(m, commune=m.reze, mensuel=1250, typologie="T2", depot=date(2025, 1, 10))
    a["A5"] = demande(m, quartier=qpv, mensuel=Decimal("416.67"), depot=date(2024, 5, 1))
    a["A6"] = demande(m, mensuel=Decimal("2083.33"), depot=date(2022, 11, 20))
    a["A7"] = demande(m, commune=m.ancenis, mensuel=Decimal("333.33"), depot=date(2025, 2, 1))
    a["A0"] = demande(m, mensuel=500, depot=date(2023, 1, 1))
    attribuer(a["A1"], bail=date(2025, 3, 15), commune=m.nantes, qpv=False, bailleur=m.bailleur)
    attribuer(a["A2"], bail=date(2025, 6, 1), commune=m.reze, qpv=False, bailleur=m.bailleur, typologie="T4")
    attribuer(a["A3"], bail=date(2025, 9, 30), commune=m.nantes, qpv=False, bailleur=m.bailleur)
    attribuer(a["A4"], bail=date(2025, 11, 5), commune=m.reze, qpv=False, bailleur=m.bailleur, complet=False)
    attribuer(a["A5"], bail=date(2025, 4, 2), commune=m.nantes, qpv=True, bailleur=m.bailleur, typologie="T2")
    attribuer(a["A6"], bail=date(2025, 12, 31), commune=m.nantes, qpv=True, bailleur=m.bailleur)
    attribuer(a["A7"], bail=date(2025, 7, 7), commune=m.ancenis, qpv=False, bailleur=m.bailleur, typologie="T1")
    attribuer(a["A0"], bail=date(2024, 12, 20), commune=m.nantes, qpv=False, bailleur=m.bailleur)
    e = {}
    # En cours au 1/1/2026 : anciennetés 3, 7, 18 et 30 mois ; une annulée le 1/1/2026 compte encore ;
    # une annulée le 31/12/2025 et une déposée le 1/1/2026 ne comptent pas.
    e["E1"] = demande(m, depot=date(2025, 10, 1), mensuel=700)
    label(e["E1"], "cp-premier-quartile", pose=date(2025, 10, 2))  # 8 400 €/UC < 10 000 : posé la nuit suivante
    e["E2"] = demande(m, depot=date(2025, 5, 31), hlm=True, typologie="T2", mensuel=None)
    e["E3"] = demande(m, commune=m.reze, depot=date(2024, 7, 1), typologie="T4", mensuel=3000)
    label(e["E3"], "cp-violences-conjugales", pose=date(2025, 1, 1))
    e["E4"] = demande(m, quartier=qpv, depot=date(2023, 7, 1), mensuel=900)
    label(e["E4"], "cp-dalo", pose=date(2024, 1, 1), retrait=date(2025, 6, 1))  # retiré : plus prioritaire
    e["E5"] = demande(m, commune=m.ancenis, depot=date(2025, 12, 31), mensuel=400)
    Demande.objects.filter(pk=e["E5"].pk).update(etat=Demande.Etat.ANNULEE, date_fin=PHOTO)
    e["E6"] = demande(m, depot=date(2024, 2, 29), mensuel=1200)
    hors = [demande(m, depot=date(2025, 3, 1)), demande(m, depot=PHOTO)]
    Demande.objects.filter(pk=hors[0].pk).update(etat=Demande.Etat.ANNULEE, date_fin=date(2025, 12, 31))
    return FichierConnu(m=m, qpv_nantes=qpv, attributions=a, en_cours=e)
