"""Calcul de la cotation : faits, règles nommées, moteur pur, grilles compilées en SQL, résultats stockés."""
