"""Le parc : fichiers d'import dans un stockage privé propre à chaque test."""

import pytest


@pytest.fixture(autouse=True)
def _stockage_prive(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "prive"
