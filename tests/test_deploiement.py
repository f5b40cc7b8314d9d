"""Réglages de production : `check --deploy` propre, secrets depuis l'environnement."""

import os
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FDLS_"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=RACINE, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_est_propre_en_production():
    resultat = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "FDLS_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 30 + "-une-cle-de-production-longue-et-aleatoire-0123456789",
            "DJANGO_ALLOWED_HOSTS": "fdls.example.org",
            "EMAIL_URL": "smtp+tls://fdls:secret@smtp.example.org:587",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        },
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_la_production_refuse_de_demarrer_sans_secret():
    resultat = _manage(
        "check",
        env_extra={
            "FDLS_ENV": "production",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert resultat.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultat.stderr
