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
from instruction.commissions.models import DecisionCal
from instruction.models import Bail, Candidature, Commission, Examen, Positionnement, Proposition, Seance
from tests.monde.factories import DemandeFactory, DisponibiliteFactory, QuartierFactory
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


# ---------------------------------------------------------------- instruction (stocks des compteurs d'activité)


@dataclass
class InstructionConnue:
    demandes: dict
    candidatures: dict
    propositions: dict


def _vacance(m):
    return DisponibiliteFactory(logement__programme__bailleur=m.bailleur, logement__programme__commune=m.nantes)


def _positionner(d: Demande, vacance, rang: int = 1) -> Positionnement:
    return Positionnement.objects.create(disponibilite=vacance, demande=d, designation="bailleur", rang=rang)


def instruction_connue(f: FichierConnu) -> InstructionConnue:
    """Candidatures de CAL et propositions aux réponses connues, autour du 1er juin 2025 (séance du 20 mai, une
    autre le 5 juin), écrites directement dans leur état présent, comme les services les laissent :

      C1  X1 attribution (rang 1), réponse attendue            validée du 20/05 à aujourd'hui
      C2  X2 attribution par ordre de priorité (rang 2)         validée du 20/05 à aujourd'hui
      C3  X3 sous condition, pièce attendue au 05/06, caduque   validée du 20/05 au 05/06
      C4  X4 attribution acceptée le 01/06                      validée au 31/05, en instance dès le 01/06
      C5  X5 acceptée le 25/05, bail signé le 03/06             validée au 24/05, en instance du 25/05 au 02/06
      C10 X5 acceptée le 26/05, retirée (X5 satisfaite le 03/06) validée au 25/05, en instance du 26/05 au 02/06
      C8  X6 classée rang 2 sur le logement de C5, écartée      validée du 20/05 au 02/06
      C7  X7 attribution refusée le 28/05                       validée du 20/05 au 27/05
      C6  X8 non-attribution                                    jamais
      C9  X9 attribution à la séance du 05/06                   validée dès le 05/06

    Propositions (du bailleur, P5 de la ville de Rezé) : P1 envoyée le 25/05 (sans réponse, limite 08/06) ; P2
    envoyée le 20/05, acceptée le 01/06 ; P3 envoyée le 28/05, refusée le 02/06 ; P4 envoyée le 15/05, sans
    réponse à sa limite du 31/05 ; P5 envoyée le 02/06.
    """
    m = f.m
    x = {f"X{i}": demande(m, depot=date(2025, 1, 6)) for i in range(1, 10)}
    commission = Commission.objects.create(bailleur=m.bailleur, nom="CAL Nantes Métropole Habitat", quorum=1)
    mai = Seance.objects.create(commission=commission, date=date(2025, 5, 20), lieu="Siège")
    juin = Seance.objects.create(commission=commission, date=date(2025, 6, 5), lieu="Siège")
    A, E = DecisionCal, Candidature.Etat
    c = {}

    def candidature(nom, cle, decision, etat, *, seance=mai, examen=None, rang=1, **champs):
        examen = examen or Examen.objects.create(seance=seance, disponibilite=_vacance(m), ordre=1)
        p = _positionner(x[cle], examen.disponibilite, rang)
        c[nom] = Candidature.objects.create(
            examen=examen,
            positionnement=p,
            demande=x[cle],
            ordre=rang,
            decision=decision,
            rang=rang,
            etat=etat,
            **champs,
        )
        return c[nom]

    candidature("C1", "X1", A.ATTRIBUTION, E.ATTRIBUEE)
    candidature("C2", "X2", A.ATTRIBUTION_RANG, E.EN_ATTENTE, rang=2)
    candidature(
        "C3", "X3", A.ATTRIBUTION_CONDITION, E.CADUQUE, piece_manquante="identite", date_limite=date(2025, 6, 5)
    )
    candidature("C4", "X4", A.ATTRIBUTION, E.ACCEPTEE, reponse_le=date(2025, 6, 1))
    c5 = candidature("C5", "X5", A.ATTRIBUTION, E.BAIL_SIGNE, reponse_le=date(2025, 5, 25))
    candidature("C8", "X6", A.ATTRIBUTION_RANG, E.ECARTEE, examen=c5.examen, rang=2)
    candidature("C10", "X5", A.ATTRIBUTION, E.RETIREE, reponse_le=date(2025, 5, 26))
    candidature("C7", "X7", A.ATTRIBUTION, E.REFUSEE, reponse_le=date(2025, 5, 28), motif_refus="loyer")
    candidature("C6", "X8", A.NON_ATTRIBUTION, E.NON_ATTRIBUEE, motif="inadapte")
    candidature("C9", "X9", A.ATTRIBUTION, E.ATTRIBUEE, seance=juin)
    Bail.objects.create(
        candidature=c5,
        disponibilite=c5.examen.disponibilite,
        demande=x["X5"],
        bailleur=m.bailleur,
        signe_le=date(2025, 6, 3),
        entree_le=date(2025, 6, 15),
    )
    attribuer(x["X5"], bail=date(2025, 6, 3), commune=m.nantes, qpv=False, bailleur=m.bailleur)

    P = Proposition.Etat
    p = {}

    def proposition(nom, cle, etat, envoi, limite, reponse=None, organisme=None):
        position = _positionner(x[cle], _vacance(m))
        p[nom] = Proposition.objects.create(
            positionnement=position,
            demande=x[cle],
            disponibilite=position.disponibilite,
            date_envoi=envoi,
            date_limite=limite,
            date_reponse=reponse,
            etat=etat,
            organisme=organisme or m.bailleur,
        )

    proposition("P1", "X1", P.ENVOYEE, date(2025, 5, 25), date(2025, 6, 8))
    proposition("P2", "X2", P.ACCEPTEE, date(2025, 5, 20), date(2025, 6, 3), date(2025, 6, 1))
    proposition("P3", "X3", P.REFUSEE, date(2025, 5, 28), date(2025, 6, 10), date(2025, 6, 2))
    proposition("P4", "X4", P.SANS_REPONSE, date(2025, 5, 15), date(2025, 5, 31))
    proposition("P5", "X9", P.ENVOYEE, date(2025, 6, 2), date(2025, 6, 16), organisme=m.ville_reze)
    return InstructionConnue(demandes=x, candidatures=c, propositions=p)
