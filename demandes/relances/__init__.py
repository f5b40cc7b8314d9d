"""Rappels avant l'échéance et traitements planifiés du jour (annulations, doublons de nuit, relances)."""
