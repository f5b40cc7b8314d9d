"""Accueil des agents : page d'accueil, rubriques sans écran métier, administration (au-dessus du reste de fdls)."""
