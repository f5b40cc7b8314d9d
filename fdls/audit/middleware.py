"""Le journal des consultations de chaque requête : une ligne par objet nominatif montré.

Les vues notent ce qu'elles montrent (``fdls.audit.services.montrer`` ; pour
les demandes, ``demande_visible`` et les listes le font pour elles) ; ce
middleware écrit les lignes quand la réponse part, une par objet, et rien pour
une redirection, une 404 ou une 405. Les refus (``journaliser_refus``) et les
exports s'écrivent aussitôt.
"""

from fdls.audit.services import ATTRIBUT_JOURNAL, JournalRequete, ecrire_journal


class JournalDesConsultationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, ATTRIBUT_JOURNAL, JournalRequete())
        reponse = self.get_response(request)
        ecrire_journal(request, reponse)
        return reponse
