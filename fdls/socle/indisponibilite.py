"""État d'une coupure de la base dans un processus web, et le filtre du journal.

Une coupure est journalisée une fois à son début (``signaler``) et une fois à
sa fin (``terminer``, à la première requête servie ensuite) avec sa durée et
le nombre de requêtes refusées. Entre les deux, ``FiltreCoupure`` retire du
journal les lignes que Django écrirait pour chaque requête refusée (trace
d'appels de ``django.request``, ligne 503 de ``runserver``) : 30 s de coupure
sous charge n'écrivent plus des dizaines de milliers de lignes.

Chaque processus web (runserver, chaque worker gunicorn) tient son propre
état : une coupure donne une ligne de début et une de fin par processus.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError

logger = logging.getLogger("fdls.socle.indisponibilite")


def est_indisponibilite(exc: BaseException | None) -> bool:
    """L'exception (ou l'une de ses causes) vient-elle d'une base injoignable ?"""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class Coupure:
    def __init__(self):
        self._verrou = threading.Lock()
        self.debut: float | None = None
        self.refusees = 0

    @property
    def en_cours(self) -> bool:
        return self.debut is not None

    def signaler(self, chemin: str, erreur: BaseException | None = None) -> None:
        with self._verrou:
            self.refusees += 1
            if self.debut is not None:
                return
            self.debut = time.monotonic()
        cause = f" ({type(erreur).__name__} : {str(erreur).strip().splitlines()[0][:200]})" if erreur else ""
        logger.error(
            "Base de données indisponible : les pages et l'API répondent 503 jusqu'à son retour "
            "(première requête refusée : %s)%s",
            chemin,
            cause,
        )

    def terminer(self) -> None:
        if self.debut is None:  # cas courant, sans verrou
            return
        with self._verrou:
            if self.debut is None:
                return
            duree, refusees = time.monotonic() - self.debut, self.refusees
            self.debut, self.refusees = None, 0
        logger.warning(
            "Base de données de nouveau disponible après %.1f s ; %d requête(s) refusée(s) en 503", duree, refusees
        )


#: L'état du processus courant.
COUPURE = Coupure()


class FiltreCoupure(logging.Filter):
    """Retire les lignes par requête pendant une coupure (branché sur django.request et django.server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and est_indisponibilite(record.exc_info[1]):
            return False
        return not (COUPURE.en_cours and getattr(record, "status_code", None) == 503)
