"""Les critères de la recherche de candidats d'une vacance, chacun écrit une fois sous ses deux formes.

Un ``Critere`` porte sa condition SQL sur une ligne de rapprochement (alias
``l``, table ``instruction_lignecandidat``) et sa twin Python : la raison, en
français et chiffrée, pour laquelle une ligne ne la remplit pas (``None`` si
elle la remplit). La liste des candidats (``recherche_sql``) applique les
conditions SQL ; l'explication d'une exclusion (``explication``) applique les
raisons Python aux mêmes lignes : le test d'accord
(tests/instruction/rapprochement/test_accord.py) vérifie qu'une demande est
soit dans la liste, soit exclue pour au moins une raison, jamais les deux.

Critères de la vacance (toujours appliqués) : commune, quartier, typologie,
catégorie, occupation (paramètres datés ``occupation_min_<T>`` et
``occupation_max_<T>``), plafond de ressources du financement pour la
catégorie du ménage (RFR N-2, ou N-1 après une baisse d'au moins 10 %),
accès (étage, ascenseur, accessibilité), contingent du réservataire dont c'est
le tour. Filtres de l'agent (écran Imhoweb « Recherche demandeur », seed 004) :
voir ``forms.FiltresCandidats``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Q

from demandes.dossier import choix, reglementaire
from demandes.dossier.normalisation import normaliser_nom
from demandes.models import Demande, TypeLabel
from instruction.rapprochement.models import LONGUEUR_PREFIXE_NOM
from offre.models import Accessibilite, Disponibilite, Financement

EURO = Decimal("1")
CENT = Decimal("100")
FINANCEMENTS_PLAFONNES = (Financement.PLAI, Financement.PLUS, Financement.PLS)
LIBELLES_TYPOLOGIES = dict(choix.Typologie.choices)
LIBELLES_NATURES = dict(choix.NatureDemande.choices)
LIBELLES_STATUTS = dict(choix.StatutOccupation.choices)
LIBELLES_ACTIVITES = dict(choix.Activite.choices)
# Filtre « facilités d'accès » : colonne de la ligne, condition SQL, raison quand la demande n'a pas ce besoin.
BESOINS = {
    "rez_de_chaussee": ("rez_de_chaussee", "l.rez_de_chaussee", "n'exige pas de rez-de-chaussée (filtre)"),
    "ascenseur": (
        "sans_ascenseur_accepte",
        "NOT l.sans_ascenseur_accepte",
        "accepte un étage sans ascenseur (filtre)",
    ),
    "adapte_handicap": ("adapte_handicap", "l.adapte_handicap", "sans besoin d'un logement adapté (filtre)"),
}


def euros(montant) -> str:
    """« 37 584 € » : montant arrondi à l'euro, espaces fines insécables entre milliers."""
    return f"{Decimal(montant).quantize(EURO):,.0f}".replace(",", "\u202f") + "\u00a0€"


def points_de(ligne) -> str:
    if ligne.points is None:
        return "aucun point"
    return f"{ligne.points} point{'s' if abs(ligne.points) > 1 else ''}"


def personnes(n: int) -> str:
    return f"{n} personne{'s' if n > 1 else ''}"


@dataclass(frozen=True)
class Critere:
    code: str
    sql: str
    params: tuple
    raison: Callable  # (ligne: LigneCandidat, demande: Demande) -> str | None


@dataclass
class Recherche:
    """Une recherche de candidats : la vacance, la date, les critères et les avertissements à afficher."""

    disponibilite: Disponibilite
    le: date
    criteres: list[Critere] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    plafond_sql: str | None = None
    plafond_params: tuple = ()
    plafonds: dict[int, Decimal] = field(default_factory=dict)
    financement: str = ""
    # Début de nom de ``LONGUEUR_PREFIXE_NOM`` lettres cherché : les candidats se lisent dans l'ordre du
    # classement parmi les seuls noms qui commencent ainsi (``recherche_sql``, index ``candidat_prefixe_*``).
    prefixe_nom: str = ""

    @property
    def logement(self):
        return self.disponibilite.logement

    @property
    def commune_id(self) -> str:
        return self.logement.commune_id

    def where(self, *, sauf: str = "") -> tuple[str, list]:
        """Conditions SQL réunies (``AND``) et leurs paramètres, dans l'ordre ; ``sauf`` : le code d'un critère
        que la requête assure autrement (le nom, par le début de nom indexé)."""
        criteres = [c for c in self.criteres if c.code != sauf]
        if not criteres:
            return "true", []
        params: list = []
        for critere in criteres:
            params.extend(critere.params)
        return " AND ".join(f"({c.sql})" for c in criteres), params

    def raisons(self, ligne, demande) -> list[str]:
        return [r for r in (c.raison(ligne, demande) for c in self.criteres) if r]

    def plafond_de(self, rang: int) -> Decimal | None:
        """Plafond annuel du financement pour ``rang`` (6 + k : catégorie 6 plus k personnes supplémentaires)."""
        if rang <= 6:
            return self.plafonds.get(rang)
        base = self.plafonds.get(6)
        if base is None:
            return None
        return base + self.plafonds.get(reglementaire.CATEGORIE_PERSONNE_SUPPLEMENTAIRE, Decimal(0)) * (rang - 6)

    def ajouter(self, code: str, sql: str, params: tuple, raison: Callable) -> None:
        self.criteres.append(Critere(code, sql, params, raison))


# ---------------------------------------------------------------- critères de la vacance


def _quartier(r: Recherche) -> None:
    logement = r.logement
    if not logement.quartier_id:
        return
    nom = logement.quartier.nom

    def raison(ligne, demande):
        if not ligne.quartiers or logement.quartier_id in ligne.quartiers:
            return None
        return f"quartier {nom} non demandé (la demande ne retient que certains quartiers de la commune)"

    r.ajouter("quartier", "cardinality(l.quartiers) = 0 OR %s = ANY(l.quartiers)", (logement.quartier_id,), raison)


def _typologie(r: Recherche, typologies: list[str]) -> None:
    libelle = " ou ".join(typologies)

    def raison(ligne, demande):
        if not ligne.typologies or set(ligne.typologies) & set(typologies):
            return None
        return f"typologie {libelle} non demandée (demande : {', '.join(ligne.typologies)})"

    r.ajouter(
        "typologie", "cardinality(l.typologies) = 0 OR l.typologies && %s::varchar[]", (list(typologies),), raison
    )


def _categorie(r: Recherche) -> None:
    categorie = r.logement.categorie
    libelle = r.logement.get_categorie_display().lower()

    def raison(ligne, demande):
        if ligne.categorie_recherchee in (choix.CategorieRecherchee.INDIFFERENT, categorie):
            return None
        recherchee = choix.CategorieRecherchee(ligne.categorie_recherchee).label.lower()
        return f"{libelle} non recherchée (la demande cherche : {recherchee})"

    r.ajouter("categorie", "l.categorie_recherchee IN ('indifferent', %s)", (categorie,), raison)


def _occupation(r: Recherche) -> None:
    typologie = r.logement.typologie
    minimum = reglementaire.valeur_parametre(f"occupation_min_{typologie}", r.le)
    maximum = reglementaire.valeur_parametre(f"occupation_max_{typologie}", r.le)
    if minimum is None or maximum is None:
        r.avertissements.append(
            f"Règle d'occupation d'un {typologie} non chargée à cette date : taille du ménage non vérifiée."
        )
        return

    def raison(ligne, demande):
        n = ligne.nb_personnes
        if n > maximum:
            return f"ménage de {personnes(n)} : sur-occupation d'un {typologie} ({personnes(maximum)} au plus)"
        if n < minimum:
            return f"ménage de {personnes(n)} : sous-occupation d'un {typologie} ({personnes(minimum)} au moins)"
        return None

    r.ajouter("occupation", "l.nb_personnes BETWEEN %s AND %s", (minimum, maximum), raison)


def _ressources(r: Recherche) -> None:
    financement = r.logement.financement
    r.financement = financement
    if financement not in FINANCEMENTS_PLAFONNES:
        r.avertissements.append(f"Financement {financement} : plafonds de ressources non vérifiés.")
        return
    zone = reglementaire.zone_de(r.logement.commune)
    annee = r.le.year
    plafonds = {c: reglementaire.plafond(financement, c, annee, zone) for c in range(1, 7)}
    if any(v is None for v in plafonds.values()):
        r.avertissements.append(
            f"Plafonds {financement} {annee} non chargés (administration) : ressources non vérifiées."
        )
        return
    # Catégorie 7 en base = montant par personne au-delà de la 6e ; ``plafond(…, 7, …)`` = catégorie 6 + 1 personne.
    sept = reglementaire.plafond(financement, 7, annee, zone)
    supplement = sept - plafonds[6] if sept is not None else Decimal(0)
    r.plafonds = {**plafonds, reglementaire.CATEGORIE_PERSONNE_SUPPLEMENTAIRE: supplement}
    r.plafond_sql = (
        "(CASE WHEN l.rang_plafond <= 6 THEN (%s::numeric[])[l.rang_plafond] ELSE %s + %s * (l.rang_plafond - 6) END)"
    )
    r.plafond_params = ([plafonds[c] for c in range(1, 7)], plafonds[6], supplement)

    def raison(ligne, demande):
        if ligne.revenu is None:
            return f"revenu fiscal de référence non renseigné : plafond {financement} non vérifiable"
        plafond = r.plafond_de(ligne.rang_plafond)
        if ligne.revenu <= plafond:
            return None
        # Arrondi au point le plus proche, 1 % au moins : un euro au-dessus n'affiche jamais « 0 % au-dessus ».
        ecart = max(((ligne.revenu - plafond) * CENT / plafond).quantize(EURO, rounding=ROUND_HALF_UP), EURO)
        annee_revenu = annee - (1 if ligne.revenu_n1 else 2)
        return (
            f"ressources {ecart} % au-dessus du plafond {financement} catégorie {ligne.rang_plafond} "
            f"(revenu fiscal {annee_revenu} : {euros(ligne.revenu)} pour un plafond {annee} de {euros(plafond)})"
        )

    r.ajouter("ressources", f"l.revenu IS NOT NULL AND l.revenu <= {r.plafond_sql}", r.plafond_params, raison)


def _acces(r: Recherche) -> None:
    logement = r.logement
    if logement.etage > 0:
        etage = logement.libelle_etage

        def raison_rdc(ligne, demande):
            return f"exige un rez-de-chaussée (logement au {etage})" if ligne.rez_de_chaussee else None

        r.ajouter("rez_de_chaussee", "NOT l.rez_de_chaussee", (), raison_rdc)
        if not logement.ascenseur:

            def raison_ascenseur(ligne, demande):
                if ligne.sans_ascenseur_accepte:
                    return None
                return f"n'accepte pas un étage sans ascenseur (logement au {etage}, sans ascenseur)"

            r.ajouter("ascenseur", "l.sans_ascenseur_accepte", (), raison_ascenseur)
    if logement.accessibilite != Accessibilite.ADAPTE:
        niveau = logement.get_accessibilite_display() or "non accessible"

        def raison_handicap(ligne, demande):
            if not ligne.adapte_handicap:
                return None
            return f"a besoin d'un logement adapté au handicap (logement : {niveau.lower()})"

        r.ajouter("handicap_logement", "NOT l.adapte_handicap", (), raison_handicap)


def types_du_reservataire(reservataire) -> list[TypeLabel]:
    """Labels qui ouvrent le contingent d'un réservataire : ceux dont il est propriétaire, et ceux que posent
    les organismes de son type quand ils n'ont pas de propriétaire (contingent préfectoral pour l'État)."""
    return list(
        TypeLabel.objects.filter(actif=True)
        .filter(
            Q(organisme_proprietaire=reservataire)
            | Q(organisme_proprietaire__isnull=True, type_organisme_autorise=reservataire.type)
        )
        .order_by("pk")
    )


def _reservataire(r: Recherche) -> None:
    reservataire = r.disponibilite.reservataire
    if reservataire is None:
        return
    types = types_du_reservataire(reservataire)
    ids = [t.pk for t in types]
    nom = reservataire.nom
    if not ids:
        r.avertissements.append(f"Aucun label ne désigne le contingent de {nom} : aucun candidat possible.")

    def raison(ligne, demande):
        if set(ligne.labels) & set(ids):
            return None
        return f"hors du contingent de {nom}, dont c'est le tour (aucun de ses labels sur la demande)"

    r.ajouter("reservataire", "l.labels && %s::bigint[]", (ids,), raison)


# ---------------------------------------------------------------- filtres de l'agent (seed 004)


def _filtres(r: Recherche, f: dict) -> None:  # noqa: C901 (une branche par filtre, lisible ainsi)
    logement = r.logement
    if f.get("quartier_seul") and logement.quartier_id:
        nom = logement.quartier.nom

        def raison_quartier(ligne, demande):
            if logement.quartier_id in ligne.quartiers:
                return None
            return f"n'a pas choisi le quartier {nom} (filtre : quartier choisi)"

        r.ajouter("quartier_seul", "%s = ANY(l.quartiers)", (logement.quartier_id,), raison_quartier)
    if f.get("categories"):
        categories = list(f["categories"])

        def raison_categories(ligne, demande):
            if ligne.categorie_recherchee in categories:
                return None
            recherchee = choix.CategorieRecherchee(ligne.categorie_recherchee).label.lower()
            return f"catégorie recherchée : {recherchee} (filtre)"

        r.ajouter("categories", "l.categorie_recherchee = ANY(%s::varchar[])", (categories,), raison_categories)
    for besoin in f.get("besoins") or ():
        colonne, sql, texte = BESOINS[besoin]

        def raison_besoin(ligne, demande, colonne=colonne, texte=texte):
            return None if getattr(ligne, colonne) == (colonne != "sans_ascenseur_accepte") else texte

        r.ajouter(f"besoin_{besoin}", sql, (), raison_besoin)
    if f.get("rang_max"):
        rang_max = f["rang_max"]

        def raison_rang(ligne, demande):
            if ligne.rang <= rang_max:
                return None
            return f"commune en choix n° {ligne.rang} (filtre : choix n° {rang_max} au plus)"

        r.ajouter("rang_max", "l.rang <= %s", (rang_max,), raison_rang)
    if f.get("natures"):
        natures = list(f["natures"])

        def raison_nature(ligne, demande):
            if ligne.nature in natures:
                return None
            return f"nature du ménage : {LIBELLES_NATURES.get(ligne.nature, 'non précisée').lower()} (filtre)"

        r.ajouter("natures", "l.nature = ANY(%s::varchar[])", (natures,), raison_nature)
    if f.get("contingent"):
        type_label = f["contingent"]

        def raison_label(ligne, demande):
            return None if type_label.pk in ligne.labels else f"sans le label « {type_label.libelle} » (filtre)"

        r.ajouter("contingent", "%s = ANY(l.labels)", (type_label.pk,), raison_label)
    if f.get("propositions_max") is not None:
        plafond_propositions = f["propositions_max"]

        def raison_propositions(ligne, demande):
            if ligne.nb_propositions < plafond_propositions:
                return None
            n = ligne.nb_propositions
            pluriel = "s" if n > 1 else ""
            return f"{n} proposition{pluriel} déjà reçue{pluriel} (filtre : moins de {plafond_propositions})"

        r.ajouter("propositions_max", "l.nb_propositions < %s", (plafond_propositions,), raison_propositions)
    if f.get("depot_du"):
        du = f["depot_du"]

        def raison_du(ligne, demande):
            return (
                None
                if ligne.date_depot >= du
                else f"déposée le {ligne.date_depot:%d/%m/%Y} (filtre : depuis le {du:%d/%m/%Y})"
            )

        r.ajouter("depot_du", "l.date_depot >= %s", (du,), raison_du)
    if f.get("depot_au"):
        au = f["depot_au"]

        def raison_au(ligne, demande):
            return (
                None
                if ligne.date_depot <= au
                else f"déposée le {ligne.date_depot:%d/%m/%Y} (filtre : jusqu'au {au:%d/%m/%Y})"
            )

        r.ajouter("depot_au", "l.date_depot <= %s", (au,), raison_au)
    if f.get("points_min") is not None:
        pmin = f["points_min"]

        def raison_pmin(ligne, demande):
            if ligne.points is not None and ligne.points >= pmin:
                return None
            return f"{points_de(ligne)} de cotation (filtre : {pmin} au moins)"

        r.ajouter("points_min", "l.points >= %s", (pmin,), raison_pmin)
    if f.get("points_max") is not None:
        pmax = f["points_max"]

        def raison_pmax(ligne, demande):
            if ligne.points is not None and ligne.points <= pmax:
                return None
            return f"{points_de(ligne)} de cotation (filtre : {pmax} au plus)"

        r.ajouter("points_max", "l.points <= %s", (pmax,), raison_pmax)
    if f.get("statut_occupation"):
        statut = f["statut_occupation"]

        def raison_statut(ligne, demande):
            if ligne.statut_occupation == statut:
                return None
            actuel = LIBELLES_STATUTS.get(ligne.statut_occupation, "non renseigné")
            return f"logement actuel : {actuel.lower()} (filtre)"

        r.ajouter("statut_occupation", "l.statut_occupation = %s", (statut,), raison_statut)
    if f.get("activite"):
        activite = f["activite"]

        def raison_activite(ligne, demande):
            if ligne.activite == activite:
                return None
            return (
                f"activité du demandeur : {LIBELLES_ACTIVITES.get(ligne.activite, 'non renseignée').lower()} (filtre)"
            )

        r.ajouter("activite", "l.activite = %s", (activite,), raison_activite)
    if f.get("handicap"):

        def raison_handicap(ligne, demande):
            return None if ligne.handicap else "aucune personne du ménage en situation de handicap (filtre)"

        r.ajouter("handicap", "l.handicap", (), raison_handicap)
    if f.get("parking"):
        parking = f["parking"] == "oui"

        def raison_parking(ligne, demande):
            if ligne.parking == parking:
                return None
            return "souhaite un parking (filtre)" if ligne.parking else "ne souhaite pas de parking (filtre)"

        r.ajouter("parking", "l.parking = %s", (parking,), raison_parking)
    if f.get("ressources_min") is not None:
        rmin = f["ressources_min"]

        def raison_rmin(ligne, demande):
            if ligne.ressources_mensuelles >= rmin:
                return None
            return f"ressources mensuelles de {euros(ligne.ressources_mensuelles)} (filtre : {euros(rmin)} au moins)"

        r.ajouter("ressources_min", "l.ressources_mensuelles >= %s", (rmin,), raison_rmin)
    if f.get("ressources_max") is not None:
        rmax = f["ressources_max"]

        def raison_rmax(ligne, demande):
            if ligne.ressources_mensuelles <= rmax:
                return None
            return f"ressources mensuelles de {euros(ligne.ressources_mensuelles)} (filtre : {euros(rmax)} au plus)"

        r.ajouter("ressources_max", "l.ressources_mensuelles <= %s", (rmax,), raison_rmax)
    _filtres_plafond(r, f)
    _filtres_loyer(r, f)
    if f.get("nom"):
        debut = normaliser_nom(f["nom"])
        motif = debut.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

        def raison_nom(ligne, demande):
            if ligne.nom_demandeur.startswith(debut) or ligne.nom_codemandeur.startswith(debut):
                return None
            return f"nom {demande.nom.upper()} (filtre : « {debut}… », demandeur ou co-demandeur)"

        # Noms normalisés des titulaires recopiés des clés d'identité (migration instruction 0004) : les
        # index ``candidat_nom`` et ``candidat_nom_codemandeur`` (commune, nom) servent le préfixe ; un début de
        # trois lettres se lit dans l'ordre du classement (``recherche_sql._base``, index ``candidat_prefixe_*``).
        if len(debut) == LONGUEUR_PREFIXE_NOM:
            r.prefixe_nom = debut
        r.ajouter(
            "nom",
            "(l.nom_demandeur LIKE %s OR (l.nom_codemandeur <> '' AND l.nom_codemandeur LIKE %s))",
            (motif, motif),
            raison_nom,
        )


def _filtres_plafond(r: Recherche, f: dict) -> None:
    """Ressources en pourcentage du plafond du financement (« Plafond Mini. % Maxi. % » du seed 004)."""
    for cle, signe, libelle in (("pct_plafond_min", ">=", "au moins"), ("pct_plafond_max", "<=", "au plus")):
        pct = f.get(cle)
        if pct is None or r.plafond_sql is None:
            continue

        def raison(ligne, demande, pct=pct, signe=signe, libelle=libelle):
            if ligne.revenu is None:
                return f"revenu fiscal non renseigné (filtre : {pct} % du plafond {libelle})"
            plafond = r.plafond_de(ligne.rang_plafond)
            ok = ligne.revenu * CENT >= pct * plafond if signe == ">=" else ligne.revenu * CENT <= pct * plafond
            if ok:
                return None
            taux = (ligne.revenu * CENT / plafond).quantize(EURO)
            return f"ressources à {taux} % du plafond {r.financement} (filtre : {pct} % {libelle})"

        r.ajouter(
            cle,
            f"l.revenu IS NOT NULL AND l.revenu * 100 {signe} %s * {r.plafond_sql}",
            (pct, *r.plafond_params),
            raison,
        )


def _filtres_loyer(r: Recherche, f: dict) -> None:
    """Loyer : le maximum souhaité par le demandeur, et le taux d'effort si l'agent le demande."""
    loyer = r.logement.loyer_total
    if f.get("loyer_souhaite"):

        def raison_loyer(ligne, demande):
            if ligne.loyer_max is None or ligne.loyer_max >= loyer:
                return None
            return f"loyer de {euros(loyer)} charges comprises au-dessus du maximum souhaité ({euros(ligne.loyer_max)})"

        r.ajouter("loyer_souhaite", "l.loyer_max IS NULL OR l.loyer_max >= %s", (loyer,), raison_loyer)
    if f.get("taux_effort_max"):
        taux = f["taux_effort_max"]

        def raison_effort(ligne, demande):
            if ligne.ressources_mensuelles > 0 and loyer * CENT <= taux * ligne.ressources_mensuelles:
                return None
            if ligne.ressources_mensuelles <= 0:
                return f"aucune ressource mensuelle déclarée : taux d'effort non calculable (filtre : {taux} % au plus)"
            effort = (loyer * CENT / ligne.ressources_mensuelles).quantize(EURO, rounding=ROUND_CEILING)
            return (
                f"taux d'effort de {effort} % ({euros(loyer)} pour {euros(ligne.ressources_mensuelles)} "
                f"de ressources mensuelles ; filtre : {taux} % au plus)"
            )

        r.ajouter(
            "taux_effort_max",
            "l.ressources_mensuelles > 0 AND %s * 100 <= %s * l.ressources_mensuelles",
            (loyer, taux),
            raison_effort,
        )


def construire(disponibilite: Disponibilite, filtres: dict | None = None, *, le: date) -> Recherche:
    """La recherche de candidats de ``disponibilite`` à la date ``le``, avec les filtres validés de l'agent."""
    filtres = filtres or {}
    r = Recherche(disponibilite=disponibilite, le=le)
    _quartier(r)
    _typologie(r, list(filtres.get("typologies") or [r.logement.typologie]))
    _categorie(r)
    _occupation(r)
    _ressources(r)
    _acces(r)
    _reservataire(r)
    _filtres(r, filtres)
    return r


def raison_etat(demande: Demande) -> str | None:
    """Une demande qui n'est pas active n'est candidate à rien : la raison, avec sa date."""
    if demande.etat == Demande.Etat.ACTIVE:
        return None
    fin = f" le {demande.date_fin:%d/%m/%Y}" if demande.date_fin else ""
    if demande.etat == Demande.Etat.ANNULEE:
        return f"demande radiée (annulée{fin})"
    if demande.etat == Demande.Etat.SATISFAITE:
        return f"demande satisfaite{fin}"
    return f"demande non enregistrée au fichier ({demande.get_etat_display().lower()})"
