"""Exercice : deux recalculs de la cotation à la fois (issue 16, point 1).

Deux grilles activées ensemble, une activation pendant le calcul de nuit,
deux beats, un renvoi de l'outbox : deux recalculs du fichier se
chevauchent. Chacun lisait les anciens totaux avant que l'autre ne valide,
et chaque total changé recevait **deux** lignes d'historique (2 000 totaux
changés → 4 000 lignes lors de l'exercice réel).

Garanti : les recalculs d'un même territoire (aujourd'hui : tout le fichier)
sont sérialisés par un verrou consultatif PostgreSQL attendu (le second
attend la fin du premier, puis relit des totaux à jour) ; et l'historique
est écrit au plus une fois par résultat remplacé (contrainte unique
``historique_cotation_une_fois`` + ``ON CONFLICT DO NOTHING``), même pour
un écrivain qui ne passe pas par le verrou.

Vraie base (transactions réelles), deux fils, deux connexions.
"""

import threading
import time
from datetime import date

import psycopg
import pytest
from django.db import connection, connections, transaction

from cotation.calcul import services
from cotation.models import HistoriqueCotation
from fdls.socle.dates import ajouter_mois
from tests.fiabilite.serveurs import url_postgres
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.exercice]

N = 40


@pytest.fixture
def fichier():
    m = territoire_nantes(grille=True)
    depot = ajouter_mois(date.today(), -4)
    for i in range(N):
        enregistrer(m, date_depot=depot, statut_occupation="sans_abri" if i % 2 else "camping")
    # Six mois plus tard, toutes passent une bande d'ancienneté : chaque total change.
    return ajouter_mois(depot, 6)


def _dans_un_fil(cible, *args, **kwargs):
    erreurs = []

    def fil():
        try:
            cible(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 — remontée au test
            erreurs.append(exc)
        finally:
            connections["default"].close()

    t = threading.Thread(target=fil)
    t.start()
    return t, erreurs


def test_deux_recalculs_du_fichier_en_meme_temps_une_seule_ligne_d_historique_par_total_change(fichier):
    le = fichier
    avant = HistoriqueCotation.objects.count()
    fin_premier = threading.Event()

    def premier():
        # Le premier recalcul a écrit toutes ses tranches ; sa dernière n'est pas encore validée quand le second
        # lit les anciens totaux (transaction englobante tenue 1,5 s).
        with transaction.atomic():
            services.recalculer_fichier(le=le, connexions=1)
            fin_premier.set()
            time.sleep(1.5)

    t1, e1 = _dans_un_fil(premier)
    assert fin_premier.wait(60)
    t2, e2 = _dans_un_fil(services.recalculer_fichier, le=le, connexions=1)
    t1.join(60)
    t2.join(60)
    assert not e1, e1
    assert not e2, e2

    ajoutees = HistoriqueCotation.objects.count() - avant
    print(f"\ndeux recalculs simultanés de {N} demandes : {ajoutees} ligne(s) d'historique ajoutée(s)")
    assert ajoutees == N  # une par total changé, pas deux
    # Relancé une troisième fois (renvoi de l'outbox) : rien ne change, rien n'est ajouté.
    assert services.recalculer_fichier(le=le).changees == 0
    assert HistoriqueCotation.objects.count() - avant == N


def test_un_recalcul_attend_celui_qui_tient_le_territoire_puis_relit_les_totaux(fichier):
    le = fichier
    avant = HistoriqueCotation.objects.count()
    # Un autre processus recalcule le fichier (il tient le verrou du territoire).
    with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
        autre.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [services.CLASSE_VERROU, "fichier"])
        t, erreurs = _dans_un_fil(services.recalculer_fichier, le=le)
        t.join(1.5)
        assert t.is_alive()  # il attend, il n'écrit rien
        assert HistoriqueCotation.objects.count() == avant
    # L'autre a fini (connexion fermée : verrou rendu) : le recalcul passe.
    t.join(60)
    assert not t.is_alive()
    assert not erreurs, erreurs
    assert HistoriqueCotation.objects.count() - avant == N
