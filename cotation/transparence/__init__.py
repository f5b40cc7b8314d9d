"""Transparence de la cotation (CCH R441-2-17) : position parmi les demandes analogues, attente estimée."""
