"""Pages publiques : déposer une demande (pièces, cotation et livret, refus), test d'éligibilité aux plafonds en
vigueur (données datées), annuaire des guichets, chiffres clés sous secret statistique."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from demandes.dossier import reglementaire
from observatoire.croisement.grille import Territoire
from observatoire.photos.services import photographier_fichier
from observatoire.secret.models import SeuilSecret
from observatoire.tableaux.selectors import chiffres_cles
from portail.chiffres import services as chiffres
from portail.chiffres.models import ChiffresTerritoire
from portail.public import services as public
from tests.monde.factories import GuichetFactory, LogementFactory
from tests.monde.territoires import territoire_nantes
from tests.observatoire.monde import PHOTO, fichier_connu

ANNEE = timezone.localdate().year


def test_la_page_d_accueil_publique_explique_et_lie_le_livret(client):
    m = territoire_nantes(grille=True)
    html = client.get(reverse("portail:accueil")).content.decode().replace("&#x27;", "'")
    assert "Comment déposer ma demande" in html
    assert "La pièce d'identité du demandeur" in html
    assert reverse("cotation:livret", args=[m.grille.pk]) in html
    assert "Et si je refuse un logement" in html


def test_eligibilite_selon_la_categorie_et_les_plafonds_de_l_annee(client):
    plus_1 = reglementaire.plafond("PLUS", 1, ANNEE)
    reponse = client.get(
        reverse("portail:eligibilite"),
        {
            "couple": "0",
            "age_demandeur": "40",
            "a_charge": "0",
            "autres_adultes": "0",
            "rfr": str(plus_1 - 1),
            "zone": "autres",
        },
    )
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "catégorie 1" in html
    assert "<strong>PLUS</strong>&nbsp;: <strong>ouvert</strong>" in html
    trop = client.get(
        reverse("portail:eligibilite"),
        {
            "couple": "0",
            "age_demandeur": "40",
            "a_charge": "0",
            "autres_adultes": "0",
            "rfr": str(plus_1 + 1),
            "zone": "autres",
        },
    ).content.decode()
    assert "<strong>PLUS</strong>&nbsp;: fermé" in trop


def test_un_parent_seul_avec_deux_enfants_est_en_categorie_4():
    le = datetime.date(ANNEE, 6, 1)
    personnes = public.menage(
        couple=False, age_demandeur=35, age_conjoint=None, a_charge=2, autres_adultes=0, handicap=False, le=le
    )
    resultat = public.eligibilite(personnes=personnes, rfr=Decimal("30000"), zone="autres", le=le)
    assert resultat.categorie == 4
    assert {o.financement: o.plafond for o in resultat.ouvertures}["PLUS"] == reglementaire.plafond("PLUS", 4, ANNEE)
    jeune_couple = public.menage(
        couple=True, age_demandeur=25, age_conjoint=26, a_charge=0, autres_adultes=0, handicap=False, le=le
    )
    assert public.eligibilite(personnes=jeune_couple, rfr=Decimal("1"), zone="autres", le=le).categorie == 3


def test_eligibilite_erreurs_en_francais_et_saisie_gardee(client):
    reponse = client.get(reverse("portail:eligibilite"), {"couple": "1", "age_demandeur": "abc", "rfr": "-5"})
    html = reponse.content.decode()
    assert reponse.status_code == 422
    assert "Indiquez un nombre en chiffres." in html
    assert "Indiquez l&#x27;âge de votre conjoint" in html or "Indiquez l'âge de votre conjoint" in html
    assert 'value="abc"' in html


def test_annuaire_des_guichets_par_commune(client):
    m = territoire_nantes()
    GuichetFactory(nom="Guichet caché", organisme=m.ehs, commune=m.nantes, visible_annuaire=False)
    m.guichet_reze.horaires = "Lundi au vendredi, 9 h – 12 h"
    m.guichet_reze.save()
    tous = client.get(reverse("portail:guichets")).content.decode()
    assert "Guichet de Rezé" in tous
    assert "Espace Habitat Social" in tous
    assert "Guichet caché" not in tous
    reze = client.get(reverse("portail:guichets"), {"commune": m.reze.pk}).content.decode()
    assert "Guichet de Rezé" in reze
    assert "Lundi au vendredi, 9 h – 12 h" in reze
    assert "<h2>Espace Habitat Social</h2>" not in reze


@pytest.fixture
def connu():
    """Le petit fichier aux réponses connues de l'observatoire, photographié au 1er janvier 2026."""
    f = fichier_connu()
    LogementFactory.create_batch(3, commune=f.m.nantes, programme__commune=f.m.nantes, typologie="T3")
    LogementFactory(commune=f.m.nantes, programme__commune=f.m.nantes, typologie="T2")
    f.photo = photographier_fichier(PHOTO).photo
    return f


def test_chiffres_cles_d_une_commune_lus_sur_la_photo_sous_le_secret_de_l_observatoire(client, connu):
    SeuilSecret.objects.create(valeur=3, date_effet=datetime.date(2020, 1, 1), source="test")
    reponse = client.get(reverse("portail:chiffres"), {"commune": connu.m.nantes.pk})
    html = reponse.content.decode()
    assert reponse.status_code == 200
    c = ChiffresTerritoire.objects.get(territoire="commune", code=connu.m.nantes.pk, mois=PHOTO).donnees
    t2, t3 = (c["typologies"].index(libelle) for libelle in ("T2 - 2 pièces", "T3 - 3 pièces"))
    # Demandes en cours au 1/1/2026, 1er choix Nantes : E2 en T2 ; E1, E4, E6 en T3. Le T2 (1 < 3) est masqué,
    # et le T3 avec lui : sinon le total (4) le révélerait.
    assert (c["demandes"]["cases"][t2], c["demandes"]["cases"][t3], c["demandes"]["total"]) == (None, None, 4)
    # Attributions 2025 de logements à Nantes : A5 en T2 (11 mois) ; A1, A3, A6 en T3 (14, 12, 37 mois).
    assert c["annee"] == 2025
    assert (c["attributions"]["cases"][t2], c["attributions"]["cases"][t3], c["attributions"]["total"]) == (
        None,
        None,
        4,
    )
    assert (c["delai"]["cases"][t2], c["delai"]["cases"][t3], c["delai"]["total"]) == (None, 21.0, 18.5)
    # Pression : 4 demandes pour 4 attributions ; celle du T3 dirait les demandes masquées.
    assert (c["pression"]["cases"][t3], c["pression"]["total"]) == (None, 1.0)
    assert (c["parc"]["cases"][t2], c["parc"]["cases"][t3], c["parc"]["total"]) == (None, None, 4)
    assert c["seuil"] == 3
    texte = html.replace("&#x27;", "'")
    assert "Nantes – état du fichier au 01/01/2026" in texte
    assert "Attributions 2025" in texte
    assert "18,5" in texte
    assert "Aucun effectif entre 1 et 2 n'est publié" in texte
    # Les mêmes chiffres que le tableau « Chiffres clés » de l'observatoire (totaux, sans secret).
    nantes = Territoire(epci=connu.m.nantes.epci, commune=connu.m.nantes)
    cles = dict(chiffres_cles(connu.photo, nantes, 2025)[0].lignes)
    assert [cles[k][-1] for k in ("Demandes en cours", "Patrimoine de logements", "Attributions 2025")] == [4, 4, 4]


def test_chiffres_cles_au_seuil_du_parametre_en_vigueur_et_relus_sur_la_photo(client, connu):
    # Seuil de la migration (11) : 4 demandes, 4 attributions, 4 logements, rien n'est publié.
    client.get(reverse("portail:chiffres"), {"commune": connu.m.nantes.pk})
    c = ChiffresTerritoire.objects.get().donnees
    assert c["seuil"] == 11
    assert [c[ligne]["total"] for ligne in ("demandes", "attributions", "delai", "pression", "parc")] == [None] * 5
    # Chiffres d'une photo : relus, pas recalculés (un seuil changé vaut pour la photo suivante).
    SeuilSecret.objects.create(valeur=3, date_effet=datetime.date(2020, 1, 1), source="test")
    client.get(reverse("portail:chiffres"), {"commune": connu.m.nantes.pk})
    assert ChiffresTerritoire.objects.count() == 1
    assert ChiffresTerritoire.objects.get().donnees == c


def test_la_tache_mensuelle_calcule_chaque_commune_et_epci_de_la_photo(connu):
    # Nantes, Rezé, Ancenis (1er choix des demandes en cours) ; Nantes Métropole et COMPA.
    assert chiffres.photographier_tous() == 5
    assert chiffres.photographier_tous() == 5
    assert ChiffresTerritoire.objects.filter(mois=PHOTO).count() == 5
    nm = ChiffresTerritoire.objects.get(territoire="epci", code=connu.m.nantes.epci_id).donnees
    assert nm["demandes"]["total"] is None  # 5 demandes, sous le seuil de 11


def test_chiffres_sans_photo_du_fichier_le_disent(client):
    m = territoire_nantes()
    reponse = client.get(reverse("portail:chiffres"), {"commune": m.reze.pk})
    assert reponse.status_code == 200
    assert "publiés à partir de la première photo mensuelle du fichier" in reponse.content.decode()
    assert not ChiffresTerritoire.objects.exists()


def test_chiffres_sans_territoire_choisi_le_dit(client):
    reponse = client.get(reverse("portail:chiffres"), {"commune": "", "epci": ""})
    assert reponse.status_code == 422
    assert "Choisissez une commune ou une intercommunalité." in reponse.content.decode()
