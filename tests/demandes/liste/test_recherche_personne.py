"""Recherche d'une personne dans la liste (issue 20, point 2) : nom de naissance avec le nom d'usage, numéro
unique partiel, prénom seul avec la date de naissance, téléphone, courriel ; tri par colonne, taille de page ;
les deux chemins (table de recherche, ORM du filtre) rendent les mêmes demandes."""

from datetime import date

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from cotation.models import ResultatCotation
from demandes.liste.criteres import Criteres
from demandes.liste.filters import DemandeFilter
from demandes.liste.recherche import ResultatRecherche
from demandes.models import Demande, Personne
from tests.monde.factories import DemandeFactory


def _ids(reponse) -> list[int]:
    return [d.pk for d in reponse.context["page"].object_list]


def _par_orm(user, donnees) -> tuple[list[int], Criteres]:
    requete = RequestFactory().get("/demandes/", donnees)
    requete.user = user
    filtre = DemandeFilter(
        donnees, queryset=Demande.objects.visibles_par(user).order_by("-date_depot", "-id"), request=requete
    )
    assert filtre.is_valid(), filtre.errors
    return list(filtre.qs.values_list("pk", flat=True)), filtre.criteres()


def _sans_ordre_memes(user, donnees) -> list[int]:
    attendu, criteres = _par_orm(user, donnees)
    trouve = ResultatRecherche(user, criteres, lambda ids: []).identifiants(0, 1000)
    assert sorted(trouve) == sorted(attendu), donnees
    return trouve


def test_le_nom_de_naissance_est_cherche_avec_le_nom_d_usage(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    mariee = DemandeFactory(
        nom="Leroy", prenom="Anne", communes=[reze], menage__nom_naissance="Morvan", menage__sexe="F"
    )
    usage = DemandeFactory(nom="Morvan", prenom="Paul", communes=[reze])
    DemandeFactory(nom="Leroux", communes=[reze])
    agent_verifie(territoire_reze.agent)

    trouve = _ids(client.get(reverse("demandes:liste"), {"nom": "morv"}))

    assert sorted(trouve) == sorted([mariee.pk, usage.pk])
    assert _ids(client.get(reverse("demandes:liste"), {"nom": "leroy"})) == [mariee.pk]
    # Recherche par nom : ordre alphabétique, annoncé sur la colonne du demandeur.
    assertContains(client.get(reverse("demandes:liste"), {"nom": "morv"}), 'aria-sort="ascending">Demandeur')
    assert sorted(_sans_ordre_memes(territoire_reze.agent, {"nom": "morv"})) == sorted([mariee.pk, usage.pk])


def test_un_numero_unique_partiel_quelle_que_soit_sa_mise_en_forme(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    cherchee = DemandeFactory(communes=[reze], numero_unique="044122600003510865")
    autre = DemandeFactory(communes=[reze], numero_unique="044122600004710865")
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert _ids(client.get(url, {"numero_unique": "000035"})) == [cherchee.pk]
    assert sorted(_ids(client.get(url, {"numero_unique": "044 1226"}))) == sorted([cherchee.pk, autre.pk])
    assert _ids(client.get(url, {"numero_unique": "044 1226 000035 10865"})) == [cherchee.pk]
    trop_court = client.get(url, {"numero_unique": "04 4"})
    assertContains(trop_court, "une partie du numéro en compte au moins 4 (vous en avez saisi 3)")
    assertContains(trop_court, 'value="04 4"')
    _sans_ordre_memes(territoire_reze.agent, {"numero_unique": "000035"})


def test_un_numero_partiel_long_doit_se_suivre_dans_le_numero(client, agent_verifie, territoire_reze):
    """Au-delà de 6 chiffres, l'index des fenêtres de 6 chiffres trouve les numéros qui les ont toutes ; seuls
    restent ceux où elles se suivent."""
    reze = territoire_reze.reze
    cherchee = DemandeFactory(communes=[reze], numero_unique="044122600003510865")
    # « 000035 » et « 000351 » y sont, mais pas « 0000351 ».
    epars = DemandeFactory(communes=[reze], numero_unique="000035900035199999")
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert _ids(client.get(url, {"numero_unique": "0000351"})) == [cherchee.pk]
    assert sorted(_ids(client.get(url, {"numero_unique": "000035"}))) == sorted([cherchee.pk, epars.pk])
    assert _ids(client.get(url, {"numero_unique": "0351 0865"})) == [cherchee.pk]
    for chiffres in ("0000351", "000035", "35100", "99999", "0865"):
        _sans_ordre_memes(territoire_reze.agent, {"numero_unique": chiffres})


def test_le_prenom_seul_se_cherche_avec_la_date_de_naissance(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    cherchee = DemandeFactory(nom="Bernard", prenom="Yasmine", date_naissance=date(1988, 3, 14), communes=[reze])
    DemandeFactory(nom="Colin", prenom="Yasmine", date_naissance=date(1990, 3, 14), communes=[reze])
    DemandeFactory(nom="Dupuis", prenom="Marc", date_naissance=date(1988, 3, 14), communes=[reze])
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert _ids(client.get(url, {"prenom": "yas", "date_naissance": "14/03/1988"})) == [cherchee.pk]
    sans_date = client.get(url, {"prenom": "yas"})
    assertContains(sans_date, "Saisissez aussi le début du nom ou la date de naissance")
    assertContains(sans_date, 'value="yas"')
    _sans_ordre_memes(territoire_reze.agent, {"prenom": "yas", "date_naissance": "14/03/1988"})


def test_telephone_et_courriel_du_menage_ou_d_une_personne(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    par_menage = DemandeFactory(communes=[reze], telephone="02 40 11 22 33", email="Claire.Durand@exemple.fr")
    par_personne = DemandeFactory(communes=[reze])
    Personne.objects.filter(demande=par_personne).update(telephone="+33 6 12 34 56 78", email="jo@exemple.fr")
    DemandeFactory(communes=[reze], telephone="02 40 99 99 99")
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert _ids(client.get(url, {"telephone": "0240112233"})) == [par_menage.pk]
    assert _ids(client.get(url, {"telephone": "06.12.34.56.78"})) == [par_personne.pk]
    assert _ids(client.get(url, {"email": "claire.durand@EXEMPLE.fr"})) == [par_menage.pk]
    assert _ids(client.get(url, {"email": "jo@exemple.fr"})) == [par_personne.pk]
    court = client.get(url, {"telephone": "0612"})
    assertContains(court, "Saisissez le numéro de téléphone en entier")
    _sans_ordre_memes(territoire_reze.agent, {"telephone": "06 12 34 56 78"})
    _sans_ordre_memes(territoire_reze.agent, {"email": "jo@exemple.fr"})


def test_la_recherche_ne_sort_pas_du_territoire(client, agent_verifie, territoire_reze):
    ailleurs = DemandeFactory(
        communes=[territoire_reze.nantes], telephone="02 40 11 22 33", numero_unique="044122600003520008"
    )
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    assert ailleurs.pk not in _ids(client.get(url, {"telephone": "02 40 11 22 33"}))
    assert ailleurs.pk not in _ids(client.get(url, {"numero_unique": "000035"}))


def test_tri_par_colonne_et_taille_de_page(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    demandes = [DemandeFactory(communes=[reze], date_depot=date(2024, 1, 1 + i)) for i in range(25)]
    agent_verifie(territoire_reze.agent)
    url = reverse("demandes:liste")

    recentes = client.get(url)
    anciennes = client.get(url, {"tri": "depot", "par_page": "20"})

    assert _ids(recentes) == [d.pk for d in reversed(demandes)]
    assert _ids(anciennes) == [d.pk for d in demandes[:20]]
    assertContains(anciennes, 'aria-sort="ascending"')
    assertContains(anciennes, "du dépôt le plus ancien au plus récent")
    # Renouvellement : triable pour les demandes actives seulement (index des échéances).
    assertContains(recentes, "Renouvellement</th>")
    actives = client.get(url, {"etat": "active", "tri": "-expiration"})
    assert _ids(actives) == [d.pk for d in reversed(demandes)]
    assertContains(actives, 'aria-sort="descending"')
    # Une taille de page inconnue revient à 50 ; un tri impossible, à l'ordre de la variante.
    assert len(_ids(client.get(url, {"par_page": "7"}))) == 25
    assert _ids(client.get(url, {"tri": "-expiration"})) == [d.pk for d in reversed(demandes)]


def test_la_fiche_garde_les_criteres_et_mene_aux_voisines(client, agent_verifie, territoire_reze):
    reze = territoire_reze.reze
    a, b, c = (DemandeFactory(nom="Garnier", communes=[reze], date_depot=date(2024, 5, 1 + i)) for i in range(3))
    agent_verifie(territoire_reze.agent)
    liste = "nom=garnier&tri=depot&par_page=20"

    reponse = client.get(reverse("demandes:detail", args=[b.pk]), {"liste": liste})

    assert reponse.context["navigation"]["retour"] == f"{reverse('demandes:liste')}?{liste}"
    assert reponse.context["navigation"]["position"] == 2
    assert f"/demandes/{a.pk}/?" in reponse.context["navigation"]["precedente"]
    assert f"/demandes/{c.pk}/?" in reponse.context["navigation"]["suivante"]
    assertContains(reponse, "Demande précédente")
    # Sans liste d'origine : le fil d'Ariane mène à la liste sans critères, pas de voisines.
    seule = client.get(reverse("demandes:detail", args=[b.pk]))
    assert seule.context["navigation"] is None


def test_les_colonnes_utiles_de_la_liste(client, agent_verifie, territoire_reze):
    demande = DemandeFactory(
        nom="Perrin",
        communes=[territoire_reze.reze],
        typologies=["T2", "T3"],
        nb_personnes=3,
        date_depot=date(2023, 1, 5),
    )
    ResultatCotation.objects.update_or_create(
        demande=demande, territoire="244400404", defaults={"total": 312, "calcule_le": timezone.now()}
    )
    agent_verifie(territoire_reze.agent)

    reponse = client.get(reverse("demandes:liste"))

    assertContains(reponse, "<td>T2, T3</td>", html=True)
    assertContains(reponse, "3 pers.")
    assertContains(reponse, '<span class="personne">312</span>', html=True)
    assertContains(reponse, "05/01/2023")
    assertContains(reponse, " an")  # ancienneté lisible (« 3 ans 11 mois »…)
    assertContains(reponse, f'href="/demandes/{demande.pk}/?liste=')


def test_noms_d_usage_et_de_naissance_fusionnes_dans_l_ordre_sans_en_sauter(territoire_reze):
    """Les noms de naissance ne sont lus que jusqu'au dernier nom d'usage retenu : ceux d'avant s'intercalent
    à leur place alphabétique, ceux d'après n'entrent pas tant que les noms d'usage suffisent."""
    reze = territoire_reze.reze
    usages = [DemandeFactory(nom="Martin", prenom=p, communes=[reze]) for p in ("Alix", "Basile", "Cyril", "Dora")]
    avant = DemandeFactory(nom="Leroy", prenom="Zoé", communes=[reze], menage__nom_naissance="Mabon")
    entre = DemandeFactory(nom="Petit", prenom="Axel", communes=[reze], menage__nom_naissance="Martin")
    apres = DemandeFactory(nom="Roux", prenom="Eve", communes=[reze], menage__nom_naissance="Mazet")
    resultat = ResultatRecherche(territoire_reze.agent, Criteres(nom="MA"), list)
    alphabetique = [avant, usages[0], entre, *usages[1:], apres]  # MABON, MARTIN Alix, MARTIN Axel, …, MAZET
    attendu = [d.pk for d in alphabetique]
    # 4 lignes voulues : les 4 noms d'usage MARTIN suffisent, les noms de naissance sont lus jusqu'à MARTIN.
    assert resultat._par_nom(2) == attendu[:2]
    assert resultat._par_nom(3) == attendu[:3]  # 5 lignes voulues : les noms de naissance lus en entier
    assert resultat._par_nom(7) == attendu
    assert sorted(_sans_ordre_memes(territoire_reze.agent, {"nom": "ma"})) == sorted(attendu)
