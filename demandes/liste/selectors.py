"""Lectures de la liste des demandes : demandes désignées par un téléphone ou un courriel.

Elles rendent des identifiants (peu nombreux) que la liste (``recherche``) et
le filtre (``filters``) croisent avec l'accès de l'agent.
"""

import re

from demandes.dossier.models import CHIFFRES_TELEPHONE, Demande, Personne, courriel_cherche, telephone_cherche


def chiffres(texte: str) -> str:
    return re.sub(r"\D", "", texte or "")


def chiffres_telephone(texte: str) -> str:
    """Les 9 derniers chiffres d'un numéro de téléphone (sans indicatif ni 0 initial)."""
    return chiffres(texte)[-CHIFFRES_TELEPHONE:]


def demandes_par_telephone(numero: str) -> list[int]:
    """Identifiants des demandes dont un téléphone (ménage, demandeur, co-demandeur…) finit par ces 9 chiffres
    (index d'expression ``demande_telephone``, ``demande_portable``, ``personne_telephone``)."""
    menage = Demande.objects.order_by()
    fixe = menage.exclude(telephone="").annotate(n=telephone_cherche("telephone")).filter(n=numero)
    portable = (
        menage.exclude(telephone_portable="").annotate(n=telephone_cherche("telephone_portable")).filter(n=numero)
    )
    personnes = Personne.objects.order_by().exclude(telephone="").annotate(n=telephone_cherche("telephone"))
    return sorted(
        {*fixe.values_list("pk", flat=True)}
        | {*portable.values_list("pk", flat=True)}
        | {*personnes.filter(n=numero).values_list("demande_id", flat=True)}
    )


def demandes_par_email(adresse: str) -> list[int]:
    """Identifiants des demandes dont le courriel (du ménage ou d'une personne) est cette adresse (casse ignorée ;
    index d'expression ``demande_courriel``, ``personne_courriel``)."""
    adresse = adresse.strip().lower()
    menage = Demande.objects.order_by().exclude(email="").annotate(a=courriel_cherche("email")).filter(a=adresse)
    personnes = Personne.objects.order_by().exclude(email="").annotate(a=courriel_cherche("email")).filter(a=adresse)
    return sorted({*menage.values_list("pk", flat=True)} | {*personnes.values_list("demande_id", flat=True)})
