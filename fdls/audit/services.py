"""Écriture et purge du journal des consultations."""

from django.conf import settings
from django.db import transaction

from fdls.audit.models import Consultation
from fdls.audit.purge_sql import purger_lot


def adresse_ip(request) -> str | None:
    """Adresse du client, derrière au plus ``FDLS_PROXY_COUNT`` proxys de confiance."""
    if request is None:
        return None
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        chaine = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(chaine) >= proxies:
            return chaine[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def journaliser_consultation(*, user, objet, action: str, request=None, libelle: str = "") -> Consultation:
    """Écrit une ligne du journal : qui, quel organisme, quand, quel objet, quelle action, d'où."""
    return Consultation.objects.create(
        utilisateur=user if getattr(user, "pk", None) else None,
        utilisateur_libelle=(f"{user} <{user.email}>" if getattr(user, "pk", None) else "anonyme")[:300],
        organisme_id=getattr(user, "organisme_id", None),
        action=action,
        objet_type=objet._meta.label_lower if hasattr(objet, "_meta") else str(type(objet).__name__),
        objet_id=str(getattr(objet, "pk", objet)),
        objet_libelle=str(objet)[:200],
        ip=adresse_ip(request),
        chemin=(request.get_full_path()[:500] if request is not None else ""),
    )


def journaliser_liste(*, user, objets, action: str, request=None) -> int:
    """Une ligne par objet nominatif d'une liste exportée ou lue par l'API."""
    lignes = [
        Consultation(
            utilisateur=user,
            utilisateur_libelle=f"{user} <{user.email}>"[:300],
            organisme_id=getattr(user, "organisme_id", None),
            action=action,
            objet_type=o._meta.label_lower,
            objet_id=str(o.pk),
            objet_libelle=str(o)[:200],
            ip=adresse_ip(request),
            chemin=(request.get_full_path()[:500] if request is not None else ""),
        )
        for o in objets
    ]
    Consultation.objects.bulk_create(lignes, batch_size=1000)
    return len(lignes)


#: Taille des lots de la purge : des transactions courtes, sans verrou prolongé sur le journal.
TAILLE_LOT_PURGE = 10_000


def purger_consultations(*, taille_lot: int = TAILLE_LOT_PURGE) -> int:
    """Supprime les lignes plus anciennes que la durée de rétention (CNIL : 6 à 12 mois).

    Seule voie de suppression du journal : la fonction ``SECURITY DEFINER`` ``audit_purger_consultations``
    (migration 0004), appelée par lots, chacun dans sa transaction courte. Elle compte la rétention depuis
    l'horloge de la base et refuse moins de 180 jours. Idempotente : relancée, elle ne trouve plus rien.
    """
    total = 0
    while True:
        with transaction.atomic():
            supprimees = purger_lot(jours=settings.FDLS_RETENTION_CONSULTATIONS_JOURS, taille_lot=taille_lot)
        total += supprimees
        if supprimees < taille_lot:
            return total
