"""Levée, pour une transaction seulement, de la protection du journal des consultations (trigger en ajout seul).

Le trigger ``audit_consultation_append_only`` (migration 0003) refuse toute
suppression sauf quand la transaction a posé ``SET LOCAL fdls.purge_audit =
'on'`` : seule la purge de rétention le fait. Accord (suppression permise
dedans, refusée dehors, lue par l'ORM) : tests/audit/test_purge_sql.py.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def purge_autorisee() -> Iterator[None]:
    """Bloc où les suppressions du journal sont permises ; à ouvrir dans une transaction (``SET LOCAL``)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL fdls.purge_audit = 'on'")
        yield
        # Dans une transaction englobante, la levée ne survit pas à la purge (sur une erreur, la transaction
        # est annulée et le réglage avec elle).
        cursor.execute("SET LOCAL fdls.purge_audit = 'off'")
