"""Table de recherche étroite des demandes (migration 0009, demandes/recherche.py).

Deux promesses dont dépendent les agents :
* la table est toujours exactement celle qu'on recalculerait depuis les
  demandes et leurs localisations, quelle que soit l'écriture (services,
  générateur, suppression) — sinon une demande serait invisible, ou visible
  hors du territoire ;
* la liste lue sur cette table rend les mêmes demandes, dans le même ordre,
  que les mêmes critères appliqués par l'ORM (export, API).
"""

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from demandes.cycle import services
from demandes.doublons import services as doublons
from demandes.liste.criteres import Criteres
from demandes.liste.filters import DemandeFilter
from demandes.liste.recherche import PLAFOND_COMPTAGE, PLAFOND_COMPTAGE_GUICHET_FILTRE, ResultatRecherche
from demandes.models import CleIdentite, Demande, Label, LocalisationSouhaitee, Personne
from demo.dossier import construire as construire_dossier
from demo.generateur import Parametres, generer
from fdls import acces
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory, CommuneFactory, DemandeFactory, GuichetFactory
from tests.monde.fichiers import piece_identite

RECALCUL = """
    SELECT d.id, 'D' || d.departement_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d
    UNION
    SELECT d.id, 'G' || d.guichet_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d
    UNION
    SELECT d.id, 'C' || l.commune_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d JOIN demandes_localisationsouhaitee l ON l.demande_id = d.id
    UNION
    SELECT d.id, 'E' || c.epci_id, d.etat, d.nature, d.date_depot, d.date_expiration, d.guichet_id
      FROM demandes_demande d JOIN demandes_localisationsouhaitee l ON l.demande_id = d.id
      JOIN territoires_commune c ON c.code_insee = l.commune_id
     WHERE c.epci_id IS NOT NULL
"""
TABLE = """
    SELECT demande_id, cle, etat, nature, date_depot, date_expiration, guichet_id FROM demandes_lignerecherche
"""


def _lignes(sql: str) -> set[tuple]:
    with connection.cursor() as curseur:
        curseur.execute(sql)
        return set(curseur.fetchall())


def assert_table_a_jour():
    attendu, present = _lignes(RECALCUL), _lignes(TABLE)
    assert present == attendu, {"manquantes": attendu - present, "en trop": present - attendu}


def test_la_table_suit_chaque_ecriture_des_services(territoire_reze):
    guichet = territoire_reze.guichet
    reze, nantes, vertou = CommuneFactory(), CommuneFactory(), CommuneFactory()
    auteur = services.Auteur.agent(territoire_reze.agent)

    brouillon = services.sauver_brouillon(dossier(communes=[reze]), auteur=auteur, guichet=guichet)
    assert_table_a_jour()
    assert {cle for _, cle, *_ in _lignes(TABLE)} == {
        f"D{guichet.commune.departement_id}",
        f"G{guichet.pk}",
        f"C{reze.pk}",
        f"E{reze.epci_id}",
    }

    demande = services.enregistrer_demande(
        dossier(communes=[nantes, reze]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )
    assert_table_a_jour()

    # Nouveau choix de communes : les lignes de l'ancienne disparaissent.
    saisie = services.charger_dossier(demande)
    saisie.localisations = [LocalisationSouhaitee(commune=vertou)]
    services.modifier_demande(saisie, auteur=auteur)
    assert_table_a_jour()
    assert not Demande.objects.filter(pk=demande.pk, lignes_recherche__cle=f"C{nantes.pk}").exists()

    services.renouveler_demande(demande, auteur=auteur, le=demande.date_expiration - timedelta(days=3))
    services.annuler_demande(Demande.objects.get(pk=demande.pk), motif="renonciation", auteur=auteur)
    assert_table_a_jour()
    assert set(Demande.objects.get(pk=demande.pk).lignes_recherche.values_list("etat", flat=True)) == {"annulee"}

    services.supprimer_brouillon(brouillon)
    assert_table_a_jour()
    assert not _lignes(f"{TABLE} WHERE demande_id = {brouillon.pk}")


def test_la_fusion_de_doublons_tient_la_table_a_jour(territoire_reze):
    guichet = territoire_reze.guichet
    commune = CommuneFactory()
    auteur = services.Auteur.agent(territoire_reze.agent)
    ancienne = services.enregistrer_demande(
        dossier(communes=[commune]),
        auteur=auteur,
        guichet=guichet,
        date_depot=date.today() - timedelta(days=200),
        piece_identite=piece_identite(),
    )
    recente = services.enregistrer_demande(
        dossier(communes=[commune]), auteur=auteur, guichet=guichet, piece_identite=piece_identite()
    )
    doublons.fusionner_demandes(ancienne, recente, auteur=auteur)
    assert_table_a_jour()


# ------------------------------------------------------------------ sur un fichier généré


@pytest.fixture
def fichier(partenaires):
    """Un fichier de Loire-Atlantique généré (≈ 1 200 demandes dont 500 actives)."""
    generer(Parametres(actives=500, graine=11, part_doublons=0.02))


@pytest.fixture
def agents(fichier):
    bailleur = Organisme.objects.filter(type="bailleur").order_by("nom").first()
    reze = Organisme.objects.get(nom="Ville de Rezé")
    plusieurs = Organisme.objects.create(nom="Intercommunalité d'essai", type="epci", departement_id="44")
    plusieurs.perimetre.set(Commune.objects.filter(code_insee__in=["44143", "44190", "44215"]))
    return {
        "bailleur": AgentFactory(organisme=bailleur, bailleur=True),
        "commune": AgentFactory(organisme=reze),
        "epci": AgentFactory(organisme=plusieurs, reservataire=True),
    }


def _par_orm(user, donnees) -> list[int]:
    requete = RequestFactory().get("/demandes/", donnees)
    requete.user = user
    filtre = DemandeFilter(
        donnees, queryset=Demande.objects.visibles_par(user).order_by("-date_depot", "-id"), request=requete
    )
    assert filtre.is_valid(), filtre.errors
    return list(filtre.qs.values_list("pk", flat=True)), filtre.criteres()


def _premier_titulaire(demande_id: int, criteres: Criteres) -> tuple[str, str]:
    """(nom, prénom) normalisés du premier titulaire de la demande qui répond au critère de nom : son nom
    d'usage ou son nom de naissance (« marital ou jeune fille »), celui qui répond."""
    return min(
        (nom, c.prenom)
        for c in CleIdentite.objects.filter(demande_id=demande_id)
        for nom in (c.nom, c.nom_naissance)
        if nom and nom.startswith(criteres.nom) and c.prenom.startswith(criteres.prenom)
    )


def _par_table(user, criteres: Criteres, fin=10_000) -> list[int]:
    return ResultatRecherche(user, criteres, lambda ids: []).identifiants(0, fin)


CRITERES = [
    {},
    {"etat": "satisfaite"},
    {"etat": "active", "nature": "famille"},
    {"depot_du": "01/01/2025", "depot_au": "30/06/2026"},
    {"expiration_du": "01/12/2026", "expiration_au": "31/03/2027"},
    {"expiration_au": "31/12/2025", "etat": "annulee"},
    {"nom": "ma"},
    {"nom": "ma", "etat": "annulee"},
]


def _nom_et_prenom_partiels(user) -> dict:
    """Début du nom et initiale du prénom du demandeur d'une demande active visible : le cas trouve toujours."""
    demandeur = (
        Personne.objects.filter(demande__in=Demande.objects.visibles_par(user).filter(etat="active"), role="demandeur")
        .order_by("demande_id")
        .values("nom", "prenom")
        .first()
    )
    return {"nom": demandeur["nom"][:2], "prenom": demandeur["prenom"][:1], "etat": "active"}


def test_la_liste_rend_les_memes_demandes_que_l_orm(agents):
    for role, user in agents.items():
        for donnees in [*CRITERES, _nom_et_prenom_partiels(user)]:
            attendu, criteres = _par_orm(user, donnees)
            assert attendu, f"{role} {donnees} : le cas doit trouver des demandes pour avoir un sens"
            trouve = _par_table(user, criteres)
            if criteres.par_nom:
                # Recherche par nom : mêmes demandes, dans l'ordre alphabétique.
                assert sorted(trouve) == sorted(attendu), f"{role} {donnees}"
                assert len(set(trouve)) == len(trouve)
                noms = [_premier_titulaire(pk, criteres) for pk in trouve]
                assert noms == sorted(noms), f"{role} {donnees}"
            else:
                assert trouve == attendu, f"{role} {donnees}"


def test_filtre_par_label_et_contingent(agents):
    construire_dossier({"demandes_en_ligne": 0}, io.StringIO())
    label = Label.objects.filter(date_retrait__isnull=True).select_related("type").first()
    assert label is not None
    for role, user in agents.items():
        for donnees in ({"label": label.type_id}, {"label": label.type_id, "etat": "active"}):
            attendu, criteres = _par_orm(user, donnees)
            assert _par_table(user, criteres) == attendu, f"{role} {donnees}"
        proprietaire = Label.objects.filter(type__organisme_proprietaire__isnull=False).values_list(
            "type__organisme_proprietaire", flat=True
        )
        for organisme_id in set(proprietaire):
            attendu, criteres = _par_orm(user, {"contingent": organisme_id})
            assert _par_table(user, criteres) == attendu, f"{role} contingent {organisme_id}"


def test_filtre_par_guichet_dans_et_hors_du_territoire(agents):
    user = agents["commune"]
    for guichet in Guichet.objects.filter(demandes__isnull=False).distinct()[:6]:
        attendu, criteres = _par_orm(user, {"guichet": guichet.pk})
        assert _par_table(user, criteres) == attendu


def test_les_pages_se_suivent_sans_trou_ni_repetition(agents):
    user = agents["epci"]
    resultat = ResultatRecherche(user, Criteres(), lambda ids: [])
    tout = resultat.identifiants(0, 400)
    pages = [pk for debut in range(0, 400, 50) for pk in resultat.identifiants(debut, debut + 50)]
    assert pages == tout
    assert len(set(tout)) == len(tout)


def test_le_comptage_s_arrete_au_plafond(agents):
    user = agents["bailleur"]
    visibles = Demande.objects.visibles_par(user).count()
    assert ResultatRecherche(user, Criteres(), list, plafond=visibles + 10).count() == visibles
    plafonne = ResultatRecherche(user, Criteres(), list, plafond=100)
    assert plafonne.count() == 100
    assert plafonne.depasse_plafond


def test_le_generateur_remplit_la_table(fichier):
    assert_table_a_jour()


def test_un_guichet_que_l_agent_ne_voit_pas_en_entier_est_compte_jusqu_a_500(agents):
    """Chaque ligne du flux d'un tel guichet est vérifiée contre les clés de l'agent : le comptage
    s'arrête à 500 (« plus de 500 ») ; l'agent qui voit tout le
    département du guichet garde le plafond de 2 000."""

    commune, bailleur = agents["commune"], agents["bailleur"]
    cles = acces.cles_acces(commune)
    dehors = [
        g
        for g in Guichet.objects.filter(demandes__isnull=False).distinct().select_related("commune")
        if f"G{g.pk}" not in cles and f"D{g.commune.departement_id}" not in cles
    ]
    assert dehors, "le cas doit avoir un guichet hors des clés de l'agent"
    _attendu, criteres = _par_orm(commune, {"guichet": dehors[0].pk})
    assert ResultatRecherche(commune, criteres, list).plafond == PLAFOND_COMPTAGE_GUICHET_FILTRE == 500
    assert ResultatRecherche(commune, _par_orm(commune, {})[1], list).plafond == PLAFOND_COMPTAGE
    _attendu, criteres = _par_orm(bailleur, {"guichet": dehors[0].pk})
    assert ResultatRecherche(bailleur, criteres, list).plafond == PLAFOND_COMPTAGE


def test_la_recherche_par_nom_relit_plus_loin_quand_les_couples_portent_le_meme_nom(territoire_reze):
    """Demandeur et co-demandeur du même nom donnent deux lignes par demande : la première lecture
    (1,5 × le nombre voulu) ne suffit pas, la recherche relit plus loin et rend les demandes
    distinctes dans l'ordre alphabétique, sans en sauter."""
    guichet, agent = territoire_reze.guichet, territoire_reze.agent
    for i, prenom in enumerate(["Alain", "Bruno", "Chloé", "Denis", "Émile", "Fanny", "Gaël", "Hugo"]):
        services.enregistrer_demande(
            dossier(
                communes=[guichet.commune],
                nom="DURAND",
                prenom=prenom,
                naissance=date(1970 + i, 1, 1),
                codemandeur=("DURAND", prenom + "a", date(1971 + i, 2, 2)),  # juste après dans l'ordre
            ),
            auteur=services.Auteur.agent(agent),
            guichet=guichet,
            piece_identite=piece_identite(),
        )
    resultat = ResultatRecherche(agent, Criteres(nom="DURAND"), list)
    attendu = list(
        dict.fromkeys(
            CleIdentite.objects.filter(nom="DURAND")
            .order_by("nom", "prenom", "demande_id")
            .values_list("demande_id", flat=True)
        )
    )
    assert len(attendu) == 8
    with CaptureQueriesContext(connection) as requetes:
        assert resultat._par_nom(6) == attendu[:6]
    # 10 lignes lues pour 5 demandes, puis 20 : chaque fois le nom d'usage, puis le nom de naissance.
    assert len(requetes) == 4
    assert resultat._par_nom(8) == attendu


def test_brouillons_et_depots_en_ligne_memes_demandes_que_l_orm():
    """La liste applique la même restriction par état que ``visibles_par`` (fdls/acces : R441-2-6 partage les
    demandes enregistrées) : le brouillon d'un autre organisme et les dépôts en ligne qu'il ne peut pas valider
    n'apparaissent jamais à l'agent, quelle que soit la variante (flux, nom, identifiant)."""
    commune = CommuneFactory()
    validateur = AgentFactory(organisme__perimetre=[commune], roles=["agent_guichet"])
    propre = GuichetFactory(organisme=validateur.organisme, commune=commune, type="accompagnateur")
    bailleur = AgentFactory(organisme__type="bailleur", organisme__perimetre=[commune], roles=["instructeur_bailleur"])
    autre = GuichetFactory(commune=commune)
    demandes = {
        "active": DemandeFactory(guichet=autre, nom="MARTIN", communes=[commune]),
        "brouillon_autre": DemandeFactory(guichet=autre, brouillon=True, nom="MARTIN", communes=[commune]),
        "brouillon_propre": DemandeFactory(guichet=propre, brouillon=True, nom="MARTIN", communes=[commune]),
        "a_valider": DemandeFactory(guichet=autre, en_ligne=True, nom="MARTIN", communes=[commune]),
    }
    attendus = {
        "validateur": {"active", "brouillon_propre", "a_valider"},
        "bailleur": {"active"},
    }
    for role, user in {"validateur": validateur, "bailleur": bailleur}.items():
        attendu = {demandes[nom].pk for nom in attendus[role]}
        for donnees in ({}, {"nom": "martin"}, {"etat": "brouillon"}, {"etat": "a_valider"}):
            par_orm, criteres = _par_orm(user, donnees)
            trouve = _par_table(user, criteres)
            assert (sorted(trouve) if criteres.par_nom else trouve) == (
                sorted(par_orm) if criteres.par_nom else par_orm
            ), f"{role} {donnees}"
            assert set(par_orm) <= attendu, f"{role} {donnees}"
        assert set(_par_orm(user, {})[0]) == attendu, role
        brouillons, criteres = _par_orm(user, {"brouillons_organisme": "on"})
        assert _par_table(user, criteres) == brouillons


def test_criteres_de_la_session_10_memes_demandes_que_l_orm(agents):
    """File de l'accueil (doublons, pièces manquantes), numéro unique partiel, tris par colonne : la table de
    recherche (``recherche_sql``) et l'ORM du filtre (``DemandeFilter.qs``) rendent les mêmes demandes ;
    pour un tri, dans l'ordre que l'ORM donne avec la même clé de tri."""
    for role, user in agents.items():
        numero = Demande.objects.visibles_par(user).exclude(numero_unique=None).values_list("numero_unique", flat=True)
        partiel = numero.order_by("id").first()[7:13]
        for donnees in ({"a_traiter": "doublons"}, {"a_traiter": "pieces"}, {"numero_unique": partiel}):
            attendu, criteres = _par_orm(user, donnees)
            assert _par_table(user, criteres) == attendu, f"{role} {donnees}"
        assert _par_orm(user, {"numero_unique": partiel})[0], "le NU partiel d'une demande visible la trouve"
        for donnees, ordre in (
            ({"tri": "depot"}, ("date_depot", "id")),
            ({"etat": "active", "tri": "expiration"}, ("date_expiration", "id")),
            ({"etat": "active", "tri": "-expiration"}, ("-date_expiration", "-id")),
        ):
            attendu, criteres = _par_orm(user, {k: v for k, v in donnees.items() if k != "tri"})
            criteres = replace(criteres, tri=donnees["tri"])
            par_orm = list(Demande.objects.filter(pk__in=attendu).order_by(*ordre).values_list("pk", flat=True))
            if ordre[0] == "date_depot":  # brouillons sans date de dépôt : à la fin
                par_orm = list(
                    Demande.objects.filter(pk__in=attendu)
                    .order_by(F("date_depot").asc(nulls_last=True), "id")
                    .values_list("pk", flat=True)
                )
            assert _par_table(user, criteres) == par_orm, f"{role} {donnees}"
