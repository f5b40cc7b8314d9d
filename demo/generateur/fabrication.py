"""Fabrication des demandes d'un lot : ménage, logement recherché, guichet, historique, doublons semés.

Les valeurs viennent des énumérations du modèle (``demandes.choix``,
``Demande.Etat``, ``Evenement.Type``) ; états et événements de l'historique
passent par la table des transitions (``demo.generateur.historique``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from demandes.dossier import calculs
from demandes.dossier.choix import (
    Canal,
    CategorieLogement,
    CategorieRecherchee,
    Civilite,
    Motif,
    MotifAnnulation,
    Role,
    Sexe,
    SituationFamiliale,
    StatutOccupation,
    Typologie,
)
from demandes.dossier.normalisation import nom_naissance_cle, sexe_cle
from demandes.models import Demande
from demo.generateur import historique
from demo.generateur.contexte import Contexte
from demo.generateur.historique import TireurHistorique, Vie
from demo.generateur.listes import VOIES
from demo.generateur.lots import ATTENTE_NU, ATTENTE_REF, Lot
from demo.generateur.menages import MONOPARENTALE, ROLES_DEMANDEURS, Menage, TireurMenages, faute
from demo.generateur.outils import (
    NUL,
    a_des_accents,
    ajouter_mois,
    booleen,
    cles_nom,
    en_json,
    entier,
    horodatage,
    jour,
    montant,
    nombre,
    parmi,
    sans_accents,
    tableau,
    texte,
)
from demo.generateur.parametres import Bilan, Parametres
from demo.models import DoublonSeme

Etat = Demande.Etat
TypeDoublon = DoublonSeme.Type

# Doublons et faux doublons des situations qu'un agent reconnaît (docs/doublons.md) : prénoms et noms écrits
# par deux translittérations (tous dans ``demandes/doublons/variantes_prenoms.csv`` ou de même Metaphone),
# prénoms de jumeaux de sexes différents (féminin, masculin).
TRANSLITTERATIONS = {
    Sexe.MASCULIN: [
        ("Mohamed", "Muhammad"),
        ("Mohammed", "Mouhamed"),
        ("Youssef", "Yusuf"),
        ("Dmytro", "Dmitri"),
        ("Oleksandr", "Aleksandr"),
        ("Mykhailo", "Mikhail"),
        ("Serhiy", "Sergueï"),
        ("Hussein", "Hocine"),
        ("Andriy", "Andreï"),
        ("Abdelkader", "Abdulkadir"),
    ],
    Sexe.FEMININ: [
        ("Olena", "Elena"),
        ("Tetiana", "Tatiana"),
        ("Iryna", "Irina"),
        ("Khadija", "Khadidja"),
        ("Fatima", "Fatma"),
        ("Kateryna", "Ekaterina"),
        ("Nataliya", "Natalia"),
        ("Yuliia", "Yulia"),
    ],
}
NOMS_TRANSLITTERES = [
    ("Shevchenko", "Chevtchenko"),
    ("Kravchenko", "Kravtchenko"),
    ("Tkachenko", "Tkatchenko"),
    ("Kovalchuk", "Kovaltchouk"),
    ("Melnyk", "Melnik"),
]
AUTRE_FORME = {x: y for paires in [*TRANSLITTERATIONS.values(), NOMS_TRANSLITTERES] for x, y in paires}
JUMEAUX = [
    ("Julie", "Julien"),
    ("Louise", "Louis"),
    ("Christiane", "Christian"),
    ("Pascale", "Pascal"),
    ("Michèle", "Michel"),
    ("Danielle", "Daniel"),
    ("Denise", "Denis"),
    ("Françoise", "François"),
    ("Gabrielle", "Gabriel"),
    ("Emmanuelle", "Emmanuel"),
    ("Frédérique", "Frédéric"),
]
JUMEAU = {x: y for f, m in JUMEAUX for x, y in ((f, m), (m, f))}
S = StatutOccupation
ORDRE_TYPOLOGIES = list(Typologie)
# Statuts d'occupation d'un ménage logé (pièces, surface, loyer de son logement actuel).
STATUTS_LOGES = frozenset({S.LOCATAIRE_HLM, S.LOCATAIRE_PRIVE, S.PROPRIETAIRE, S.LOGEMENT_FONCTION})
STATUTS_SANS_LOGEMENT = frozenset(
    {S.SANS_ABRI, S.HOTEL, S.SQUAT, S.CAMPING, S.STRUCTURE_HEBERGEMENT, S.LOGEMENT_TEMPORAIRE}
)


class Generateur:
    def __init__(self, p: Parametres, ctx: Contexte, ids: dict, compteurs_nu: dict, compteurs_ref: dict):
        self.p = p
        self.ctx = ctx
        self.aujourd_hui = p.aujourd_hui or timezone.localdate()
        self.ids = ids  # table -> dernier id utilisé
        self.compteurs_nu = compteurs_nu
        self.compteurs_ref = compteurs_ref
        self.menages = TireurMenages(ctx)
        self.historique = TireurHistorique(ctx, evenements_cal=p.evenements_cal)
        self.departement_nu = p.departement.zfill(3)
        self.bilan = Bilan()
        self.debut_fenetre = self.aujourd_hui - timedelta(days=365 * p.annees_closes)
        self.numeros_differes = False
        self._numero_en_attente = None

    # ------------------------------------------------------------ identifiants et numéros

    def prochain_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _numeros(self, depot: date, guichet) -> tuple[str, str]:
        periode = f"{depot.month:02d}{depot.year % 100:02d}"
        cle = (self.departement_nu, periode, guichet[1])
        if self.numeros_differes:
            # Fabrication dans un processus de travail : séquences posées par le processus principal
            # (``lots.numeroter``), dans l'ordre des lots, pour que chaque séquence reste sans trou.
            self._numero_en_attente = (cle, f"{depot.year:04d}{depot.month:02d}")
            return (
                f"{self.departement_nu}{periode}{ATTENTE_NU}{guichet[1]}",
                f"{depot.year:04d}{depot.month:02d}{ATTENTE_REF}",
            )
        seq = self.compteurs_nu.get(cle, 0) + 1
        self.compteurs_nu[cle] = seq
        periode_ref = f"{depot.year:04d}{depot.month:02d}"
        ref = self.compteurs_ref.get(periode_ref, 0) + 1
        self.compteurs_ref[periode_ref] = ref
        return f"{self.departement_nu}{periode}{seq:06d}{guichet[1]}", f"{periode_ref}{ref:04d}"

    # ------------------------------------------------------------ ménages (bancs)

    def menage_aleatoire(self, a: random.Random, le: date | None = None) -> Menage:
        """Un ménage tiré comme ceux du fichier, sans rien écrire (bancs : nouveaux dossiers)."""
        menage = self.menages.menage(a, le or self.aujourd_hui)
        menage.statut_occupation = S.LOCATAIRE_HLM if a.random() < self.p.part_mutation else S.LOCATAIRE_PRIVE
        return menage

    def communes_aleatoires(self, a: random.Random) -> list[str]:
        return [commune for commune, _quartier in self._localisations(a)]

    # ------------------------------------------------------------ logement recherché

    @staticmethod
    def _typologies(a: random.Random, taille: int) -> list[str]:
        T = Typologie
        r = a.random()
        if taille <= 1:
            t = T.CHAMBRE if r < 0.01 else T.T1 if r < 0.22 else T.T2 if r < 0.92 else T.T3
        elif taille == 2:
            t = T.T2 if r < 0.55 else T.T3 if r < 0.95 else T.T4
        elif taille == 3:
            t = T.T2 if r < 0.03 else T.T3 if r < 0.68 else T.T4
        elif taille == 4:
            t = T.T3 if r < 0.25 else T.T4 if r < 0.90 else T.T5
        elif taille == 5:
            t = T.T4 if r < 0.50 else T.T5 if r < 0.95 else T.T6
        else:
            t = T.T5 if r < 0.6 else T.T6
        ordre = ORDRE_TYPOLOGIES
        i = ordre.index(t)
        if a.random() < 0.4 and 1 <= i < 6:
            voisin = ordre[i + 1] if a.random() < 0.5 else ordre[max(1, i - 1)]
            return sorted({t, voisin}, key=ordre.index)
        return [t]

    def _localisations(self, a: random.Random) -> list[tuple[str, int | None]]:
        ctx = self.ctx
        premiere = ctx.tirage_principal(a) if a.random() < self.p.part_epci_principal else ctx.tirage_reste(a)
        r = a.random()
        nb = 1 if r < 0.30 else 2 if r < 0.50 else 3 if r < 0.70 else 4 if r < 0.85 else 5
        choisies = [premiere]
        epci = ctx.communes[premiere][1]
        tirage_epci = ctx.tirage_par_epci.get(epci, ctx.tirage_departement)
        essais = 0
        while len(choisies) < nb and essais < 20:
            essais += 1
            c = tirage_epci(a) if a.random() < 0.8 else ctx.tirage_departement(a)
            if c not in choisies:
                choisies.append(c)
        resultat = []
        for c in choisies:
            qs = ctx.quartiers.get(c)
            resultat.append((c, parmi(a, qs) if qs and a.random() < 0.1 else None))
        return resultat

    def _situation(self, a: random.Random, menage: Menage, mutation: bool) -> dict:
        taille = len(menage.personnes)
        if mutation:
            statut = S.LOCATAIRE_HLM
        else:
            r = a.random()
            statut = (
                S.LOCATAIRE_PRIVE
                if r < 0.42
                else S.HEBERGE_FAMILLE
                if r < 0.66
                else S.HEBERGE_PARTICULIER
                if r < 0.74
                else S.STRUCTURE_HEBERGEMENT
                if r < 0.80
                else S.LOGEMENT_FOYER
                if r < 0.85
                else S.LOGEMENT_TEMPORAIRE
                if r < 0.89
                else S.PROPRIETAIRE
                if r < 0.92
                else S.RESIDENCE_ETUDIANTE
                if r < 0.94
                else S.LOGEMENT_FONCTION
                if r < 0.955
                else S.SANS_ABRI
                if r < 0.975
                else S.HOTEL
                if r < 0.985
                else S.CAMPING
                if r < 0.995
                else S.SQUAT
            )
        menage.statut_occupation = statut
        loge = statut in STATUTS_LOGES
        pieces = None
        surface = None
        loyer = None
        aides = None
        if loge:
            pieces = max(1, min(6, taille + parmi(a, [-1, -1, 0, 0, 1, 2]) if mutation else taille + parmi(a, [-1, 0])))
            surface = 18 + pieces * entier(a, 14, 22)
            if statut != S.PROPRIETAIRE:
                loyer = (5.8 if statut == S.LOCATAIRE_HLM else 11.5) * surface * a.uniform(0.85, 1.2) + 40
                aides = a.uniform(80, 320) if a.random() < 0.45 else None
        motifs: list[str]
        if mutation:
            if pieces is not None and pieces > taille + 1:
                motifs = [Motif.TROP_GRAND]
            elif pieces is not None and pieces < taille:
                motifs = [Motif.TROP_PETIT]
            else:
                motifs = [
                    parmi(
                        a,
                        [
                            Motif.ENVIRONNEMENT,
                            Motif.HANDICAP,
                            Motif.TROP_CHER,
                            Motif.RAPPROCHEMENT_FAMILLE,
                            Motif.SANTE,
                        ],
                    )
                ]
        elif statut == S.LOCATAIRE_PRIVE:
            motifs = [
                parmi(a, [Motif.TROP_CHER, Motif.TROP_CHER, Motif.TROP_PETIT, Motif.LOGEMENT_REPRIS, Motif.NON_DECENT])
            ]
        elif statut in (S.HEBERGE_FAMILLE, S.HEBERGE_PARTICULIER):
            motifs = [parmi(a, [Motif.SANS_LOGEMENT, Motif.DECOHABITATION, Motif.DECOHABITATION])]
        elif statut in STATUTS_SANS_LOGEMENT:
            motifs = [Motif.SANS_LOGEMENT]
        else:
            motifs = [parmi(a, [Motif.TROP_CHER, Motif.ELOIGNE_TRAVAIL, Motif.RAPPROCHEMENT_SERVICES, Motif.AUTRE])]
        if menage.forme == MONOPARENTALE and a.random() < 0.25:
            motifs.append(Motif.DIVORCE)
        if a.random() < 0.08:
            motifs.append(Motif.ELOIGNE_TRAVAIL)
        if a.random() < 0.015:
            motifs.append(Motif.VIOLENCES)
        r = a.random()
        categorie = (
            CategorieRecherchee.APPARTEMENT
            if r < 0.17
            else CategorieRecherchee.MAISON
            if r < 0.41
            else CategorieRecherchee.INDIFFERENT
        )
        return {
            "statut": statut,
            "categorie_actuelle": (
                (CategorieLogement.MAISON if a.random() < 0.25 else CategorieLogement.APPARTEMENT) if loge else ""
            ),
            "pieces": pieces,
            "surface": surface,
            "loyer": loyer,
            "aides": aides,
            "occupants": taille if loge else None,
            "motifs": list(dict.fromkeys(motifs)),
            "categorie": categorie,
            "handicap": any(x.handicap for x in menage.personnes),
        }

    # ------------------------------------------------------------ dates et guichet

    def _anciennete_active(self, a: random.Random) -> date:
        r = a.random()
        if r < 0.29:
            jours = entier(a, 0, 182)
        elif r < 0.58:
            jours = entier(a, 183, 365)
        elif r < 0.77:
            jours = entier(a, 366, 730)
        else:
            jours = 731 + int(a.expovariate(1 / 700.0))
            jours = min(jours, 365 * 12)
        return self.aujourd_hui - timedelta(days=jours)

    def _guichet(self, a: random.Random, mutation: bool, bailleur_id, premiere_commune: str):
        ctx = self.ctx
        if a.random() < self.p.part_en_ligne:
            return ctx.guichet_en_ligne, Canal.EN_LIGNE
        if mutation and bailleur_id in ctx.guichets_bailleur and a.random() < 0.7:
            return ctx.guichets_bailleur[bailleur_id], Canal.GUICHET
        r = a.random()
        if ctx.guichet_als and r < 0.08:
            return ctx.guichet_als, Canal.GUICHET
        if premiere_commune in ctx.guichets_commune and r < 0.6:
            return ctx.guichets_commune[premiere_commune], Canal.GUICHET
        return ctx.guichet_en_ligne, Canal.GUICHET

    # ------------------------------------------------------------ une demande

    def demande(
        self,
        a: random.Random,
        lot: Lot,
        *,
        depot: date,
        fin_de_vie: str | None = None,
        fin: date | None = None,
        motif_annulation: str = "",
        menage: Menage | None = None,
        localisations=None,
        guichet=None,
    ) -> tuple[int, Menage, list]:
        """Écrit une demande et tout son dossier dans le lot ; renvoie son id, son ménage et ses choix.

        ``fin_de_vie`` : action de la table des transitions qui clôt la demande le jour ``fin``
        (``satisfaire``, ``annuler``, ``annuler_non_renouvellement``), ou rien pour une demande active.
        """
        ctx = self.ctx
        hist = self.historique
        if fin_de_vie == historique.ANNULER_NON_RENOUVELLEMENT:
            # Annulation automatique le lendemain de l'échéance non renouvelée.
            renouvellements, expiration = hist.renouvellements(a, depot, fin - timedelta(days=1))
            if expiration + timedelta(days=1) >= self.aujourd_hui and renouvellements:
                renouvellements.pop()
                expiration = ajouter_mois(renouvellements[-1] if renouvellements else depot, ctx.validite_mois)
            if expiration + timedelta(days=1) >= self.aujourd_hui:
                # Échéance trop récente pour une annulation automatique : renonciation du demandeur.
                fin_de_vie, motif_annulation = historique.ANNULER, MotifAnnulation.RENONCIATION
                renouvellements, expiration = hist.renouvellements(a, depot, fin)
            else:
                fin = expiration + timedelta(days=1)
        else:
            renouvellements, expiration = hist.renouvellements(a, depot, fin or self.aujourd_hui)
        le = fin or self.aujourd_hui
        menage = menage or self.menages.menage(a, depot)
        demandeur = menage.personnes[0]
        mutation = menage.statut_occupation == S.LOCATAIRE_HLM if menage.statut_occupation else None
        if mutation is None:
            mutation = a.random() < self.p.part_mutation
        situation = self._situation(a, menage, mutation)
        bailleur = ctx.bailleurs[int(a.random() * len(ctx.bailleurs))] if mutation else None
        localisations = localisations or self._localisations(a)
        if guichet is None:
            guichet, canal = self._guichet(a, mutation, bailleur[0] if bailleur else None, localisations[0][0])
        else:
            canal = Canal.EN_LIGNE if guichet is ctx.guichet_en_ligne and a.random() < 0.8 else Canal.GUICHET
        demande_id = self.prochain_id("demande")
        nu, reference = self._numeros(depot, guichet)
        valeurs = calculs.valeurs_stockees(menage, menage.personnes, le)
        typologies = self._typologies(a, valeurs["nb_personnes"])
        organisme_guichet = guichet[2]
        auteur_guichet = guichet[3][:150]
        en_ligne = canal == Canal.EN_LIGNE

        # --- Historique (dans l'ordre chronologique des états) : enregistrement, renouvellements, pièces,
        # modifications, propositions et CAL, fin de la demande.
        vie = Vie()
        hist.enregistrement(vie, depot, nu, reference, guichet, auteur_guichet, organisme_guichet)
        hist.renouvelee(a, vie, depot, renouvellements, en_ligne, auteur_guichet, organisme_guichet)
        duree = max(1, (le - depot).days)
        hist.pieces(a, vie, depot, duree, auteur_guichet, organisme_guichet)
        anciennetes = hist.localisations_ajoutees(
            a, vie, localisations, depot, duree, auteur_guichet, organisme_guichet
        )
        hist.modifications(a, vie, situation, depot, duree, auteur_guichet, organisme_guichet)
        # Propositions, passages en CAL et refus (cotation : décotes et « déjà passé en CAL »).
        part_cal = 0.12 if fin_de_vie is None else 0.25
        if self.p.evenements_cal and duree > 90 and a.random() < part_cal:
            for _ in range(1 + int(a.expovariate(1.5))):
                hist.episode_cal(a, vie, depot, le if fin_de_vie is None else le - timedelta(days=60), typologies)
        date_fin = None
        if fin_de_vie == historique.SATISFAIRE:
            hist.satisfaction(a, vie, depot, fin, typologies, commune=localisations[0][0])
            date_fin = fin
        elif fin_de_vie is not None:
            motif_annulation = (
                MotifAnnulation.NON_RENOUVELLEMENT
                if fin_de_vie == historique.ANNULER_NON_RENOUVELLEMENT
                else motif_annulation
            )
            hist.annulation(a, vie, fin, motif_annulation, typologies, auteur_guichet, organisme_guichet)
            date_fin = fin

        # --- Demande (une valeur par colonne du modèle, écrites dans l'ordre de ses champs)
        adresse_commune = localisations[0][0] if a.random() < 0.6 else ctx.tirage_departement(a)
        nom_commune, _epci, cp = ctx.communes[adresse_commune]
        sans_adresse = situation["statut"] == S.SANS_ABRI
        dernier_evt = max(e[0] for e in vie.evenements)
        loyer_max = round(situation["loyer"] * a.uniform(0.9, 1.2)) if situation["loyer"] and a.random() < 0.3 else None
        if self.numeros_differes:
            # Séquences à poser par le processus principal, dans l'ordre des demandes du lot (``lots.numeroter``).
            lot.numeros.append(self._numero_en_attente)
        # Une valeur par colonne, dans l'ordre des champs du modèle (``copie_sql.COLONNES_DEMANDE``) : un champ
        # ajouté ou déplacé fait échouer le COPY. Tuple plutôt que dictionnaire : 5 à 14 µs de moins par demande.
        lot.demandes.append(
            "\t".join(
                (
                    str(demande_id),  # id
                    nu,  # numero_unique
                    reference,  # reference
                    vie.etat,  # etat
                    canal,  # canal
                    str(guichet[0]),  # guichet_id
                    self.p.departement,  # departement_id
                    NUL,  # compte_demandeur_id
                    str(organisme_guichet),  # organisme_saisie_id
                    NUL,  # cree_par_id
                    depot.isoformat(),  # date_depot
                    jour(renouvellements[-1] if renouvellements else None),  # date_renouvellement
                    expiration.isoformat(),  # date_expiration
                    jour(date_fin),  # date_fin
                    motif_annulation,  # motif_annulation
                    "",  # commentaire_annulation
                    booleen(en_ligne),  # renouvellement_electronique
                    booleen(False),  # courrier_souhaite
                    NUL,  # avertie_le
                    "",  # avertissement_motif
                    NUL,  # purgee_le
                    NUL,  # fusionnee_dans_id
                    texte(demandeur.nom.strip()),  # nom
                    texte(demandeur.prenom.strip()),  # prenom
                    demandeur.date_naissance.isoformat(),  # date_naissance
                    "" if sans_adresse else str(entier(a, 1, 180)),  # adresse_numero
                    "" if sans_adresse else VOIES[int(a.random() * len(VOIES))],  # adresse_voie
                    "",  # adresse_complement
                    "" if sans_adresse else cp,  # code_postal
                    "" if sans_adresse else texte(nom_commune),  # ville
                    "",  # telephone
                    demandeur.telephone,  # telephone_portable
                    demandeur.email,  # email
                    str(menage.enfants_a_naitre),  # enfants_a_naitre
                    situation["statut"],  # statut_occupation
                    jour(depot - timedelta(days=entier(a, 60, 4000))),  # occupation_depuis
                    situation["categorie_actuelle"],  # categorie_actuelle
                    nombre(situation["pieces"]),  # pieces_actuelles
                    nombre(situation["surface"]),  # surface_actuelle
                    montant(situation["loyer"]),  # loyer_actuel
                    montant(situation["aides"]),  # aides_logement
                    nombre(situation["occupants"]),  # nb_occupants_actuels
                    "f",  # proprietaire_autre_logement
                    nombre(bailleur[0] if bailleur else None),  # bailleur_actuel_id
                    tableau(situation["motifs"]),  # motifs
                    "",  # motif_precision
                    tableau(typologies),  # typologies
                    situation["categorie"],  # categorie_recherchee
                    booleen(a.random() < 0.3),  # parking
                    booleen(situation["handicap"] and a.random() < 0.6),  # rez_de_chaussee
                    booleen(not situation["handicap"] and a.random() < 0.8),  # sans_ascenseur_accepte
                    booleen(situation["handicap"] and a.random() < 0.5),  # adapte_handicap
                    montant(loyer_max),  # loyer_max
                    "",  # complement
                    valeurs["nature"],  # nature
                    str(valeurs["categorie_menage"]),  # categorie_menage
                    str(valeurs["nb_personnes"]),  # nb_personnes
                    booleen(valeurs["mutation"]),  # mutation
                    horodatage(depot, a),  # created_at
                    horodatage(dernier_evt, a),  # updated_at
                )
            )
            + "\n"
        )
        # --- Ménage
        for rang, pers in enumerate(menage.personnes):
            pid = self.prochain_id("personne")
            lot.personnes.append(
                "\t".join(
                    (
                        str(pid),
                        str(demande_id),
                        pers.role,
                        str(rang),
                        pers.civilite,
                        pers.sexe,
                        texte(pers.nom),
                        texte(pers.nom_naissance),
                        texte(pers.prenom),
                        pers.date_naissance.isoformat(),
                        pers.nationalite,
                        pers.situation_familiale,
                        pers.lien_parente,
                        booleen(pers.a_charge),
                        booleen(pers.handicap),
                        pers.telephone,
                        pers.email,
                        texte(pers.profession),
                        pers.activite,
                        booleen(pers.cdd_interim),
                        jour(pers.activite_depuis),
                        NUL,
                        pers.csp,
                        texte(pers.employeur),
                        pers.employeur_siret,
                        "",
                        pers.travail_cp,
                        texte(pers.travail_ville),
                        montant(pers.revenu_fiscal),
                        NUL,
                    )
                )
                + "\n"
            )
            vus = set()
            for type_, valeur in pers.ressources:
                if type_ in vus:
                    continue
                vus.add(type_)
                lot.ressources.append(
                    "\t".join((str(self.prochain_id("ressource")), str(pid), type_, f"{valeur:.2f}")) + "\n"
                )
            if pers.role in ROLES_DEMANDEURS:
                nom_n, nom_p = cles_nom(pers.nom)
                prenom_n, prenom_p = cles_nom(pers.prenom)
                lot.cles.append(
                    "\t".join(
                        (
                            str(self.prochain_id("cle")),
                            str(demande_id),
                            pers.role,
                            nom_n,
                            prenom_n,
                            nom_p,
                            prenom_p,
                            pers.date_naissance.isoformat(),
                            nom_naissance_cle(pers.nom, pers.nom_naissance),
                            sexe_cle(pers.sexe, pers.civilite),
                        )
                    )
                    + "\n"
                )
        # --- Localisations
        for rang, ((commune, quartier), anciennete) in enumerate(zip(localisations, anciennetes, strict=True), 1):
            lot.localisations.append(
                f"{self.prochain_id('localisation')}\t{demande_id}\t{rang}\t{commune}\t{nombre(quartier)}\t"
                f"{anciennete.isoformat()}\n"
            )
        # --- Historique (ordre des dates ; à date égale, ordre de fabrication)
        evenements = vie.evenements
        evenements.sort(key=lambda e: e[0])
        for jour_, heure, type_, precisions, details, avant, apres, auteur, organisme in evenements:
            moment = f"{jour_.isoformat()} {heure}+00" if heure else horodatage(jour_, a)
            lot.evenements.append(
                f"{self.prochain_id('evenement')}\t{demande_id}\t{type_}\t{moment}\t{texte(precisions)}\t"
                f"{details if details.__class__ is str else en_json(details)}\t{avant}\t{apres}\t{NUL}\t"
                f"{nombre(organisme)}\t{texte(auteur)}\n"
            )
        b = self.bilan
        b.demandes += 1
        b.personnes += len(menage.personnes)
        b.localisations += len(localisations)
        b.evenements += len(evenements)
        if vie.etat == Etat.ACTIVE:
            b.actives += 1
        elif vie.etat == Etat.SATISFAITE:
            b.satisfaites += 1
        else:
            b.annulees += 1
        return demande_id, menage, localisations

    # ------------------------------------------------------------ doublons semés

    def _doublon(self, a: random.Random, lot: Lot, type_: str, originale: int, menage: Menage, localisations, depot):
        nouvelles = [x.copie() for x in menage.personnes]
        d = nouvelles[0]
        if type_ == TypeDoublon.FAUTE_FRAPPE:
            if a.random() < 0.7 or len(d.prenom) < 4:
                d.nom = faute(a, d.nom)
            else:
                d.prenom = faute(a, d.prenom)
        elif type_ == TypeDoublon.INVERSION:
            d.nom, d.prenom = d.prenom, d.nom
        elif type_ == TypeDoublon.ACCENTS:
            d.nom, d.prenom = sans_accents(d.nom), sans_accents(d.prenom)
        elif type_ == TypeDoublon.DATE_INVERSEE:
            d.date_naissance = date(d.date_naissance.year, d.date_naissance.day, d.date_naissance.month)
        elif type_ == TypeDoublon.NOM_NAISSANCE:
            d.nom, d.nom_naissance = d.nom_naissance, ""
        elif type_ == TypeDoublon.TRANSLITTERATION:
            d.nom, d.prenom = AUTRE_FORME.get(d.nom, d.nom), AUTRE_FORME[d.prenom]
        elif type_ == TypeDoublon.JUMEAUX:
            # Un autre ménage : le jumeau seul, de l'autre sexe, au prénom voisin.
            d.sexe = Sexe.MASCULIN if d.sexe == Sexe.FEMININ else Sexe.FEMININ
            d.civilite = Civilite.MADAME if d.sexe == Sexe.FEMININ else Civilite.MONSIEUR
            d.prenom, d.nom_naissance, d.situation_familiale = JUMEAU[d.prenom], "", SituationFamiliale.CELIBATAIRE
            nouvelles = [d]
        elif type_ == TypeDoublon.PARENT_ENFANT:
            # L'enfant devenu adulte, du même nom et prénom, né le même jour de l'année, 20 ou 30 ans plus tard :
            # un seul chiffre de l'année diffère (1956 → 1986).
            n = d.date_naissance
            d.date_naissance = date(n.year + (30 if n.year < 1960 else 20), n.month, n.day)
            d.nom_naissance, d.situation_familiale = "", SituationFamiliale.CELIBATAIRE
            nouvelles = [d]
        else:
            c = next(x for x in nouvelles if x.role == Role.CODEMANDEUR)
            c.role, c.lien_parente = Role.DEMANDEUR, ""
            enfants = [x for x in nouvelles if x.role == Role.OCCUPANT]
            nouvelles = [c] + enfants
        autre = Menage(nouvelles, menage.forme, menage.enfants_a_naitre)
        autre.statut_occupation = menage.statut_occupation
        duree = max(1, (self.aujourd_hui - depot).days)
        depot_doublon = depot + timedelta(days=entier(a, 0, duree))
        guichet = self.ctx.guichets[int(a.random() * len(self.ctx.guichets))]
        doublon_id, _, _ = self.demande(
            a, lot, depot=depot_doublon, menage=autre, localisations=localisations, guichet=guichet
        )
        lot.doublons.append(f"{self.prochain_id('doublon')}\t{originale}\t{doublon_id}\t{type_}\n")
        self.bilan.doublons += 1

    def preparer_original(self, a: random.Random, type_: str, menage: Menage) -> None:
        """L'original que le doublon semé suppose : accentué, né un jour ≤ 12 (jour et mois inversables),
        femme sous son nom d'usage, prénom translittéré, prénom de jumeau, parent né en 1950–1969."""
        d = menage.personnes[0]
        if type_ == TypeDoublon.ACCENTS and not a_des_accents(d.nom + d.prenom):
            d.prenom = parmi(a, self.menages.prenoms_accentues[d.sexe])
        elif type_ == TypeDoublon.DATE_INVERSEE:
            n = d.date_naissance
            if n.day > 12 or n.day == n.month:
                d.date_naissance = date(n.year, n.month, parmi(a, [j for j in range(1, 13) if j != n.month]))
        elif type_ == TypeDoublon.NOM_NAISSANCE and not d.nom_naissance:
            if d.sexe != Sexe.FEMININ:
                d.sexe, d.civilite, d.prenom = Sexe.FEMININ, Civilite.MADAME, self.menages.prenom(a, Sexe.FEMININ)
            d.nom_naissance = d.nom
            while d.nom == d.nom_naissance:
                d.nom = self.menages.noms(a)
        elif type_ == TypeDoublon.TRANSLITTERATION:
            d.prenom = parmi(a, TRANSLITTERATIONS[d.sexe])[0]
            if a.random() < 0.4:
                d.nom = parmi(a, NOMS_TRANSLITTERES)[0]
        elif type_ == TypeDoublon.JUMEAUX:
            f, m = parmi(a, JUMEAUX)
            d.prenom = f if d.sexe == Sexe.FEMININ else m
        elif type_ == TypeDoublon.PARENT_ENFANT:
            n = d.date_naissance
            d.date_naissance = date(entier(a, 1950, 1969), n.month, min(n.day, 28))

    # ------------------------------------------------------------ plan des lots

    def lot(self, numero: int, actives: int, satisfaites: int, annulees: int) -> Lot:
        a = random.Random(f"{self.p.graine}-{self.ids['demande']}-{numero}")
        lot = Lot()
        restantes = actives
        types_simples = [t.value for t in TypeDoublon if t != TypeDoublon.CODEMANDEUR_SEUL]
        while restantes > 0:
            depot = self._anciennete_active(a)
            if restantes >= 2 and a.random() < self.p.part_doublons:
                menage = self.menages.menage(a, depot)
                couple = any(x.role == Role.CODEMANDEUR for x in menage.personnes)
                type_ = parmi(a, types_simples + ([TypeDoublon.CODEMANDEUR_SEUL.value] if couple else []))
                self.preparer_original(a, type_, menage)
                originale, menage, localisations = self.demande(a, lot, depot=depot, menage=menage)
                self._doublon(a, lot, type_, originale, menage, localisations, depot)
                restantes -= 2
            else:
                self.demande(a, lot, depot=depot)
                restantes -= 1
        fenetre = (self.aujourd_hui - self.debut_fenetre).days
        moyenne = self.p.delai_moyen_mois * 30.44
        for _ in range(satisfaites):
            fin = self.debut_fenetre + timedelta(days=entier(a, 0, fenetre - 1))
            delai = min(max(31, int(a.gammavariate(2.0, moyenne / 2.0))), 365 * 12)
            self.demande(a, lot, depot=fin - timedelta(days=delai), fin_de_vie=historique.SATISFAIRE, fin=fin)
        M = MotifAnnulation
        for _ in range(annulees):
            r = a.random()
            motif = (
                M.NON_RENOUVELLEMENT
                if r < 0.76
                else M.RENONCIATION
                if r < 0.94
                else M.NON_REPONSE
                if r < 0.98
                else M.IRRECEVABILITE
            )
            if motif == M.NON_RENOUVELLEMENT:
                depot, fin = self._vie_non_renouvelee(a, fenetre)
                action = historique.ANNULER_NON_RENOUVELLEMENT
            else:
                fin = self.debut_fenetre + timedelta(days=entier(a, 0, fenetre - 1))
                depot = fin - timedelta(days=entier(a, 60, 1100))
                action = historique.ANNULER
            self.demande(a, lot, depot=depot, fin_de_vie=action, fin=fin, motif_annulation=motif)
        return lot

    def _vie_non_renouvelee(self, a: random.Random, fenetre: int) -> tuple[date, date]:
        """Dépôt et fin visée : 1 à 4 ans de validité ; ``demande`` recale la fin sur l'échéance."""
        r = a.random()
        annees = 1 if r < 0.6 else 2 if r < 0.85 else 3 if r < 0.95 else 4
        fin_visee = self.debut_fenetre + timedelta(days=entier(a, 0, fenetre - 1))
        depot = ajouter_mois(fin_visee, -self.ctx.validite_mois * annees) + timedelta(days=entier(a, 0, 20))
        return depot, fin_visee
