"""Les demandes ne s'administrent pas ici : toute lecture d'une demande passe par la
politique d'accès et le journal des consultations (écrans « Demande »), ce que
l'administration Django contournerait."""
