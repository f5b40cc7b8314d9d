"""Le monde des tests, construit en un seul endroit.

- ``factories`` : fabriques factory_boy (territoire, organismes, comptes,
  demandes avec leurs traits, parc), mot de passe et code TOTP des comptes ;
- ``territoires`` : les territoires assemblés (Ville de Rezé ; Nantes
  Métropole avec ses partenaires, sa grille et ses administrateurs ; la
  Loire-Atlantique de la démonstration) ;
- ``dossiers`` : saisies complètes données aux services, demandes
  enregistrées par les services réels ;
- ``cotation`` : grille de Nantes Métropole compilée sans base, faits de test ;
- ``fichiers`` : pièces justificatives et fichiers d'import du parc.

Les fixtures partagées (agent connecté, jeton d'API, stockage des pièces,
fichier généré) sont dans ``tests/conftest.py``.
"""
