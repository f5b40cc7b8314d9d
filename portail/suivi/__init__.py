"""Suivi de la demande (CCH R441-2-17) : cotation expliquée, décisions des commissions d'attribution,
priorités et contingents, en mots simples."""
