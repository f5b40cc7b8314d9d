"""Compte du demandeur : inscription avec adresse vérifiée (lien → page avec bouton), connexion refusée avant
vérification, pas d'énumération des comptes, connexion limitée par poste (429)."""

from django.urls import reverse

from fdls.comptes.models import Utilisateur
from fdls.socle.models import TacheSortante
from tests.monde.factories import MOT_DE_PASSE, AgentFactory, DemandeurFactory
from tests.portail.aides import executer_taches, lien

INSCRIPTION = {
    "prenom": "Jean",
    "nom": "Billon",
    "email": "Jean.Billon@exemple.fr",
    "mot_de_passe": "une phrase de passe solide",
    "confirmation": "une phrase de passe solide",
}


def _connexion(client, email, mot_de_passe="une phrase de passe solide", **kwargs):
    return client.post(reverse("portail:connexion"), {"username": email, "password": mot_de_passe}, **kwargs)


def test_inscription_puis_verification_par_un_bouton_puis_connexion(client, mailoutbox):
    reponse = client.post(reverse("portail:inscription"), INSCRIPTION)
    assert reponse.status_code == 302
    assert reponse.url == reverse("portail:inscription_envoyee")
    user = Utilisateur.objects.get(email="jean.billon@exemple.fr")
    assert user.is_demandeur
    assert user.email_verifie_le is None
    assert mailoutbox == []  # rien n'est envoyé pendant la requête

    # Avant la vérification : le bon mot de passe ne suffit pas, le message le dit.
    refus = _connexion(client, "jean.billon@exemple.fr")
    assert refus.status_code == 200
    assert "pas encore confirmée" in refus.content.decode()
    assert "_auth_user_id" not in client.session

    assert executer_taches() == 1
    assert [m.to for m in mailoutbox] == [["jean.billon@exemple.fr"]]
    url = lien(mailoutbox[0])
    chemin = url.split("127.0.0.1:8000")[-1] if "127.0.0.1" in url else url
    # Le lien (GET) n'agit pas : il montre un bouton.
    page = client.get(chemin)
    assert page.status_code == 200
    assert "Confirmer mon adresse" in page.content.decode()
    user.refresh_from_db()
    assert user.email_verifie_le is None
    confirme = client.post(chemin)
    assert confirme.url == reverse("portail:connexion")
    user.refresh_from_db()
    assert user.email_verifie_le is not None
    # Le lien ne sert qu'une fois.
    assert client.post(chemin).status_code == 400

    assert _connexion(client, "jean.billon@exemple.fr").url == reverse("portail:espace")


def test_une_adresse_deja_connue_recoit_la_meme_reponse_et_un_courriel_qui_le_dit(client, mailoutbox):
    existant = DemandeurFactory(email="deja@exemple.fr")
    agent = AgentFactory(email="agent@exemple.fr")
    for email in ("deja@exemple.fr", "agent@exemple.fr", "nouveau@exemple.fr"):
        reponse = client.post(reverse("portail:inscription"), {**INSCRIPTION, "email": email})
        assert reponse.status_code == 302
        assert reponse.url == reverse("portail:inscription_envoyee")
    assert Utilisateur.objects.filter(email="deja@exemple.fr").count() == 1
    assert Utilisateur.objects.get(pk=existant.pk).check_password(MOT_DE_PASSE)  # mot de passe inchangé
    assert Utilisateur.objects.get(pk=agent.pk).is_agent
    assert TacheSortante.objects.filter(nom__startswith="portail.tasks.").count() == 3
    executer_taches()
    sujets = {m.to[0]: m.subject for m in mailoutbox}
    assert "déjà un compte" in sujets["deja@exemple.fr"]
    assert "déjà un compte" in sujets["agent@exemple.fr"]
    assert "Confirmez" in sujets["nouveau@exemple.fr"]


def test_l_inscription_refuse_un_mot_de_passe_faible_et_garde_la_saisie_sauf_le_mot_de_passe(client):
    reponse = client.post(
        reverse("portail:inscription"), {**INSCRIPTION, "mot_de_passe": "court", "confirmation": "court"}
    )
    html = reponse.content.decode()
    assert reponse.status_code == 422
    assert "Erreur" in html
    assert "12 caractères" in html
    assert 'value="Jean.Billon@exemple.fr"' in html
    assert 'value="Billon"' in html
    assert 'value="court"' not in html
    assert not Utilisateur.objects.filter(email__iexact="jean.billon@exemple.fr").exists()

    differents = client.post(reverse("portail:inscription"), {**INSCRIPTION, "confirmation": "autre chose"})
    assert "Les deux mots de passe sont différents." in differents.content.decode()


def test_au_dela_de_la_limite_par_poste_la_connexion_repond_429_sans_essayer(client, settings):
    settings.FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP = 3
    demandeur = DemandeurFactory()
    for _ in range(3):
        assert _connexion(client, "inconnu@exemple.fr", REMOTE_ADDR="10.1.1.1").status_code == 200
    bloque = _connexion(client, demandeur.email, MOT_DE_PASSE, REMOTE_ADDR="10.1.1.1")
    assert bloque.status_code == 429
    assert "Trop de tentatives de connexion" in bloque.content.decode()
    assert "_auth_user_id" not in client.session
    # Un autre poste n'est pas bloqué.
    assert _connexion(client, demandeur.email, MOT_DE_PASSE, REMOTE_ADDR="10.1.1.2").status_code == 302


def test_nouveau_lien_meme_reponse_pour_une_adresse_inconnue(client, mailoutbox):
    a_verifier = DemandeurFactory(email="attente@exemple.fr", email_verifie_le=None)
    for email in ("attente@exemple.fr", "personne@exemple.fr"):
        reponse = client.post(reverse("portail:nouveau_lien"), {"email": email})
        assert reponse.url == reverse("portail:inscription_envoyee")
    executer_taches()
    assert [m.to for m in mailoutbox] == [[a_verifier.email]]
