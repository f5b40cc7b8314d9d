"""Formats français de Django, milliers séparés par l'espace fine insécable (U+202F) comme ``nombre``.

``floatformat:"0g"`` et ``intcomma`` rendent alors ``12 500`` comme le filtre ``nombre``
(``fdls.socle.typographie``) ; le reste est celui de Django (virgule décimale, dates JJ/MM/AAAA).
"""

from django.conf.locale.fr.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "\u202f"
