"""Un gunicorn de banc sur la boucle locale : port libre, attente de la sonde de santé (sans Django)."""

import socket
import time
import urllib.request


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attendre(url: str, *, essais: int = 120) -> None:
    """Attend que ``url/healthz`` réponde (une demi-seconde entre deux essais)."""
    for _ in range(essais):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"le serveur {url} ne répond pas")
