"""La fiche d'une demande : écran qui réunit les blocs des fonctionnalités, et sa lecture par l'API."""
