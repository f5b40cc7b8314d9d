"""Vie des grilles de cotation : table des transitions, saisie d'un brouillon, écrans, livret du demandeur, API."""
