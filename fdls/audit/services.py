"""Écriture et purge du journal des consultations."""

from django.conf import settings
from django.core import signing
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


def journaliser_consultation(*, user, objet, action: str, request=None, libelle: str = "") -> Consultation | None:
    """Écrit une ligne du journal : qui, quel organisme, quand, quel objet, quelle action, d'où.

    Dans une requête suivie par ``JournalDesConsultationsMiddleware``, un objet
    n'est écrit qu'une fois : un second appel pour le même objet ne fait rien
    (None), et l'objet sort des objets « montrés » en attente.
    """
    journal = journal_de(request)
    if journal is not None:
        cle = cle_objet(objet)
        if cle in journal.ecrits:
            return None
        journal.ecrits.add(cle)
        journal.montres.pop(cle, None)
    return Consultation.objects.create(
        utilisateur=user if getattr(user, "pk", None) else None,
        utilisateur_libelle=(f"{user} <{user.email}>" if getattr(user, "pk", None) else "anonyme")[:300],
        organisme_id=getattr(user, "organisme_id", None),
        action=action,
        objet_type=objet._meta.label_lower if hasattr(objet, "_meta") else str(type(objet).__name__),
        objet_id=str(getattr(objet, "pk", objet)),
        objet_libelle=(libelle or str(objet))[:200],
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


# ---------------------------------------------------------------- journal d'une requête

#: Attribut de la requête qui porte son ``JournalRequete`` (posé par le middleware).
ATTRIBUT_JOURNAL = "fdls_journal_consultations"


class JournalRequete:
    """Objets nominatifs montrés par une réponse : écrits une fois chacun, quand la réponse part."""

    def __init__(self):
        self.montres: dict[tuple[str, str], tuple[object, str]] = {}
        self.ecrits: set[tuple[str, str]] = set()


def journal_de(request) -> JournalRequete | None:
    """Le journal de la requête (DRF compris : sa requête relaie les attributs), ou None hors middleware."""
    return getattr(request, ATTRIBUT_JOURNAL, None) if request is not None else None


def cle_objet(objet) -> tuple[str, str]:
    return (objet._meta.label_lower, str(objet.pk))


# ---------------------------------------------------------------- ouverture d'une fiche

#: En-tête que la fiche pose sur ses fragments htmx (``hx-headers``) : le jeton de son ouverture.
ENTETE_OUVERTURE = "X-FDLS-Ouverture"
#: Un fragment chargé plus tard que ce délai après l'ouverture de la fiche a sa propre ligne.
DUREE_OUVERTURE_S = 8 * 3600
_SEL_OUVERTURE = "fdls.audit.ouverture"


def jeton_ouverture(user, objet) -> str:
    """Jeton signé d'une ouverture de fiche déjà inscrite au journal (cet agent, cet objet).

    Les fragments de la fiche (onglet « Cotation », transparence) le renvoient : leur consultation est celle
    de la fiche, déjà journalisée ; ils n'ajoutent pas de ligne. Sans jeton valide (adresse ouverte
    directement, autre agent, autre objet, jeton périmé ou falsifié), le fragment a sa ligne.
    """
    return signing.dumps({"u": user.pk, "o": list(cle_objet(objet))}, salt=_SEL_OUVERTURE, compress=True)


def ouverture_couvre(request, objet) -> bool:
    """La requête porte-t-elle le jeton d'une ouverture de la fiche de ``objet`` par le même utilisateur ?"""
    jeton = request.headers.get(ENTETE_OUVERTURE) if request is not None else None
    if not jeton:
        return False
    try:
        donnees = signing.loads(jeton, salt=_SEL_OUVERTURE, max_age=DUREE_OUVERTURE_S)
    except signing.BadSignature:
        return False
    return donnees.get("u") == getattr(request.user, "pk", None) and tuple(donnees.get("o") or ()) == cle_objet(objet)


def montrer(request, objets, *, action: str = Consultation.Action.CONSULTATION) -> None:
    """Note que la réponse montre ces objets nominatifs : une ligne chacun, écrite à la fin de la requête.

    Un fragment de fiche qui porte le jeton de l'ouverture de cette fiche (``jeton_ouverture``) n'en
    écrit pas d'autre. La ligne n'est écrite que si la réponse les montre vraiment (ni redirection,
    ni 404, ni 405 : ``ecrire_journal``) ; un objet montré deux fois dans une
    même réponse n'a qu'une ligne. Sans middleware (tâche, appel direct),
    l'écriture est immédiate.
    """
    objets = [o for o in objets if o is not None]
    if action == Consultation.Action.CONSULTATION:
        # Fragment de la fiche déjà ouverte (et journalisée) par cet agent : une ligne par ouverture.
        objets = [o for o in objets if not ouverture_couvre(request, o)]
    journal = journal_de(request)
    if journal is None:
        if objets:
            journaliser_liste(user=request.user, objets=objets, action=action, request=request)
        return
    for objet in objets:
        cle = cle_objet(objet)
        if cle not in journal.ecrits and cle not in journal.montres:
            journal.montres[cle] = (objet, action)


def oublier(request, objet) -> None:
    """Retire un objet noté par ``montrer`` (la réponse ne le montrera finalement pas)."""
    journal = journal_de(request)
    if journal is not None:
        journal.montres.pop(cle_objet(objet), None)


#: Réponses qui ne montrent rien de ce que la vue a chargé : redirections, introuvable, méthode refusée.
STATUTS_SANS_AFFICHAGE = frozenset({404, 405})


def ecrire_journal(request, reponse) -> int:
    """Écrit les objets notés par ``montrer`` si la réponse les montre ; rend le nombre de lignes."""
    journal = journal_de(request)
    if journal is None or not journal.montres:
        return 0
    statut = reponse.status_code
    if 300 <= statut < 400 or statut in STATUTS_SANS_AFFICHAGE or statut >= 500:
        journal.montres.clear()
        return 0
    par_action: dict[str, list] = {}
    for cle, (objet, action) in journal.montres.items():
        par_action.setdefault(action, []).append(objet)
        journal.ecrits.add(cle)
    journal.montres.clear()
    return sum(
        journaliser_liste(user=request.user, objets=objets, action=action, request=request)
        for action, objets in par_action.items()
    )


def journaliser_refus(request, objet) -> Consultation | None:
    """Une lecture refusée d'un objet qui existe (hors périmètre) : action « refus », libellé sans nom.

    L'agent reçoit une 404 qui ne révèle rien ; le journal, lui, montre qui a
    cherché quel dossier (énumération par un initié).
    """
    libelle = f"{objet._meta.verbose_name} {objet.pk} (hors périmètre)"
    return journaliser_consultation(
        user=request.user, objet=objet, action=Consultation.Action.REFUS, request=request, libelle=libelle
    )


def refuser_si_existe(request, queryset, pk) -> None:
    """Journalise le refus si l'objet ``pk`` existe (``queryset`` : tous les objets, sans filtre d'accès)."""
    try:
        objet = queryset.only("pk").filter(pk=pk).first()
    except (ValueError, TypeError):
        return
    if objet is not None and getattr(request.user, "is_authenticated", False):
        journaliser_refus(request, objet)


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
