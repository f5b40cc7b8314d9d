"""La démonstration ne met jamais en danger une installation réelle : refusée en production, aucune clé TOTP
écrite dans le code, et les comptes qui existent déjà gardent leur second facteur et leur mot de passe."""

import base64
import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo import partenaires as socle_demo
from fdls.comptes.models import Utilisateur
from tests.monde.factories import CLE_TOTP, MOT_DE_PASSE, AgentFactory, TOTPDeviceFactory

RACINE = Path(settings.BASE_DIR)
#: La clé publiée jusqu'ici dans le README et le code de la démonstration.
CLE_PUBLIEE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("commande", ["demo", "comptes_demo"])
def test_la_demonstration_est_refusee_en_production(settings, commande):
    settings.PRODUCTION = True
    avant = set(Utilisateur.objects.values_list("email", "password"))
    with pytest.raises(CommandError, match="production"):
        call_command(commande, stdout=io.StringIO())
    # Aucun compte créé ni mot de passe changé.
    assert set(Utilisateur.objects.values_list("email", "password")) == avant


def test_chaque_compte_de_demonstration_a_sa_propre_cle_tiree_au_hasard(partenaires):
    cles = [bytes.fromhex(a.key) for a in TOTPDevice.objects.filter(user__email__endswith="@demo.fdls.fr")]
    assert len(cles) == len(socle_demo.COMPTES_DEMO)
    assert len(set(cles)) == len(cles)
    assert base64.b32decode(CLE_PUBLIEE) not in cles
    assert all(len(cle) >= 20 for cle in cles)


def test_relancer_la_demonstration_ne_change_ni_la_cle_ni_le_mot_de_passe_d_un_compte_existant(partenaires):
    # Un compte réel porte déjà l'une des adresses de la démonstration, avec son appareil et son mot de passe.
    admin = Utilisateur.objects.get(email="admin@demo.fdls.fr")
    TOTPDevice.objects.filter(user=admin).delete()
    TOTPDeviceFactory(user=admin, name="Téléphone personnel")
    admin.set_password(MOT_DE_PASSE)
    admin.save()
    avant = {a.pk: a.key for a in TOTPDevice.objects.filter(user__email__endswith="@demo.fdls.fr")}

    socle_demo.charger_partenaires()

    apres = {a.pk: a.key for a in TOTPDevice.objects.filter(user__email__endswith="@demo.fdls.fr")}
    assert apres == avant
    assert TOTPDevice.objects.get(user=admin).bin_key == base64.b32decode(CLE_TOTP)
    admin.refresh_from_db()
    assert admin.check_password(MOT_DE_PASSE)


def test_la_banniere_donne_le_moyen_d_obtenir_le_code_sans_cle_commune(partenaires):
    sortie = io.StringIO()
    call_command("comptes_demo", stdout=sortie)
    texte = sortie.getvalue()
    assert CLE_PUBLIEE not in texte
    assert "make code-totp EMAIL=" in texte
    agent = AgentFactory()
    assert agent.email not in texte


def test_aucune_cle_totp_ecrite_en_dur_hors_des_tests():
    fichiers = subprocess.run(
        ["git", "grep", "-l", "-I", CLE_PUBLIEE[:16], "--", ".", ":!tests/"],
        cwd=RACINE,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert fichiers == []
