"""Doublons : détection (à la saisie et de nuit), suspicions, fusion, écrans « Doublons suspectés »."""
