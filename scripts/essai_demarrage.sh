#!/usr/bin/env bash
# Lance `make run` sans DATABASE_URL ni REDIS_URL (PostgreSQL et Valkey
# embarqués), attend que /healthz réponde 200 puis que la page de connexion
# s'affiche, et arrête tout. Utilisé par la CI.
set -euo pipefail
cd "$(dirname "$0")/.."
journal=$(mktemp)
port=${FDLS_PORT_ESSAI:-8790}
(env -u DATABASE_URL -u REDIS_URL FDLS_PORT=$port FDLS_VAR_DIR="$PWD/var/essai" setsid make run >"$journal" 2>&1) &
pid=$!
nettoyer() {
    kill -TERM -- -"$(ps -o pgid= "$pid" | tr -d ' ')" 2>/dev/null || true
    sleep 2
    FDLS_VAR_DIR="$PWD/var/essai" .venv/bin/python -m fdls.embedded stop || true
}
trap nettoyer EXIT
for _ in $(seq 1 300); do
    if grep -q "FDLS est prêt" "$journal"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then cat "$journal"; echo "make run s'est arrêté." >&2; exit 1; fi
    sleep 1
done
grep -q "FDLS est prêt" "$journal" || { cat "$journal"; echo "make run n'a pas démarré en 300 s." >&2; exit 1; }
url=$(grep -o "FDLS est prêt : http://[0-9.:]*" "$journal" | head -1 | sed 's/.*: //')
curl -fsS "$url/healthz" >/dev/null
curl -fsS "$url/connexion/" | grep -q "Adresse électronique"
echo "make run : OK ($url)"
