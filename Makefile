# FDLS — les deux commandes du démarrage rapide : `make run` et `make test`.
.PHONY: run test install stop lint format code-totp

run: install  ## Installe, migre, charge la démo et lance web + worker + beat
	.venv/bin/python -m fdls.lanceur

test:  ## Lint, migrations, contrats d'architecture et suite de tests complète
	scripts/tester.sh

install:
	scripts/installer.sh

stop:  ## Arrête le PostgreSQL et le Valkey embarqués (var/)
	.venv/bin/python -m fdls.embedded stop

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

code-totp:  ## Code TOTP courant d'un compte de démonstration
	.venv/bin/python manage.py code_totp $(EMAIL)
