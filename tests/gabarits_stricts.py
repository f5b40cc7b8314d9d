"""Une variable indéfinie dans un gabarit du projet fait échouer le test.

Comme les-emplois (``tests/conftest.py``) et l'option ``--fail-on-template-vars``
de pytest-django, en suivant la règle de Django (« How invalid variables are
handled ») :

- ``{% if %}``, ``{% for %}``, ``{% firstof %}``, ``{% regroup %}`` lisent une
  variable indéfinie comme ``None`` sans passer par ``string_if_invalid`` :
  elles la tolèrent, ici aussi ;
- partout ailleurs (affichage, filtre, argument de ``{% url %}``, de
  ``{% with %}``, de ``{% include … with %}``), Django rend
  ``string_if_invalid`` : c'est là que le test échoue, avec l'expression et la
  ligne du gabarit — sauf derrière le filtre ``default``, fait pour cela
  (``{{ x|default:"—" }}``) ;
- une relation un-à-un absente (``silent_variable_failure``) rend
  ``string_if_invalid`` même dans un ``{% if %}`` : l'objet est donc faux et
  vide, comme la chaîne vide de la production, et seul son affichage échoue.

Les gabarits hors du projet (admin de Django, widgets, DRF, drf-spectacular)
comptent sur des variables indéfinies : ils s'affichent comme en production.
Dans un autre fil que le principal (serveur des tests du navigateur), l'erreur
est notée et ``tests/conftest.py`` fait échouer le test à la fin.

Django n'offre pas de point d'accroche pour savoir qu'une variable était
indéfinie avant ses filtres : ``Variable.resolve`` et
``FilterExpression.resolve`` sont enveloppés (sans en recopier le code) pendant
toute la session.
"""

import inspect
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.template import defaultfilters, engines
from django.template.base import FilterExpression, Node, Variable, VariableDoesNotExist, VariableNode

_FIL = threading.local()
_resoudre_variable = Variable.resolve
_resoudre_expression = FilterExpression.resolve


class VariableIndefinie:
    """``string_if_invalid`` de la suite : faux et vide ; afficher l'objet signale la variable."""

    def __init__(self):
        self.erreurs: list[str] = []

    def __bool__(self):
        return False

    def __len__(self):
        return 0

    def __iter__(self):
        return iter(())

    def __str__(self):
        signaler()
        return ""

    def signaler(self, expression: str | None = None) -> None:
        noeud = _noeud_en_cours()
        origine = getattr(getattr(noeud, "origin", None), "name", None)
        if origine is None or not _gabarit_du_projet(origine):
            return
        if expression is None:
            expression = noeud.filter_expression.token if isinstance(noeud, VariableNode) else noeud.token.contents
        erreur = f"Variable indéfinie dans {origine}, ligne {noeud.token.lineno} : {{{{ {expression} }}}}"
        if threading.current_thread() is threading.main_thread():
            pytest.fail(erreur, pytrace=False)
        self.erreurs.append(erreur)


VARIABLE_INDEFINIE = VariableIndefinie()


def signaler(expression: str | None = None) -> None:
    VARIABLE_INDEFINIE.signaler(expression)


def _noeud_en_cours() -> Node | None:
    """Le nœud du gabarit en cours de rendu : le plus proche dans la pile d'appels."""
    cadre = inspect.currentframe()
    while cadre is not None:
        candidat = cadre.f_locals.get("self")
        if isinstance(candidat, Node):
            return candidat
        cadre = cadre.f_back
    return None


def _gabarit_du_projet(origine: str) -> bool:
    chemin = Path(origine)
    return chemin.is_relative_to(settings.BASE_DIR) and "site-packages" not in chemin.parts


def _variable_resolve(self, context):
    try:
        return _resoudre_variable(self, context)
    except VariableDoesNotExist:
        introuvables = getattr(_FIL, "introuvables", None)
        if introuvables is not None:
            introuvables.append(self)
        raise


def _expression_resolve(self, context, ignore_failures=False):
    exterieures = getattr(_FIL, "introuvables", None)
    _FIL.introuvables = introuvables = []
    try:
        valeur = _resoudre_expression(self, context, ignore_failures)
    finally:
        _FIL.introuvables = exterieures
    if (
        not ignore_failures
        and any(v is self.var for v in introuvables)
        and defaultfilters.default not in {filtre for filtre, _arguments in self.filters}
    ):
        signaler(self.token)
    return valeur


def activer() -> None:
    """À appeler avant le premier rendu (``pytest_configure``)."""
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = VARIABLE_INDEFINIE
    assert engines["django"].engine.string_if_invalid is VARIABLE_INDEFINIE, "moteur de gabarits créé trop tôt"
    Variable.resolve = _variable_resolve
    FilterExpression.resolve = _expression_resolve
