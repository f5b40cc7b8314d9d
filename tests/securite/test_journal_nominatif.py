"""Chaque page nominative écrit au journal une ligne par demande montrée (issue 15, points 2 et 3).

Le test parcourt **toutes les routes de l'URLconf** (``get_resolver``) : une
route est soit dans la liste relue des routes non nominatives ci-dessous, soit
nominative ; une route qui n'est ni l'une ni l'autre fait échouer le test
(``test_chaque_route_est_classee``). Chaque route nominative est demandée par
chaque rôle (agent de guichet, instructeur d'un bailleur, réservataire,
observateur, administrateur du gestionnaire, demandeur), en page entière et en
fragment htmx, avec des identifiants de son territoire puis d'ailleurs :

- les demandes montrées sont celles dont le nom ou le numéro unique se lit dans
  la réponse (HTML, JSON, CSV, texte du PDF, cellules du XLSX) ;
- le journal doit avoir exactement une ligne par demande montrée ;
- hors du périmètre, rien ne se montre et, si la réponse est une 404 sur un
  objet qui existe, le journal a une ligne « refus » (point 3).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from demandes.doublons.models import SuspicionDoublon
from demandes.labels.models import Label, TypeLabel
from demandes.pieces import services as pieces
from fdls.audit.models import Consultation
from fdls.comptes.models import Role
from fdls.socle.workflow import Auteur
from instruction.commissions.models import Candidature, Commission, Examen, Seance
from instruction.propositions.models import Positionnement, Proposition, Visite
from tests.monde.factories import (
    AgentFactory,
    BailleurFactory,
    DemandeFactory,
    DemandeurFactory,
    DisponibiliteFactory,
    GuichetFactory,
    LogementFactory,
    OrganismeFactory,
    ProgrammeFactory,
    TOTPDeviceFactory,
    agent_bailleur,
)
from tests.monde.fichiers import PDF
from tests.monde.territoires import ville_de_reze

# ---------------------------------------------------------------- classement des routes

#: Routes sans donnée nominative d'une demande (relues une à une ; raison en regard).
NON_NOMINATIVES = {
    "socle:accueil": "compteurs agrégés",
    "socle:healthz": "sonde technique",
    "favicon": "icône du site",
    "socle:administration": "liens d'administration",
    "socle:section": "rubriques sans données",
    "comptes:connexion": "connexion",
    "comptes:second_facteur": "connexion",
    "comptes:activer_second_facteur": "connexion",
    "comptes:deconnexion": "connexion",
    "comptes:mot_de_passe_oublie": "connexion",
    "comptes:mot_de_passe_envoye": "connexion",
    "comptes:reinitialisation": "connexion",
    "comptes:reinitialisation_terminee": "connexion",
    "comptes:profil": "le compte de l'agent lui-même",
    "demandes:favoris": "recherches enregistrées de l'agent (noms et critères qu'il a tapés, aucune demande)",
    "demandes:enregistrer_favori": "recherches enregistrées de l'agent",
    "demandes:ouvrir_favori": "redirige vers la liste (journalisée, elle)",
    "demandes:renommer_favori": "recherches enregistrées de l'agent",
    "demandes:supprimer_favori": "recherches enregistrées de l'agent",
    "comptes:changement_mot_de_passe": "le compte de l'agent lui-même",
    "jetons:liste": "jetons de l'agent",
    "jetons:creer": "jetons de l'agent",
    "jetons:revoquer": "jetons de l'agent",
    "organismes:liste": "partenaires (pas de demandeurs)",
    "organismes:creer": "partenaires",
    "organismes:fiche": "partenaires",
    "organismes:modifier": "partenaires",
    "organismes:agents": "comptes des agents",
    "organismes:creer_agent": "comptes des agents",
    "organismes:desactiver_agent": "comptes des agents",
    "organismes:renvoyer_invitation": "comptes des agents",
    "organismes:reactiver_agent": "comptes des agents",
    "organismes:guichets": "guichets",
    "organismes:creer_guichet": "guichets",
    "organismes:modifier_guichet": "guichets",
    "audit:journal": "le journal lui-même (gestionnaire du fichier) : le lire n'est pas consulter une demande",
    "audit:export": "le journal lui-même",
    "offre:logements": "parc de logements (RPLS, public)",
    "offre:creer_logement": "parc",
    "offre:logement": "parc",
    "offre:modifier_logement": "parc",
    "offre:declarer_disponibilite": "parc",
    "offre:creer_programme": "parc",
    "offre:programme": "parc",
    "offre:modifier_programme": "parc",
    "offre:disponibilites": "parc",
    "offre:changer_etat_disponibilite": "parc",
    "offre:statistiques": "parc, agrégé",
    "observatoire:accueil": "observatoire : photos sans nom",
    "observatoire:indicateurs": "observatoire : agrégats",
    "observatoire:tableau": "observatoire : agrégats",
    "observatoire:compteurs": "observatoire : compteurs agrégés",
    "observatoire:pivot": "observatoire : agrégats",
    "observatoire:extraction": "observatoire : lignes de photo sans nom ni identifiant",
    "observatoire:export": "observatoire : état d'un export",
    "observatoire:export_fichier": "observatoire : lignes de photo sans nom ni identifiant",
    "observatoire:bilans": "observatoire : bilans agrégés",
    "observatoire:bilan_fichier": "observatoire : bilans agrégés",
    "observatoire:opendata": "observatoire : données ouvertes masquées",
    "observatoire:opendata_fichier": "observatoire : données ouvertes masquées",
    "offre:importer": "import du parc",
    "offre:modele_import": "import du parc",
    "offre:import": "import du parc",
    "offre:importer_valides": "import du parc",
    "cotation:grilles": "grilles de cotation",
    "cotation:creer": "grilles",
    "cotation:grille": "grilles",
    "cotation:modifier": "grilles",
    "cotation:nouvelle_version": "grilles",
    "cotation:programmer": "grilles",
    "cotation:annuler_programmation": "grilles",
    "cotation:archiver": "grilles",
    "cotation:ajouter_famille": "grilles",
    "cotation:modifier_famille": "grilles",
    "cotation:supprimer_famille": "grilles",
    "cotation:ajouter_critere": "grilles",
    "cotation:modifier_critere": "grilles",
    "cotation:supprimer_critere": "grilles",
    "cotation:livret": "livret public de la grille",
    "cotation:livret_pdf": "livret public de la grille",
    "cotation:lancer_impact": "étude d'impact, agrégée",
    "cotation:etude_impact": "étude d'impact, agrégée",
    "cotation:statut_impact": "étude d'impact, agrégée",
    "cotation:resultats_impact": "étude d'impact, agrégée",
    "cotation:export_impact": "étude d'impact, agrégée",
    "portail:connexion": "connexion du demandeur",
    "portail:accueil": "page publique du portail",
    "portail:eligibilite": "test d'éligibilité, rien n'est gardé",
    "portail:guichets": "annuaire public des guichets",
    "portail:chiffres": "chiffres clés publics, sous secret statistique",
    "portail:communes_suggerees": "référentiel géographique",
    "portail:inscription": "inscription du demandeur",
    "portail:inscription_envoyee": "inscription du demandeur",
    "portail:verification": "vérification de l'adresse du compte",
    "portail:nouveau_lien": "vérification de l'adresse du compte",
    "portail:rattacher": "formulaire du rattachement, même réponse que la demande existe ou non",
    "portail:confirmer_code": "formulaire du code de rattachement",
    "portail:preferences": "préférences de courriel du compte",
    "portail:depot": "nouvelle demande en ligne, vide",
    "v1:moi": "le compte lui-même",
    "v1:schema": "documentation de l'API",
    "v1:docs": "documentation de l'API",
    "v1:redoc": "documentation de l'API",
    "v1:api-root": "index de l'API",
    "v1:type-label-list": "référentiel des labels",
    "v1:programme-list": "parc",
    "v1:programme-detail": "parc",
    "v1:logement-list": "parc",
    "v1:logement-detail": "parc",
    "v1:disponibilite-list": "parc",
    "v1:disponibilite-detail": "parc",
    "v1:disponibilite-etat": "parc",
    "v1:import-logements-list": "import du parc",
    "v1:import-logements-detail": "import du parc",
    "v1:grille-cotation-list": "grilles",
    "v1:grille-cotation-detail": "grilles",
    "v1:departement-list": "référentiel géographique",
    "v1:departement-detail": "référentiel géographique",
    "v1:epci-list": "référentiel géographique",
    "v1:epci-detail": "référentiel géographique",
    "v1:commune-list": "référentiel géographique",
    "v1:commune-detail": "référentiel géographique",
    "v1:quartier-list": "référentiel géographique",
    "v1:quartier-detail": "référentiel géographique",
    "v1:organisme-list": "partenaires",
    "v1:organisme-detail": "partenaires",
    "v1:guichet-list": "guichets",
    "v1:guichet-detail": "guichets",
}

#: Routes de l'instruction d'une vacance : l'objet que désigne leur ``pk`` (``Jeu.instruire``).
ROUTES_INSTRUCTION = {
    "instruction:disponibilite": "disponibilite",
    "instruction:positionner": "disponibilite",
    "instruction:contacter_candidat": "disponibilite",
    "instruction:contacter": "positionnement",
    "instruction:retirer_positionnement": "positionnement",
    "instruction:proposer": "positionnement",
    "instruction:planifier_visite": "positionnement",
    "instruction:repondre_proposition": "proposition",
    "instruction:realiser_visite": "visite",
    "v1:disponibilite-positionnements": "disponibilite",
    "v1:positionnement-retrait": "positionnement",
    "v1:positionnement-contacts": "positionnement",
    "v1:positionnement-propositions": "positionnement",
    "v1:proposition-reponse": "proposition",
    # Commission d'attribution : la séance où la demande principale est examinée, sa candidature.
    "instruction:seance": "seance",
    "instruction:inscrire_logement": "seance",
    "instruction:clore_seance": "seance",
    "instruction:ouvrir_vote": "seance",
    "instruction:ordre_du_jour_pdf": "seance",
    "instruction:proces_verbal_pdf": "seance",
    "instruction:voter": "examen",
    "instruction:decider": "candidature",
    "instruction:repondre": "candidature",
    "instruction:lever_condition": "candidature",
    "instruction:signer_bail": "candidature",
    "instruction:lettre_pdf": "candidature",
    "v1:seance_ordre_du_jour": "seance",
    "v1:candidature_decision": "candidature",
    "v1:candidature_reponse": "candidature",
    "v1:candidature_condition": "candidature",
    "v1:candidature_bail": "candidature",
}

#: L'administration technique de Django : aucun modèle nominatif n'y est inscrit (vérifié ci-dessous).
ESPACES_NON_NOMINATIFS = {"admin"}
MODELES_NOMINATIFS = ("demandes_demande", "demandes_personne", "demandes_piece", "demandes_label")


def routes() -> list[tuple[str, URLPattern]]:
    """Toutes les routes de l'URLconf : (nom complet avec espaces de noms, motif)."""
    trouvees = []

    def parcourir(resolveur, espace):
        for motif in resolveur.url_patterns:
            if isinstance(motif, URLResolver):
                sous = espace
                if motif.namespace:
                    sous = f"{espace}:{motif.namespace}" if espace else motif.namespace
                parcourir(motif, sous)
            else:
                nom = f"{espace}:{motif.name}" if espace else str(motif.name)
                trouvees.append((nom, motif))

    parcourir(get_resolver(), "")
    return trouvees


def est_non_nominative(nom: str) -> bool:
    return nom in NON_NOMINATIVES or nom.split(":")[0] in ESPACES_NON_NOMINATIFS


def routes_nominatives() -> list[tuple[str, URLPattern]]:
    return [(nom, motif) for nom, motif in routes() if not est_non_nominative(nom)]


# ---------------------------------------------------------------- le monde

#: Routes dont ``pk`` est une vacance (``offre.Disponibilite``) : candidats de l'instruction.
ROUTES_D_UNE_VACANCE = ("instruction:candidats", "v1:disponibilite-candidats")


class Jeu:
    """Une demande principale, sa jumelle (doublon suspecté), une demande en ligne, un label, une pièce."""

    def __init__(self, commune, guichet, agent, prefixe: str, demandeur=None):
        self.principale = DemandeFactory(
            nom=f"{prefixe}principale", communes=[commune], guichet=guichet, date_naissance=date(1980, 1, 2)
        )
        if demandeur is not None:
            self.principale.compte_demandeur = demandeur
            self.principale.save(update_fields=["compte_demandeur"])
        self.jumelle = DemandeFactory(nom=f"{prefixe}jumelle", communes=[commune], guichet=guichet)
        self.en_ligne = DemandeFactory(nom=f"{prefixe}enligne", communes=[commune], en_ligne=True)
        self.suspicion = SuspicionDoublon.objects.create(
            demande_a=self.principale, demande_b=self.jumelle, score=90, motif="même nom", source="nuit"
        )
        type_label, _ = TypeLabel.objects.get_or_create(
            code="cp-dalo", defaults={"libelle": "CP - Dalo", "famille": TypeLabel.Famille.PRIORITE}
        )
        self.label = Label.objects.create(
            demande=self.principale, type=type_label, date_pose=date.today(), auteur_libelle="test"
        )
        self.piece = pieces.deposer_piece(
            demande=self.principale,
            type="identite",
            fichier=SimpleUploadedFile("identite.pdf", PDF, content_type="application/pdf"),
            auteur=Auteur.agent(agent),
        )
        self.demandes = [self.principale, self.jumelle, self.en_ligne]
        # Une vacance du territoire : les routes de ses candidats prennent son identifiant.
        self.vacance = DisponibiliteFactory(logement=LogementFactory(programme=ProgrammeFactory(commune=commune)))

    def instruire(self, commune, bailleur, reservataire=None):
        """Une vacance du ``bailleur`` dans la commune, la demande principale positionnée, une proposition et une
        visite (routes de l'instruction)."""
        self.disponibilite = DisponibiliteFactory(
            logement__programme__bailleur=bailleur, logement__programme__commune=commune, reservataire=reservataire
        )
        self.positionnement = Positionnement.objects.create(
            disponibilite=self.disponibilite, demande=self.principale, designation="bailleur", rang=1
        )
        self.proposition = Proposition.objects.create(
            positionnement=self.positionnement,
            demande=self.principale,
            disponibilite=self.disponibilite,
            date_envoi=date.today(),
            date_limite=date.today(),
        )
        self.visite = Visite.objects.create(
            positionnement=self.positionnement,
            demande=self.principale,
            disponibilite=self.disponibilite,
            date_prevue=timezone.now(),
        )
        # La commission du bailleur (réservataire invité) examine la demande principale pour ce logement.
        commission = Commission.objects.create(bailleur=bailleur, nom=f"CAL {bailleur.nom}", quorum=1)
        if reservataire is not None:
            commission.reservataires_invites.add(reservataire)
        self.seance = Seance.objects.create(commission=commission, date=date.today(), lieu="Siège")
        self.examen = Examen.objects.create(
            seance=self.seance,
            disponibilite=self.disponibilite,
            ordre=1,
            moins_de_trois=Examen.MoinsDeTrois.PEU_DE_CANDIDATS,
        )
        self.candidature = Candidature.objects.create(
            examen=self.examen, positionnement=self.positionnement, demande=self.principale, ordre=1
        )

    def valeur(self, nom_route: str, cle: str):
        """La valeur d'un paramètre de route, selon la route et le nom du paramètre."""
        if nom_route in ROUTES_INSTRUCTION:
            return getattr(self, ROUTES_INSTRUCTION[nom_route]).pk
        if nom_route.startswith(ROUTES_D_UNE_VACANCE) and cle == "pk":
            return self.vacance.pk
        if cle in ("piece_pk",) or (nom_route.startswith("v1:piece-") and cle == "pk"):
            return self.piece.pk
        if cle in ("label_pk", "label_id"):
            return self.label.pk
        if cle == "numero":
            return self.principale.numero_unique
        if nom_route.startswith("demandes:doublons:"):
            return self.suspicion.pk
        if nom_route.startswith(("demandes:en_ligne", "v1:demande-en-ligne")):
            return self.en_ligne.pk
        if cle in ("pk", "id", "demande_id", "demande_pk"):
            return self.principale.pk
        raise KeyError(f"{nom_route} : paramètre « {cle} » sans valeur de test")

    def cible(self, nom_route: str, cles) -> set[int]:
        """Les demandes que désigne l'adresse : une réponse 200 les montre, même sans leur nom (cotation, labels…)."""
        if nom_route.startswith(ROUTES_D_UNE_VACANCE):
            return set()  # l'adresse désigne une vacance ; les demandes montrées sont lues dans la réponse
        if nom_route.startswith("demandes:doublons:") and cles:
            return {self.principale.pk, self.jumelle.pk}
        designees = {self.valeur(nom_route, c) for c in cles if c in ("pk", "id", "demande_id", "demande_pk", "numero")}
        if not designees:
            return set()
        if nom_route.startswith(("demandes:en_ligne", "v1:demande-en-ligne")):
            return {self.en_ligne.pk}
        return {self.principale.pk}

    def parametres(self, nom_route: str) -> dict:
        """Paramètres de requête sans lesquels la page ne s'affiche pas (étape de confirmation)."""
        return {"garder": self.principale.pk} if nom_route == "demandes:doublons:fusion" else {}


@pytest.fixture
def monde(stockage):
    t = ville_de_reze()
    demandeur = DemandeurFactory()
    ici = Jeu(t.reze, t.guichet, t.agent, "Quenardelle", demandeur=demandeur)
    ailleurs = Jeu(t.nantes, GuichetFactory(commune=t.nantes), t.agent, "Vaubertrand")
    roles = {
        "agent de guichet": t.agent,
        "instructeur bailleur": agent_bailleur(perimetre=[t.reze]),
        "réservataire": AgentFactory(
            organisme=OrganismeFactory(etat=True, perimetre=[t.reze]), roles=[Role.RESERVATAIRE]
        ),
        "observateur": AgentFactory(organisme=t.organisme, roles=[Role.OBSERVATEUR]),
        "administrateur": AgentFactory(
            organisme=OrganismeFactory(gestionnaire=True, perimetre=[t.reze]), roles=[Role.ADMINISTRATEUR]
        ),
        "demandeur": demandeur,
    }
    # La vacance d'ici : du bailleur et du réservataire des rôles ; celle d'ailleurs : d'un autre bailleur.
    ici.instruire(t.reze, roles["instructeur bailleur"].organisme, roles["réservataire"].organisme)
    ailleurs.instruire(t.nantes, BailleurFactory())
    return {"ici": ici, "ailleurs": ailleurs, "roles": roles}


def _connecter(client, user):
    client.force_login(user)
    if user.is_agent:
        session = client.session
        session["otp_device_id"] = TOTPDeviceFactory(user=user).persistent_id
        session.save()


# ---------------------------------------------------------------- ce que la réponse montre


def _texte(reponse) -> str:
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    type_contenu = reponse.get("Content-Type", "")
    if "pdf" in type_contenu:
        try:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(contenu)).pages)
        except Exception:  # une pièce factice n'est pas un PDF lisible : elle ne montre aucun nom
            return ""
    if "spreadsheetml" in type_contenu:
        feuilles = load_workbook(io.BytesIO(contenu), read_only=True).worksheets
        return "\n".join(str(v) for f in feuilles for ligne in f.iter_rows(values_only=True) for v in ligne)
    return contenu.decode("utf-8", errors="replace")


def demandes_montrees(reponse, demandes) -> set[int]:
    """Les demandes dont le nom ou le numéro unique se lit dans la réponse."""
    texte = _texte(reponse).lower()
    montrees = set()
    for d in demandes:
        reperes = [d.nom.lower()]
        if d.numero_unique:
            reperes += [d.numero_unique, d.numero_unique_affiche]
        if any(r in texte for r in reperes):
            montrees.add(d.pk)
    return montrees


def _adresses(nom: str, motif: URLPattern, jeu: Jeu) -> list[tuple[str, set[int]]]:
    """Les adresses de la route remplies avec le jeu, et les demandes que chacune désigne."""
    cles = list(motif.pattern.regex.groupindex)
    formats = ["csv", "xlsx"] if "format" in cles else [None]
    adresses = []
    for fmt in formats:
        kwargs = {c: (fmt if c == "format" else jeu.valeur(nom, c)) for c in cles}
        adresses.append((reverse(nom, kwargs=kwargs), jeu.cible(nom, cles)))
    return adresses


# ---------------------------------------------------------------- les tests


def test_chaque_route_est_classee():
    """Une route nouvelle est nominative par défaut : le parcours ci-dessous l'exerce, ou on la classe ici."""
    noms = {nom for nom, _ in routes()}
    assert not set(NON_NOMINATIVES) - noms, "route classée qui n'existe plus"
    nominatives = {nom for nom, _ in routes_nominatives()}
    assert {"demandes:liste", "demandes:modifier", "demandes:doublons:fusion", "v1:demande-list"} <= nominatives
    assert not [nom for nom, _ in routes() if nom.startswith("admin:") and nom.endswith(MODELES_NOMINATIFS)]
    for _nom, motif in routes_nominatives():
        assert motif.name, f"route nominative sans nom : {motif.pattern}"


@pytest.mark.parametrize(
    "role", ["agent de guichet", "instructeur bailleur", "réservataire", "observateur", "administrateur", "demandeur"]
)
def test_chaque_route_nominative_journalise_une_ligne_par_demande_montree(client, monde, role):
    _connecter(client, monde["roles"][role])
    ici, ailleurs = monde["ici"], monde["ailleurs"]
    toutes = ici.demandes + ailleurs.demandes
    ecarts = []
    visitees = 0
    for nom, motif in routes_nominatives():
        for jeu, htmx in ((ici, False), (ici, True), (ailleurs, False)):
            for adresse, cible in _adresses(nom, motif, jeu):
                depart = Consultation.objects.aggregate(m=Max("id"))["m"] or 0
                entetes = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                reponse = client.get(adresse, jeu.parametres(nom), **entetes)
                visitees += 1
                lignes = list(Consultation.objects.filter(id__gt=depart))
                montrees = demandes_montrees(reponse, toutes)
                if reponse.status_code == 200:
                    montrees |= cible
                journalisees = sorted(
                    int(lg.objet_id)
                    for lg in lignes
                    if lg.objet_type == "demandes.demande" and lg.action != Consultation.Action.REFUS
                )
                cas = f"{role} {adresse}{' (htmx)' if htmx else ''} → {reponse.status_code}"
                if journalisees != sorted(montrees):
                    ecarts.append(f"{cas} : montrées {sorted(montrees)}, journalisées {journalisees}")
                if jeu is ailleurs:
                    if montrees & {d.pk for d in ailleurs.demandes}:
                        ecarts.append(f"{cas} : une demande hors du périmètre est montrée")
                    refus = [lg for lg in lignes if lg.action == Consultation.Action.REFUS]
                    if reponse.status_code == 404 and len(refus) != 1:
                        ecarts.append(f"{cas} : {len(refus)} ligne(s) « refus » au lieu d'une")
                    if any(ailleurs.principale.nom.lower() in lg.objet_libelle.lower() for lg in refus):
                        ecarts.append(f"{cas} : le refus inscrit le nom du demandeur")
    assert visitees > 100
    assert not ecarts, "\n".join(ecarts)
