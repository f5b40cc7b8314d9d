"""Lectures de la liste des demandes : demandes désignées par un téléphone ou un courriel.

Elles rendent des identifiants (peu nombreux) que la liste (``recherche``) et
le filtre (``filters``) croisent avec l'accès de l'agent.
"""

import re

from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Right

from demandes.dossier.models import Demande, Personne

# Téléphone comparé sur ses 9 derniers chiffres (« 06 12 34 56 78 », « +33 6 12 34 56 78 »).
CHIFFRES_TELEPHONE = 9


def chiffres(texte: str) -> str:
    return re.sub(r"\D", "", texte or "")


def chiffres_telephone(texte: str) -> str:
    """Les 9 derniers chiffres d'un numéro de téléphone (sans indicatif ni 0 initial)."""
    return chiffres(texte)[-CHIFFRES_TELEPHONE:]


def _derniers_chiffres(champ: str):
    return Right(Func(F(champ), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"), CHIFFRES_TELEPHONE)


def demandes_par_telephone(numero: str) -> list[int]:
    """Identifiants des demandes dont un téléphone (ménage, demandeur, co-demandeur…) finit par ces 9 chiffres."""
    menage = Demande.objects.annotate(
        fixe=_derniers_chiffres("telephone"), portable=_derniers_chiffres("telephone_portable")
    )
    personnes = Personne.objects.order_by().annotate(numero=_derniers_chiffres("telephone"))
    return sorted(
        {*menage.filter(Q(fixe=numero) | Q(portable=numero)).values_list("pk", flat=True)}
        | {*personnes.filter(numero=numero).values_list("demande_id", flat=True)}
    )


def demandes_par_email(adresse: str) -> list[int]:
    """Identifiants des demandes dont le courriel (du ménage ou d'une personne) est cette adresse (casse ignorée)."""
    adresse = adresse.strip().lower()
    menage = Demande.objects.order_by().annotate(adresse=Lower("email")).filter(adresse=adresse)
    personnes = Personne.objects.order_by().annotate(adresse=Lower("email")).filter(adresse=adresse)
    return sorted({*menage.values_list("pk", flat=True)} | {*personnes.values_list("demande_id", flat=True)})
