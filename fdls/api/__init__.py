"""API v1 du socle : routes de toutes les applications, vue « moi » (les permissions : ``fdls.acces.api``)."""
