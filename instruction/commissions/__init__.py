"""Commissions d'attribution (CAL, CALEOL) : séances, ordre du jour, décisions R441-3, suites de la CAL, bail."""
