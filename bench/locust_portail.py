"""Scénario locust du banc du portail (``bench/bench_portail.py`` le lance) : des demandeurs se connectent, puis
lisent leur espace selon le mélange habituel (accueil de la demande, historique, cotation, documents).

Chaque utilisateur simulé prend un compte de ``FDLS_BANC_COMPTES`` (JSON : email, mot de passe, demande) et une
adresse IP à lui (``X-Forwarded-For``, le serveur du banc fait confiance à un proxy) : 100 demandeurs = 100 postes.
"""

import itertools
import json
import os
import re
import time

from locust import HttpUser, between, events, task

COMPTES = json.loads(open(os.environ["FDLS_BANC_COMPTES"]).read())  # noqa: SIM115
_suivant = itertools.count()
#: Durées des connexions (ms) et leur statut : écrites à la fin dans ``FDLS_BANC_CONNEXIONS`` (les statistiques
#: de locust sont remises à zéro à la fin des arrivées, ``--reset-stats`` : les pages sont mesurées en régime).
CONNEXIONS: list[tuple[float, int]] = []
#: Toutes les requêtes envoyées (arrivées comprises) : le coût CPU par requête du serveur s'en déduit.
REQUETES = [0]


@events.request.add_listener
def _compter(**_kwargs):
    REQUETES[0] += 1


@events.test_stop.add_listener
def _ecrire_connexions(**_kwargs):
    with open(os.environ["FDLS_BANC_CONNEXIONS"], "w") as f:
        json.dump({"connexions": CONNEXIONS, "requetes": REQUETES[0]}, f)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Demandeur(HttpUser):
    # Temps de lecture d'une page par un demandeur : 2 à 6 s.
    wait_time = between(2, 6)

    def on_start(self):
        n = next(_suivant)
        compte = COMPTES[n % len(COMPTES)]
        self.demande = compte["demande"]
        self.client.headers["X-Forwarded-For"] = f"10.{20 + n // 250}.{n % 250}.1"
        page = self.client.get("/portail/connexion/", name="connexion (page)")
        jeton = _CSRF.search(page.text).group(1)
        debut = time.perf_counter()
        with self.client.post(
            "/portail/connexion/",
            data={"username": compte["email"], "password": compte["mot_de_passe"], "csrfmiddlewaretoken": jeton},
            headers={"Referer": f"{self.host}/portail/connexion/"},
            name="connexion",
            allow_redirects=False,
            catch_response=True,
        ) as reponse:
            CONNEXIONS.append(((time.perf_counter() - debut) * 1000, reponse.status_code))
            if reponse.status_code != 302:
                reponse.failure(f"connexion refusée ({reponse.status_code})")

    def _lire(self, suffixe, nom):
        with self.client.get(f"/portail/espace/demandes/{self.demande}/{suffixe}", name=nom, catch_response=True) as r:
            if r.status_code != 200 or "<h1" not in r.text:
                r.failure(f"{nom} : {r.status_code}")

    @task(1)
    def espace(self):
        self.client.get("/portail/espace/", name="mon espace")

    @task(3)
    def accueil(self):
        self._lire("", "accueil de la demande")

    @task(2)
    def historique(self):
        self._lire("historique/", "historique")

    @task(2)
    def cotation(self):
        self._lire("cotation/", "cotation")

    @task(2)
    def documents(self):
        self._lire("documents/", "documents")
