"""Photo mensuelle : accord du SQL avec le calcul Python, idempotence, photo jamais réécrite, repli documenté."""

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Sum

from demandes.dossier import calculs
from demandes.dossier.saisie import charger_dossier
from demandes.models import Demande, Evenement
from fdls.socle.dates import mois_entre
from observatoire.croisement.dimensions import SOURCES
from observatoire.croisement.tableau import TOTAL, croiser
from observatoire.photos.models import Photo, PhotoAttribution, PhotoDelaiCube, PhotoDemande, PhotoLogement
from observatoire.photos.services import photographier_fichier
from tests.monde.factories import LogementFactory
from tests.observatoire.monde import PHOTO, attribuer, fichier_connu


def _tranche(mois: int) -> int:
    return 1 if mois < 6 else 2 if mois < 12 else 3 if mois < 24 else 4


def _attendu_demande(d: Demande, le: date) -> dict:
    """Le calcul Python de chaque colonne, par les fonctions des demandes (``demandes.dossier.calculs``)."""
    dossier = charger_dossier(d)
    choix1 = dossier.localisations[0]
    anciennete = mois_entre(d.date_depot, le)
    return {
        "commune": choix1.commune_id,
        "epci": choix1.commune.epci_id or "",
        "quartier_id": choix1.quartier_id,
        "qpv": bool(choix1.quartier and choix1.quartier.qpv),
        "typologie": d.typologies[0],
        "mutation": d.mutation,
        "prioritaire": d.labels.filter(type__famille="priorite", type__automatique=False, date_pose__lte=le)
        .exclude(date_retrait__lte=le)
        .exists(),
        # Le 1er quartile d'une demande en cours est le label automatique que les demandes tiennent chaque nuit.
        "premier_quartile": d.labels.filter(type__code="cp-premier-quartile", date_pose__lte=le)
        .exclude(date_retrait__lte=le)
        .exists(),
        "categorie_menage": d.categorie_menage,
        "anciennete_mois": anciennete,
        "tranche_anciennete": _tranche(anciennete),
        "organisme_id": d.guichet.organisme_id,
    }


def test_la_photo_sql_et_le_calcul_python_sont_d_accord():
    f = fichier_connu()
    LogementFactory.create_batch(3, programme__commune=f.m.nantes, programme__bailleur=f.m.bailleur)
    LogementFactory(programme__commune=f.m.reze, programme__bailleur=f.m.bailleur, typologie="T2")

    photo = photographier_fichier(PHOTO).photo

    # Demandes en cours au 1/1/2026 (Python : déposées avant, pas finies avant) : colonne par colonne.
    en_cours = [
        d
        for d in Demande.objects.filter(etat__in=["active", "satisfaite", "annulee"])
        if d.date_depot < PHOTO and (d.date_fin is None or d.date_fin >= PHOTO)
    ]
    assert {d.pk for d in en_cours} == {d.pk for d in f.en_cours.values()}
    lignes = {r["demande_id"]: r for r in PhotoDemande.objects.filter(photo=photo).values()}
    assert set(lignes) == {d.pk for d in en_cours}
    for d in en_cours:
        attendu = _attendu_demande(d, PHOTO)
        assert {k: lignes[d.pk][k] for k in attendu} == attendu, d
    assert [lignes[f.en_cours[k].pk]["anciennete_mois"] for k in ("E1", "E2", "E3", "E4")] == [3, 7, 18, 30]
    assert lignes[f.en_cours["E3"].pk]["prioritaire"] is True
    assert lignes[f.en_cours["E4"].pk]["prioritaire"] is False  # label retiré avant la photo
    # 29/02/2024 + 22 mois = 29/12/2025 : 22 mois révolus (fdls.socle.dates.mois_entre), pas 21.
    assert lignes[f.en_cours["E6"].pk]["anciennete_mois"] == 22

    assert lignes[f.en_cours["E1"].pk]["premier_quartile"] is True
    assert lignes[f.en_cours["E3"].pk]["premier_quartile"] is False

    # Attributions : 2025 (l'année civile précédente ; A0, bail de 2024, n'y est pas) ; RUC et quartile au bail.
    attributions = {r["demande_id"]: r for r in PhotoAttribution.objects.filter(photo=photo).values()}
    assert set(attributions) == {d.pk for nom, d in f.attributions.items() if nom != "A0"}
    for nom, d in f.attributions.items():
        if nom == "A0":
            continue
        ligne = attributions[d.pk]
        evenement = Evenement.objects.get(demande=d, type="satisfaction")
        synthese = calculs.synthese(charger_dossier(d), le=ligne["date_bail"])
        assert ligne["ruc_annuel"] == int(synthese.ruc_annuel), nom
        assert ligne["premier_quartile"] == synthese.premier_quartile, nom
        assert ligne["delai_mois"] == mois_entre(d.date_depot, ligne["date_bail"]), nom
        assert ligne["evenement_id"] == evenement.pk
        assert ligne["commune"] == evenement.details.get("commune", d.localisations.get(rang=1).commune_id)

    # Parc : compté par commune × typologie × … (4 logements).
    assert sum(PhotoLogement.objects.filter(photo=photo).values_list("nb_logements", flat=True)) == 4
    assert (photo.nb_demandes, photo.nb_attributions, photo.nb_logements) == (6, 7, 4)


def test_un_evenement_ancien_se_replie_sur_le_premier_choix_de_la_demande():
    f = fichier_connu()
    photo = photographier_fichier(PHOTO).photo

    a4 = PhotoAttribution.objects.get(photo=photo, demande_id=f.attributions["A4"].pk)
    assert (a4.repli, a4.commune, a4.typologie, a4.qpv, a4.financement) == (True, "44143", "T2", False, "")
    assert a4.bailleur == "Nantes Métropole Habitat"
    a2 = PhotoAttribution.objects.get(photo=photo, demande_id=f.attributions["A2"].pk)
    assert (a2.repli, a2.commune, a2.typologie, a2.financement) == (False, "44143", "T4", "PLUS")


def test_la_photo_est_idempotente_et_jamais_reecrite():
    f = fichier_connu()
    premiere = photographier_fichier(PHOTO)
    avant = list(PhotoDemande.objects.order_by("id").values_list("id", "demande_id", "anciennete_mois"))
    # Le fichier change ensuite : la photo de janvier ne bouge pas.
    Demande.objects.filter(pk=f.en_cours["E1"].pk).update(etat="annulee", date_fin=date(2025, 12, 1))

    seconde = photographier_fichier(date(2026, 1, 20))

    assert premiere.prise
    assert not seconde.prise
    assert seconde.photo.pk == premiere.photo.pk
    assert list(PhotoDemande.objects.order_by("id").values_list("id", "demande_id", "anciennete_mois")) == avant
    assert Photo.objects.count() == 1
    with pytest.raises(DatabaseError, match="figée"), transaction.atomic():
        PhotoDemande.objects.filter(photo=premiere.photo).update(anciennete_mois=0)
    with pytest.raises(DatabaseError, match="figée"), transaction.atomic():
        PhotoDemande.objects.filter(photo=premiere.photo).delete()
    with pytest.raises(DatabaseError, match="figée"), transaction.atomic():
        Photo.objects.filter(pk=premiere.photo.pk).update(nb_demandes=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Photo.objects.create(mois=PHOTO, prise_le=premiere.photo.prise_le)


def test_une_photo_du_futur_est_refusee():
    with pytest.raises(ValueError, match="ne peut pas être prise"):
        photographier_fichier(date(2099, 1, 1))


@pytest.mark.parametrize(
    ("code", "modele", "moyenne", "champ"),
    [
        ("demandes", PhotoDemande, "anciennete", "anciennete_mois"),
        ("attributions", PhotoAttribution, "delai", "delai_mois"),
    ],
)
def test_le_cube_et_les_lignes_de_la_photo_donnent_les_memes_tableaux(code, modele, moyenne, champ):
    fichier_connu()
    photo = photographier_fichier(PHOTO).photo
    source = SOURCES[code]
    cubes = source.cube.objects.filter(photo=photo)
    assert sum(cubes.values_list("nb", flat=True)) == modele.objects.filter(photo=photo).count() > 0
    codes = sorted(source.dimensions_cube)
    for ligne in codes:
        for colonne in [None, *codes]:
            if colonne == ligne:
                continue
            champs = [source.dimensions[c].champ for c in (ligne, colonne) if c]
            # Le calcul jumeau : les lignes de la photo, agrégées par l'ORM.
            attendu = {
                tuple(r[c] for c in champs): (r["a"], r["n"])
                for r in modele.objects.filter(photo=photo).values(*champs).annotate(n=Count("id"), a=Sum(champ))
            }
            tableau = croiser(code, photo, ligne=ligne, colonne=colonne, mesure=moyenne)
            for cle, valeurs in attendu.items():
                assert tableau.cases[(cle[0], cle[1] if colonne else TOTAL)] == valeurs, (ligne, colonne, cle)
            filtre = croiser(code, photo, ligne=ligne, colonne=colonne, filtres={"epci": "244400404"})
            assert filtre.total == modele.objects.filter(photo=photo, epci="244400404").count()


def test_le_cube_des_delais_donne_les_delais_des_baux():
    """Le cube des délais compte les baux de la photo par (année, territoire, typologie, statut, délai) : le
    calcul jumeau est le même comptage des lignes de la photo par l'ORM."""
    fichier_connu()
    photo = photographier_fichier(PHOTO).photo
    cles = ["annee", "epci", "commune", "typologie", "mutation", "delai_mois"]
    attendu = {
        tuple(r[c] for c in cles): r["n"]
        for r in PhotoAttribution.objects.filter(photo=photo).values(*cles).annotate(n=Count("id"))
    }
    cube = {tuple(r[c] for c in cles): r["nb"] for r in PhotoDelaiCube.objects.filter(photo=photo).values(*cles, "nb")}
    assert cube == attendu
    assert len(cube) >= 5  # le fichier connu a des baux de plusieurs délais
    with pytest.raises(DatabaseError, match="figée"), transaction.atomic():
        PhotoDelaiCube.objects.filter(photo=photo).update(nb=0)


def test_les_baux_deja_photographies_sont_recopies_a_l_identique():
    f = fichier_connu()
    janvier = photographier_fichier(PHOTO).photo
    # Un bail de janvier 2026, après la photo de janvier : calculé par la photo de février.
    nouveau = f.en_cours["E6"]
    attribuer(nouveau, bail=date(2026, 1, 20), commune=f.m.nantes, qpv=False, bailleur=f.m.bailleur)
    fevrier = photographier_fichier(date(2026, 2, 1)).photo

    def lignes(photo):
        return {
            r.pop("evenement_id"): r
            for r in PhotoAttribution.objects.filter(photo=photo).values(
                "evenement_id",
                "demande_id",
                "date_bail",
                "commune",
                "qpv",
                "ruc_annuel",
                "premier_quartile",
                "prioritaire",
                "delai_mois",
                "repli",
            )
        }

    avant, apres = lignes(janvier), lignes(fevrier)
    assert set(apres) == set(avant) | {Evenement.objects.get(demande=nouveau, type="satisfaction").pk}
    assert all(apres[e] == avant[e] for e in avant)
    synthese = calculs.synthese(charger_dossier(nouveau), le=date(2026, 1, 20))
    ligne = PhotoAttribution.objects.get(photo=fevrier, demande_id=nouveau.pk)
    assert (ligne.ruc_annuel, ligne.premier_quartile, ligne.annee) == (int(synthese.ruc_annuel), False, 2026)
    assert synthese.premier_quartile is False  # 14 400 €/UC, au-dessus du seuil de 10 000 €
    assert fevrier.nb_attributions == 8
