"""Prospection, positionnements, propositions et visites sur une vacance."""
