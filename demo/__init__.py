"""Démonstration et générateur de fichiers de banc : couche du haut, que rien n'importe.

``manage.py demo`` (``demo/management/commands/demo.py``) charge, dans cet
ordre, le référentiel, les partenaires (``demo.partenaires``), le parc
(``demo.offre``), les demandes (``demo.demandes``, générateur
``demo.generateur``), le dossier (``demo.dossier`` : labels, demandes en ligne)
et la cotation (``demo.cotation``). Les modèles ``DoublonSeme`` et
``IndexSuspendu`` ne servent qu'au générateur et aux bancs.
"""
