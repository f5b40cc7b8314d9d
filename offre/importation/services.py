"""Import en masse du parc d'un bailleur (CSV ou XLSX) : analyse, puis écriture en une transaction.

Le fichier est d'abord **analysé** entièrement (``analyse``). S'il contient
une erreur, rien n'est importé, sauf si l'agent demande explicitement
d'importer les seules lignes valides. L'**écriture** est une transaction :
programmes (ORM) puis logements (``ecriture_sql`` : COPY puis ``INSERT … ON
CONFLICT``), insérés ou mis à jour par leur code, si bien qu'un second import
du même fichier ne crée rien de plus.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from fdls.organismes.models import Organisme
from offre.importation import ecriture_sql
from offre.importation.analyse import Analyse, FichierIllisible, LigneValide, analyser, lire_contenu
from offre.models import ImportLogements, Programme, gere_offre, importe_pour_un_bailleur_choisi, peut_importer

MAX_ERREURS_CONSERVEES = 1_000
TAILLE_LOT = 5_000

CHAMPS_PROGRAMME_IMPORT = [
    "nom",
    "adresse",
    "commune",
    "departement",
    "quartier",
    "qpv",
    "annee_construction",
    "financement",
    "updated_at",
]


def ecrire(*, bailleur_id: int, valides: list[LigneValide]) -> dict:
    """Insère ou met à jour (par code) les programmes puis les logements.

    À appeler dans une transaction : tout ou rien.
    """
    programmes: dict[str, dict] = {}
    financements: dict[str, set] = defaultdict(set)
    for ligne in valides:
        programmes.setdefault(ligne.programme["code"], ligne.programme)
        financements[ligne.programme["code"]].add(ligne.logement["financement"])
    maintenant = timezone.now()
    objets = []
    for code, donnees in programmes.items():
        # Financement principal : celui de tous les logements du fichier, sinon aucun (programme mixte).
        financement = next(iter(financements[code])) if len(financements[code]) == 1 else ""
        objets.append(Programme(bailleur_id=bailleur_id, financement=financement, **donnees))
    Programme.objects.bulk_create(
        objets,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["bailleur", "code"],
        update_fields=CHAMPS_PROGRAMME_IMPORT,
    )
    ids = {}
    codes = list(programmes)
    for debut in range(0, len(codes), TAILLE_LOT):
        ids.update(
            Programme.objects.filter(bailleur_id=bailleur_id, code__in=codes[debut : debut + TAILLE_LOT]).values_list(
                "code", "pk"
            )
        )
    ecriture_sql.suivre_programmes(list(ids.values()))
    existants = ecriture_sql.logements_existants(list(ids.values()))
    crees = sum(1 for ligne in valides if (ids[ligne.programme["code"]], ligne.logement["code"]) not in existants)
    lignes = (
        (
            ids[ligne.programme["code"]],
            ligne.logement["code"],
            bailleur_id,
            ligne.programme["commune_id"],
            ligne.programme["departement_id"],
            ligne.programme["quartier_id"],
            ligne.programme["qpv"],
            *(ligne.logement[c] for c in ecriture_sql.CHAMPS_DESCRIPTION),
            maintenant,
            maintenant,
        )
        for ligne in valides
    )
    total = ecriture_sql.ecrire_logements(lignes)
    return {"crees": crees, "modifies": total - crees, "programmes": len(programmes)}


def _erreurs_conservees(analyse: Analyse) -> list[dict]:
    return analyse.erreurs[:MAX_ERREURS_CONSERVEES]


REFUS_IMPORT = (
    "L'import d'un fichier de parc est réservé aux instructeurs d'un bailleur social et à l'administration du fichier."
)


def bailleurs_importables(user):
    """Les bailleurs dont ``user`` peut importer le parc : le sien, ou tous les bailleurs actifs (administration)."""
    if gere_offre(user):
        return Organisme.objects.filter(pk=user.organisme_id)
    if importe_pour_un_bailleur_choisi(user):
        return Organisme.objects.filter(type=Organisme.Type.BAILLEUR, actif=True).order_by("nom")
    return Organisme.objects.none()


def bailleur_de_l_import(auteur, bailleur=None) -> Organisme:
    """Le bailleur pour lequel ``auteur`` importe : le sien (instructeur), celui qu'il choisit (administration)."""
    if not peut_importer(auteur):
        raise PermissionDenied(REFUS_IMPORT)
    if gere_offre(auteur):
        if bailleur is not None and getattr(bailleur, "pk", bailleur) != auteur.organisme_id:
            raise PermissionDenied("Un instructeur n'importe que le parc de son propre bailleur.")
        return auteur.organisme
    if bailleur is None:
        raise ValidationError({"bailleur": "Choisissez le bailleur dont vous importez le parc."})
    choisi = bailleurs_importables(auteur).filter(pk=getattr(bailleur, "pk", bailleur)).first()
    if choisi is None:
        raise ValidationError({"bailleur": "Ce bailleur n'existe pas ou n'est plus actif."})
    return choisi


def imports_visibles(user):
    """Les imports que ``user`` consulte : ceux de son bailleur ; tous pour l'administration du fichier."""
    imports = ImportLogements.objects.select_related("auteur", "bailleur", "auteur__organisme")
    if gere_offre(user):
        return imports.filter(bailleur=user.organisme_id)
    if importe_pour_un_bailleur_choisi(user):
        return imports
    return imports.none()


def importer_logements(
    *, auteur, fichier, nom_fichier: str, lignes_valides_seulement: bool = False, bailleur=None
) -> ImportLogements:
    """Analyse le fichier d'un bailleur puis, s'il est sans erreur (ou si l'agent
    le demande pour les seules lignes valides), importe son parc.

    L'instructeur d'un bailleur importe son propre parc ; l'administration du fichier importe pour le
    ``bailleur`` qu'elle choisit (l'import garde l'auteur et le bailleur : qui a importé pour qui).
    Renvoie l'import et son rapport ; en cas d'erreurs sans import, le fichier
    est conservé (stockage privé) pour ``importer_lignes_valides``.
    """
    bailleur = bailleur_de_l_import(auteur, bailleur)
    try:
        contenu = lire_contenu(fichier)
    except FichierIllisible as erreur:
        contenu, illisible = b"", str(erreur)
    else:
        illisible = ""
    if illisible:
        analyse = Analyse(fatale=True)
        analyse.erreur(None, "", illisible)
    else:
        analyse = analyser(contenu)
    import_ = ImportLogements(
        bailleur_id=bailleur.pk,
        auteur=auteur,
        nom_fichier=nom_fichier[:200],
        nb_lignes=analyse.nb_lignes,
        nb_erreurs=analyse.lignes_en_erreur,
        erreurs=_erreurs_conservees(analyse),
        avertissements=analyse.avertissements,
    )
    a_des_erreurs = analyse.fatale or analyse.lignes_en_erreur > 0
    with transaction.atomic():
        if analyse.fatale or (a_des_erreurs and not lignes_valides_seulement) or not analyse.valides:
            import_.etat = ImportLogements.Etat.ERREURS
            if not analyse.fatale and analyse.valides:
                import_.fichier.save(_nom_stockage(nom_fichier), ContentFile(contenu), save=False)
            import_.save()
            return import_
        compte = ecrire(bailleur_id=bailleur.pk, valides=analyse.valides)
        _terminer(import_, compte)
        import_.save()
    return import_


@transaction.atomic
def importer_lignes_valides(*, auteur, import_: ImportLogements) -> ImportLogements:
    """Importe les lignes valides d'un fichier refusé pour ses erreurs, à la
    demande explicite de l'agent ; les lignes en erreur sont ignorées."""
    if not peut_importer(auteur):
        raise PermissionDenied(REFUS_IMPORT)
    import_ = imports_visibles(auteur).select_for_update(of=("self",)).filter(pk=import_.pk).first()
    if import_ is None:
        raise PermissionDenied("Cet import appartient à un autre bailleur.")
    if import_.etat != ImportLogements.Etat.ERREURS or not import_.fichier:
        raise ValidationError("Cet import est déjà fait ou son fichier n'est plus disponible : déposez-le à nouveau.")
    with import_.fichier.open("rb") as fichier:
        contenu = fichier.read()
    analyse = analyser(contenu)
    if analyse.fatale:
        raise ValidationError(analyse.erreurs[0]["message"])
    compte = ecrire(bailleur_id=import_.bailleur_id, valides=analyse.valides)
    import_.nb_lignes = analyse.nb_lignes
    import_.nb_erreurs = analyse.lignes_en_erreur
    import_.erreurs = _erreurs_conservees(analyse)
    _terminer(import_, compte)
    import_.save()
    return import_


def _terminer(import_: ImportLogements, compte: dict) -> None:
    import_.etat = ImportLogements.Etat.IMPORTE
    import_.importe_le = timezone.now()
    import_.nb_crees = compte["crees"]
    import_.nb_modifies = compte["modifies"]
    import_.nb_programmes = compte["programmes"]
    if import_.fichier:
        # Le fichier n'est gardé que pour un import des lignes valides : effacé après validation.
        fichier = import_.fichier
        transaction.on_commit(lambda: fichier.storage.delete(fichier.name))
        import_.fichier = ""


def _nom_stockage(nom_fichier: str) -> str:
    extension = ".xlsx" if nom_fichier.lower().endswith(".xlsx") else ".csv"
    return f"import{extension}"
