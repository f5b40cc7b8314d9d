"""Rattacher une demande enregistrée au guichet : numéro unique + date de naissance, code à usage unique
envoyé aux coordonnées du dossier (courriel ou courrier), 5 essais ; la même réponse que la demande existe ou non."""

import re
from pathlib import Path

from django.urls import reverse

from demandes.models import Demande, Evenement
from portail.rattachement.models import CodeRattachement
from tests.monde.dossiers import NAISSANCE, enregistrer
from tests.monde.factories import DemandeurFactory
from tests.monde.territoires import territoire_nantes
from tests.portail.aides import executer_taches


def _demander(client, demande, *, naissance=NAISSANCE, canal="courriel", numero=None):
    return client.post(
        reverse("portail:rattacher"),
        {
            "numero_unique": numero or demande.numero_unique_affiche,
            "date_naissance": naissance.strftime("%d/%m/%Y"),
            "canal": canal,
        },
    )


def _code(message) -> str:
    return re.search(r"Votre code : (\d{6})", message.body).group(1)


def test_le_code_part_a_l_adresse_du_dossier_et_rattache_la_demande(client, mailoutbox):
    m = territoire_nantes()
    demande = enregistrer(m, email="claire.martin@exemple.fr")
    moi = DemandeurFactory(email="compte@exemple.fr")
    client.force_login(moi)

    reponse = _demander(client, demande)
    assert reponse.url == reverse("portail:confirmer_code")
    executer_taches()
    assert [m_.to for m_ in mailoutbox] == [["claire.martin@exemple.fr"]]  # pas l'adresse du compte
    code = _code(mailoutbox[0])
    assert CodeRattachement.objects.get().empreinte != code  # seule l'empreinte est gardée

    faux = client.post(reverse("portail:confirmer_code"), {"code": "000000" if code != "000000" else "111111"})
    assert faux.status_code == 422
    assert "ne correspond pas" in faux.content.decode()
    assert CodeRattachement.objects.get().essais == 1  # l'essai manqué est bien écrit

    bon = client.post(reverse("portail:confirmer_code"), {"code": code})
    assert bon.url == reverse("portail:demande", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.compte_demandeur == moi
    evenement = Evenement.objects.filter(demande=demande).order_by("-id").first()
    assert evenement.precisions == "Demande rattachée à l'espace personnel du demandeur"
    assert evenement.auteur_id == moi.pk
    assert evenement.auteur_libelle == "Le demandeur (espace personnel)"
    # Le code ne sert qu'une fois.
    assert client.post(reverse("portail:confirmer_code"), {"code": code}).status_code == 422


def test_meme_reponse_sans_demande_correspondante_et_rien_n_est_envoye(client, mailoutbox):
    m = territoire_nantes()
    demande = enregistrer(m, email="claire.martin@exemple.fr")
    client.force_login(DemandeurFactory())
    mauvaise_date = _demander(client, demande, naissance=NAISSANCE.replace(year=1990))
    mauvais_numero = _demander(client, demande, numero="044 0000 00000 00000")
    assert mauvaise_date.url == mauvais_numero.url == reverse("portail:confirmer_code")
    assert executer_taches() == 0
    assert mailoutbox == []
    assert not CodeRattachement.objects.exists()


def test_par_courrier_une_lettre_est_ecrite_a_l_adresse_du_dossier(client, settings, tmp_path):
    settings.FDLS_COURRIERS_DIR = str(tmp_path)
    m = territoire_nantes()
    demande = enregistrer(m, adresse_numero="3", adresse_voie="rue des Lilas", code_postal="44400", ville="Rezé")
    client.force_login(DemandeurFactory())
    _demander(client, demande, canal="courrier")
    executer_taches()
    lettres = list(Path(tmp_path).rglob("rattachement-*.pdf"))
    assert len(lettres) == 1
    html = lettres[0].with_suffix(".html").read_text()
    assert "rue des Lilas" in html
    assert re.search(r"Votre code : <strong>\d{6}</strong>", html)


def test_cinq_codes_faux_rendent_le_code_inutilisable(client, mailoutbox):
    m = territoire_nantes()
    demande = enregistrer(m, email="claire.martin@exemple.fr")
    client.force_login(DemandeurFactory())
    _demander(client, demande)
    executer_taches()
    code = _code(mailoutbox[0])
    faux = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("portail:confirmer_code"), {"code": faux})
    assert client.post(reverse("portail:confirmer_code"), {"code": code}).status_code == 422
    assert Demande.objects.get(pk=demande.pk).compte_demandeur is None


def test_le_formulaire_explique_ses_erreurs_et_garde_la_saisie(client):
    client.force_login(DemandeurFactory())
    reponse = client.post(reverse("portail:rattacher"), {"numero_unique": "12", "date_naissance": "31/02/1980"})
    html = reponse.content.decode()
    assert reponse.status_code == 422
    assert "Le numéro unique compte 18 chiffres" in html
    assert "Date impossible ou mal écrite" in html
    assert 'value="31/02/1980"' in html
