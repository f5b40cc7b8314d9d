"""Import du parc d'un bailleur : bons et mauvais fichiers, tout ou rien,
lignes valides seulement sur demande, ré-import idempotent, écran et API."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offre.importation.analyse import analyser
from offre.importation.services import importer_lignes_valides, importer_logements
from offre.models import ImportLogements, Logement, Programme
from tests.monde.factories import CommuneFactory, LogementFactory, OrganismeFactory, QuartierFactory, agent_bailleur
from tests.monde.fichiers import ENTETES, csv_de, ligne, xlsx_de


@pytest.fixture
def nantes():
    commune = CommuneFactory(code_insee="44500", nom="Nantes")
    QuartierFactory(commune=commune, nom="Malakoff", qpv=True)
    OrganismeFactory(nom="DDETS de Loire-Atlantique", sigle="DDETS 44", type="etat")
    return commune


def _importer(agent, contenu, nom="parc.csv", **options):
    return importer_logements(auteur=agent, fichier=SimpleUploadedFile(nom, contenu), nom_fichier=nom, **options)


def test_un_fichier_valide_est_importe(nantes):
    agent = agent_bailleur()
    contenu = csv_de(
        [
            ligne(quartier="malakoff", reservataire="ddets 44", labels="ASV|ELAN-30"),
            ligne(code_logement="0014", quartier="Malakoff", typologie="studio", surface="30", loyer="190", etage="0"),
            ligne(
                code_programme="5202",
                nom_programme="BOURGAULT-DUCOUDRAY",
                code_logement="111",
                categorie="maison",
                etage="0",
            ),
        ]
    )

    import_ = _importer(agent, contenu)

    assert (import_.etat, import_.nb_lignes, import_.nb_crees, import_.nb_modifies) == ("importe", 3, 3, 0)
    logement = Logement.objects.select_related("programme", "reservataire", "quartier").get(code="0013")
    assert logement.reference == "KALLIMA 2 (0629 - 0013)"
    assert (logement.surface, logement.loyer, logement.charges) == (Decimal("68.5"), Decimal("412.30"), Decimal("85"))
    assert (logement.accessibilite, logement.dpe, logement.labels) == ("accessible", "C", ["ASV", "ELAN-30"])
    assert logement.reservataire.nom == "DDETS de Loire-Atlantique"
    assert logement.quartier.nom == "Malakoff"
    assert logement.qpv
    assert logement.programme.qpv
    assert Logement.objects.get(code="0014").typologie == "T1"
    assert Programme.objects.filter(bailleur=agent.organisme).count() == 2
    assert Programme.objects.get(code="0629").financement == "PLUS"


def test_le_meme_fichier_en_xlsx(nantes):
    agent = agent_bailleur()
    import_ = _importer(agent, xlsx_de([ligne(), ligne(code_logement="0014")]), nom="parc.xlsx")
    assert (import_.etat, import_.nb_crees) == ("importe", 2)
    assert Logement.objects.get(code="0013").surface == Decimal("68.5")


def test_un_xlsx_aux_cellules_typees_comme_les_saisit_un_tableur(nantes):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(ENTETES)
    valeurs = ligne(code_insee=44500, annee_construction=1998, surface=68.5, etage=3, loyer=412.3, charges=85)
    valeurs.update(accessibilite=None, dpe=None, labels=None, ascenseur=True)
    feuille.append([valeurs[e] for e in ENTETES])
    sortie = io.BytesIO()
    classeur.save(sortie)

    import_ = _importer(agent_bailleur(), sortie.getvalue(), nom="parc.xlsx")

    assert import_.etat == "importe", import_.erreurs
    logement = Logement.objects.get()
    assert (logement.surface, logement.loyer, logement.etage, logement.ascenseur) == (
        Decimal("68.5"),
        Decimal("412.30"),
        3,
        True,
    )
    assert (logement.accessibilite, logement.dpe) == ("", "")


def test_un_csv_windows_1252_separe_par_des_virgules(nantes):
    agent = agent_bailleur()
    contenu = csv_de(
        [ligne(nom_programme="Résidence Hélène", surface="68.5", loyer="412.30")], separateur=",", encodage="cp1252"
    )
    import_ = _importer(agent, contenu)
    assert import_.etat == "importe"
    assert Programme.objects.get().nom == "Résidence Hélène"


def test_reimporter_met_a_jour_par_code_sans_dupliquer(nantes):
    agent = agent_bailleur()
    _importer(agent, csv_de([ligne(), ligne(code_logement="0014")]))
    autre = LogementFactory(programme=Programme.objects.get(code="0629"), code="0099")

    import_ = _importer(agent, csv_de([ligne(loyer="430"), ligne(code_logement="0014"), ligne(code_logement="0015")]))

    assert (import_.nb_crees, import_.nb_modifies) == (1, 2)
    assert Logement.objects.count() == 4
    assert Logement.objects.get(code="0013").loyer == Decimal("430")
    assert Logement.objects.filter(pk=autre.pk).exists()  # absent du fichier : laissé tel quel


def test_deux_bailleurs_peuvent_avoir_les_memes_codes(nantes):
    _importer(agent_bailleur(), csv_de([ligne()]))
    _importer(agent_bailleur(), csv_de([ligne()]))
    assert Logement.objects.count() == 2


MAUVAISES_LIGNES = [
    (ligne(code_insee="44999"), "code_insee", "Commune inconnue : aucun code INSEE « 44999 »"),
    (ligne(loyer="4120"), "loyer", "hors des bornes"),
    (ligne(loyer="41,23"), "loyer", "Loyer impossible"),
    (ligne(loyer="douze"), "loyer", "n'est pas un nombre"),
    (ligne(typologie="T9"), "typologie", "« T9 » n'est pas admis"),
    (ligne(financement="PLAIS"), "financement", "PLAI, PLUS, PLS ou PLI"),
    (ligne(categorie="maison", etage="2"), "etage", "Une maison"),
    (ligne(quartier="Bellevue"), "quartier", "Quartier inconnu dans la commune 44500 (quartiers connus : malakoff)"),
    (ligne(reservataire="Inconnu SA"), "reservataire", "Réservataire inconnu"),
    (ligne(code_logement=""), "code_logement", "Valeur obligatoire manquante"),
    (ligne(code_logement="00 13"), "code_logement", "invalide"),
    (ligne(labels="ASV|ASV"), "labels", "deux fois"),
]


@pytest.mark.parametrize(("mauvaise", "colonne", "message"), MAUVAISES_LIGNES)
def test_une_ligne_en_erreur_bloque_tout_le_fichier(nantes, mauvaise, colonne, message):
    agent = agent_bailleur()
    mauvaise = {**mauvaise, "code_logement": mauvaise["code_logement"] or "", "code_programme": "9999"}
    contenu = csv_de([ligne(), mauvaise, ligne(code_logement="0014")])

    import_ = _importer(agent, contenu)

    assert import_.etat == ImportLogements.Etat.ERREURS
    assert (import_.nb_lignes, import_.nb_erreurs, import_.nb_valides) == (3, 1, 2)
    erreur = import_.erreurs[0]
    assert (erreur["ligne"], erreur["colonne"]) == (3, colonne)
    assert message in erreur["message"]
    assert not Logement.objects.exists()
    assert not Programme.objects.exists()


def test_un_code_en_double_et_un_programme_incoherent(nantes):
    analyse = analyser(csv_de([ligne(), ligne(loyer="400"), ligne(code_logement="0014", nom_programme="KALLIMA 3")]))
    assert [(e["ligne"], e["colonne"]) for e in analyse.erreurs] == [(3, "code_logement"), (4, "nom_programme")]
    assert "déjà présent ligne 2" in analyse.erreurs[0]["message"]
    assert "décrit autrement ligne 2" in analyse.erreurs[1]["message"]


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "vide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "ni un CSV ni un classeur"),
        (b"PK\x03\x04pas une archive", "illisible"),
        (b"code_programme;nom_programme\n0629;KALLIMA\n", "code_insee, code_logement, typologie"),
        (csv_de([]), "aucune ligne"),
    ],
)
def test_un_fichier_illisible_est_explique(nantes, contenu, message):
    import_ = _importer(agent_bailleur(), contenu)
    assert import_.etat == "erreurs"
    assert message in import_.erreurs[0]["message"]
    assert not import_.fichier
    assert not Logement.objects.exists()


def test_importer_les_lignes_valides_a_la_demande(nantes):
    agent = agent_bailleur()
    contenu = csv_de([ligne(), ligne(code_logement="0014", loyer="0"), ligne(code_logement="0015")])

    refuse = _importer(agent, contenu)
    assert refuse.etat == "erreurs"
    assert refuse.fichier

    import_ = importer_lignes_valides(auteur=agent, import_=refuse)

    assert (import_.etat, import_.nb_crees, import_.nb_erreurs) == ("importe", 2, 1)
    assert set(Logement.objects.values_list("code", flat=True)) == {"0013", "0015"}
    assert not import_.fichier  # le fichier n'est plus conservé


def test_l_option_lignes_valides_importe_directement(nantes):
    agent = agent_bailleur()
    import_ = _importer(
        agent, csv_de([ligne(), ligne(code_logement="0014", code_insee="00000")]), lignes_valides_seulement=True
    )
    assert (import_.etat, import_.nb_crees, import_.nb_erreurs) == ("importe", 1, 1)
    assert import_.erreurs[0]["colonne"] == "code_insee"


def test_un_autre_bailleur_ne_peut_pas_importer_les_lignes_d_un_import(nantes):
    refuse = _importer(agent_bailleur(), csv_de([ligne(), ligne(code_logement="0014", loyer="0")]))
    with pytest.raises(Exception, match="autre bailleur"):
        importer_lignes_valides(auteur=agent_bailleur(), import_=refuse)
    assert not Logement.objects.exists()


def test_colonnes_dans_le_desordre_avec_accents_et_colonne_inconnue(nantes):
    entetes = [
        "Typologie",
        "Code INSEE",
        "Nom programme",
        "Code programme",
        "Code logement",
        "Catégorie",
        "Surface",
        "Loyer",
        "Financement",
        "Commentaire",
    ]
    contenu = ";".join(entetes).encode() + b"\nT2;44500;KALLIMA 2;0629;0013;Appartement;48;300;PLUS;rien\n"
    import_ = _importer(agent_bailleur(), contenu)
    assert import_.etat == "importe", import_.erreurs
    assert import_.avertissements == ["Colonnes ignorées (inconnues) : Commentaire."]


# --- Écrans -----------------------------------------------------------------


def test_l_ecran_d_import_refuse_puis_importe_les_lignes_valides(client, agent_verifie, nantes):
    agent = agent_verifie(agent_bailleur())
    page = client.get(reverse("offre:importer"))
    assert "code_programme" in page.content.decode()
    assert "Colonnes reconnues" in page.content.decode()

    fichier = SimpleUploadedFile("parc.csv", csv_de([ligne(), ligne(code_logement="0014", code_insee="44999")]))
    reponse = client.post(reverse("offre:importer"), {"fichier": fichier}, follow=True)

    html = reponse.content.decode()
    assert "Rien n'a été importé" in html
    assert "Commune inconnue : aucun code INSEE « 44999 » au référentiel." in html
    assert "Importer la ligne valide (ignorer la ligne en erreur)" in html
    assert not Logement.objects.exists()

    import_ = ImportLogements.objects.get()
    reponse = client.post(reverse("offre:importer_valides", args=[import_.pk]), follow=True)
    assert "Import terminé : 1 logement créé, 0 mis à jour. 1 ligne en erreur ignorée." in reponse.content.decode()
    assert Logement.objects.get().bailleur == agent.organisme


def test_le_modele_csv_se_reimporte_tel_quel(client, agent_verifie, nantes):
    agent = agent_verifie(agent_bailleur())
    modele = client.get(reverse("offre:modele_import"))
    assert modele["Content-Type"].startswith("text/csv")
    contenu = modele.content.decode("utf-8-sig").replace("44109", "44500").replace("Malakoff", "malakoff")
    import_ = _importer(agent, contenu.encode())
    assert import_.etat == "importe", import_.erreurs


def test_le_rapport_d_import_d_un_autre_bailleur_est_introuvable(client, agent_verifie, nantes):
    import_ = _importer(agent_bailleur(), csv_de([ligne(loyer="0")]))
    agent_verifie(agent_bailleur())
    assert client.get(reverse("offre:import", args=[import_.pk])).status_code == 404
    assert client.post(reverse("offre:importer_valides", args=[import_.pk])).status_code == 404


# --- API ----------------------------------------------------------------------


def test_import_par_l_api(client, jeton, nantes):
    _agent, entetes, _ = jeton(agent_bailleur(), ecriture=True)
    mauvais = SimpleUploadedFile("parc.csv", csv_de([ligne(), ligne(code_logement="0014", loyer="-3")]))

    reponse = client.post("/api/v1/imports-logements/", {"fichier": mauvais}, headers=entetes)

    assert reponse.status_code == 400
    corps = reponse.json()
    assert corps["code"] == "fichier_invalide"
    assert corps["import"]["erreurs"] == [
        {"ligne": 3, "colonne": "loyer", "message": "-3 € est hors des bornes admises (0.01 à 3000 €)."}
    ]
    assert not Logement.objects.exists()

    bon = SimpleUploadedFile("parc.csv", csv_de([ligne(), ligne(code_logement="0014")]))
    reponse = client.post("/api/v1/imports-logements/", {"fichier": bon}, headers=entetes)
    assert reponse.status_code == 201
    assert (reponse.json()["nb_crees"], reponse.json()["etat"]) == (2, "importe")
    rapport = client.get(f"/api/v1/imports-logements/{reponse.json()['id']}/", headers=entetes)
    assert rapport.json()["nb_lignes"] == 2
