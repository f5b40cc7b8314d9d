"""Pages publiques : déposer une demande (pièces, cotation et livret, refus), test d'éligibilité aux plafonds en
vigueur (données datées), annuaire des guichets, chiffres clés sous secret statistique."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from demandes.dossier import reglementaire
from demandes.models import Demande, LocalisationSouhaitee
from portail.chiffres import services as chiffres
from portail.chiffres.models import ChiffresTerritoire
from portail.public import services as public
from tests.monde.factories import DemandeFactory, GuichetFactory, LogementFactory
from tests.monde.territoires import territoire_nantes

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


def test_secret_statistique_masque_les_petits_effectifs_et_leur_complement():
    assert chiffres.secretiser([0, 12, 3, 40]) == ([0, None, None, 40], 55)
    assert chiffres.secretiser([0, 12, 3, 4]) == ([0, 12, None, None], 19)
    assert chiffres.secretiser([0, 0, 3]) == ([0, 0, None], None)
    assert chiffres.secretiser([10, 20]) == ([10, 20], 30)


def test_chiffres_cles_d_une_commune_photo_du_mois(client):
    m = territoire_nantes()
    for _ in range(6):
        d = DemandeFactory(guichet=m.guichet_reze, typologies=["T2", "T3"])
        LocalisationSouhaitee.objects.create(demande=d, rang=1, commune=m.reze, date_anciennete=d.date_depot)
    for typologie in ("T4", "T5"):  # deux petites cases : masquées toutes deux, sans masquage secondaire
        d = DemandeFactory(guichet=m.guichet_reze, typologies=[typologie])
        LocalisationSouhaitee.objects.create(demande=d, rang=1, commune=m.reze, date_anciennete=d.date_depot)
    for _ in range(5):
        d = DemandeFactory(
            guichet=m.guichet_reze, typologies=["T2"], date_depot=timezone.localdate() - datetime.timedelta(days=300)
        )
        LocalisationSouhaitee.objects.create(demande=d, rang=1, commune=m.reze, date_anciennete=d.date_depot)
        Demande.objects.filter(pk=d.pk).update(
            etat="satisfaite", date_fin=timezone.localdate() - datetime.timedelta(days=5)
        )
    LogementFactory.create_batch(7, commune=m.reze, programme__commune=m.reze, typologie="T2")

    reponse = client.get(reverse("portail:chiffres"), {"commune": m.reze.pk})
    html = reponse.content.decode()
    assert reponse.status_code == 200
    photo = ChiffresTerritoire.objects.get(territoire="commune", code=m.reze.pk)
    donnees = photo.donnees
    t2 = donnees["typologies"].index("T2 - 2 pièces")
    t4 = donnees["typologies"].index("T4 - 4 pièces")
    assert donnees["demandes"]["cases"][t2] == 6
    assert donnees["demandes"]["cases"][t4] is None  # 1 demande : secret
    assert donnees["attributions"]["cases"][t2] == 5
    assert donnees["pression"]["cases"][t2] == 1.2
    assert donnees["delai"]["cases"][t2] == 10  # 295 jours ≈ 10 mois
    assert donnees["parc"]["cases"][t2] == 7
    assert "Rezé" in html
    assert "n.d." in html
    # Photo du mois : relue, pas recalculée.
    DemandeFactory.create_batch(3, guichet=m.guichet_reze)
    client.get(reverse("portail:chiffres"), {"commune": m.reze.pk})
    assert ChiffresTerritoire.objects.count() == 1
    assert ChiffresTerritoire.objects.get().donnees == donnees


def test_chiffres_sans_territoire_choisi_le_dit(client):
    reponse = client.get(reverse("portail:chiffres"), {"commune": "", "epci": ""})
    assert reponse.status_code == 422
    assert "Choisissez une commune ou une intercommunalité." in reponse.content.decode()
