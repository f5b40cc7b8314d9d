"""Signal des services des demandes : une demande a changé d'une façon qui peut changer ce que d'autres en déduisent.

Les applications au-dessus des demandes (la cotation) s'y abonnent dans leur
``AppConfig.ready`` : les demandes ne les importent pas (contrats
d'architecture), mais le récepteur s'exécute dans la transaction du service,
donc ce qui en dépend change dans la même transaction que la demande.

Arguments : ``demande`` (l'instance à jour), ``dossier`` (le dossier que le
service vient d'écrire, ou ``None``), ``neuve`` (créée dans la transaction),
``motif`` (enregistrement, modification, renouvellement, label, refus…).
"""

from django.dispatch import Signal

demande_changee = Signal()


def signaler(demande, motif: str, *, dossier=None, neuve: bool = False) -> None:
    demande_changee.send(sender=type(demande), demande=demande, dossier=dossier, neuve=neuve, motif=motif)
