"""Pages publiques du portail (sans connexion) : déposer une demande, pièces, cotation, refus ; test
d'éligibilité aux plafonds de ressources ; annuaire des guichets."""
