"""Recherche des demandes pour la liste des agents, sur la table de recherche étroite.

La liste d'un agent est l'union de flux triés : pour chacune de ses clés
d'accès (``fdls.acces.cles_acces`` : département entier, EPCI entiers,
communes isolées, guichets propres) et chaque état, les lignes de
``demandes_lignerecherche``, lues dans l'ordre de l'index
``(cle, etat, date_depot DESC, demande DESC)`` et bornées à la page
demandée ; les flux sont fusionnés, dédoublonnés (une demande a une ligne par
commune souhaitée) et découpés. Le coût dépend de la
page et du nombre de clés, plus de la taille du fichier.

Trois variantes, choisies d'après les critères :

* **par échéance** (« à renouveler du … au … ») : flux lus sur l'index partiel
  ``(cle, date_expiration, demande) WHERE etat = 'active'`` et triés par
  échéance croissante, l'ordre d'une liste de relances ;
* **par nom** (début du nom, du prénom) : ordre alphabétique, lu sur l'index
  ``cle_nom_tri`` des clés d'identité (demandeur et co-demandeur), chaque
  demande filtrée et son accès vérifié ligne à ligne : « MAR » (6 % du
  fichier) coûte autant que « MARTINEAU » ;
* **par identifiant** (numéro unique, référence, brouillons de l'organisme,
  label ou contingent) : relativement peu de demandes, lues par leur index,
  accès vérifié ligne à ligne, triées par date de dépôt.

Le comptage s'arrête à ``PLAFOND_COMPTAGE`` + 1 (« plus de 2 000 » ; 200 pour
une recherche par nom, 500 pour un guichet que l'agent ne voit pas en entier) : au-delà,
l'agent affine ses critères. ``DemandeFilter.qs`` (export, API) applique les
mêmes critères par l'ORM ; un test vérifie que les deux chemins rendent les
mêmes demandes. Les requêtes et leur exécution sont dans ``recherche_sql.py``.
"""

from __future__ import annotations

import heapq
import itertools

from django.utils.functional import cached_property

from demandes.doublons.services import demandes_suspectes
from demandes.labels.services import demandes_avec_label
from demandes.liste import recherche_sql
from demandes.liste.criteres import Criteres
from demandes.liste.selectors import demandes_par_email, demandes_par_telephone
from fdls import acces

PLAFOND_COMPTAGE = 2_000
# Recherche par nom : au-delà de 200 demandes (4 pages de 50), l'agent précise le nom ou ajoute le prénom
# (chaque ligne lue est vérifiée une à une : compter jusqu'à 500 coûtait, pour un agent communal à 3 M,
# ≈ 11 000 vérifications d'accès et 150 ms ; jusqu'à 200, 40 % de cela).
PLAFOND_COMPTAGE_NOM = 200
# Guichet hors des clés de l'agent : même plafond, pour la même raison (chaque ligne du flux du
# guichet est vérifiée une à une ; pour une commune, ≈ 1 ligne sur 15 du guichet lui est visible).
PLAFOND_COMPTAGE_GUICHET_FILTRE = 500


class ResultatRecherche:
    """Résultat paresseux pour ``django.core.paginator.Paginator`` : ``count()``
    plafonné, ``[a:b]`` rend les demandes de la tranche dans l'ordre de la liste.

    ``preparer(ids)`` charge les demandes d'une page (avec leurs relations) ;
    elle repasse par la politique d'accès.
    """

    ordered = True

    def __init__(self, user, criteres: Criteres, preparer, *, plafond: int = PLAFOND_COMPTAGE):
        self.user = user
        self.criteres = criteres
        self.preparer = preparer
        self.cles = acces.cles_acces(user) or []
        # Brouillons des autres organismes et dépôts en ligne hors de sa portée : jamais lus.
        self.reserves = acces.etats_reserves(user) or acces.EtatsReserves(caches=(), guichets_brouillons=())
        self.departements = [cle[1:] for cle in self.cles if cle.startswith("D")]
        # Demandes distinctes déjà lues dans l'ordre du nom, et si la lecture est allée au bout.
        self._noms_lus: tuple[list[int], bool] = ([], False)
        if criteres.par_nom:
            plafond = min(plafond, PLAFOND_COMPTAGE_NOM)
        elif recherche_sql.guichet_filtre_par_cles(criteres, self.cles):
            plafond = min(plafond, PLAFOND_COMPTAGE_GUICHET_FILTRE)
        self.plafond = plafond

    def _designees(self) -> list[int] | None:
        """Demandes désignées par un label, un contingent, une suspicion de doublon, un téléphone ou un
        courriel (toutes à la fois si plusieurs critères), lues par leurs propres index ; ``None`` : aucun."""
        c = self.criteres
        listes = []
        if c.label_id or c.contingent_id:
            listes.append(demandes_avec_label(type_label=c.label_id, organisme=c.contingent_id))
        if c.a_traiter == "doublons":
            listes.append(demandes_suspectes())
        if c.telephone:
            listes.append(demandes_par_telephone(c.telephone))
        if c.email:
            listes.append(demandes_par_email(c.email))
        if not listes:
            return None
        return sorted(set(listes[0]).intersection(*listes[1:]))

    def _requete(self, borne: int) -> tuple[str, dict]:
        if self.criteres.par_identifiant:
            return recherche_sql.requete_identifiant(
                self.criteres, self.cles, self.departements, self.reserves, self._designees()
            )
        return recherche_sql.requete_flux(self.criteres, self.cles, borne, self.reserves)

    def _par_nom(self, fin: int) -> list[int]:
        """Les ``fin`` premières demandes distinctes dans l'ordre alphabétique.

        Une demande sort deux fois quand demandeur et co-demandeur répondent au nom (un couple qui
        porte le même) : 1,5 × ``fin`` lignes suffisent d'ordinaire ; sinon la lecture reprend avec
        deux fois plus (chaque ligne lue coûte une vérification d'accès).
        """
        # Le compte (``plafond + 1`` demandes) est lu avant la page : la page en est le début.
        deja, complet = self._noms_lus
        if len(deja) >= fin or complet:
            return deja[:fin]
        borne = fin + fin // 2 + 1
        while True:
            lignes = self._lignes_par_nom(borne)
            distinctes = list(dict.fromkeys(lignes))
            if len(distinctes) >= fin or len(lignes) < borne:
                self._noms_lus = (distinctes, len(lignes) < borne)
                return distinctes[:fin]
            borne *= 2

    def _lignes_par_nom(self, borne: int) -> list[int]:
        """Les ``borne`` premières lignes (demandes, avec répétitions) dans l'ordre du nom qui répond.

        Noms d'usage d'abord ; les noms de naissance ensuite, lus seulement jusqu'au dernier nom d'usage
        retenu quand il y en a ``borne`` (au-delà, aucun ne peut entrer) : pour un nom fréquent, la seconde
        lecture ne parcourt plus tous les noms de naissance qui commencent ainsi. Fusion dans l'ordre
        (nom, prénom, demande) de ``ORDER BY … USING ~<~`` : l'ordre des octets UTF-8, celui des
        chaînes Python."""
        args = (self.criteres, self.cles, self.departements, borne, self.reserves)
        usage = recherche_sql.lignes(*recherche_sql.requete_nom(*args, colonne="nom"))
        if not self.criteres.nom:
            return [ligne[0] for ligne in usage]
        jusqua = usage[-1][1] if len(usage) >= borne else None
        naissance = recherche_sql.lignes(*recherche_sql.requete_nom(*args, colonne="nom_naissance", jusqua=jusqua))
        fusion = heapq.merge(usage, naissance, key=lambda ligne: (ligne[1], ligne[2], ligne[0]))
        return [ligne[0] for ligne in itertools.islice(fusion, borne)]

    def identifiants(self, debut: int, fin: int) -> list[int]:
        if not self.cles or fin <= debut:
            return []
        if self.criteres.par_nom:
            return self._par_nom(fin)[debut:]
        requete, parametres = self._requete(fin)
        _colonne, ordre = recherche_sql.tri(self.criteres, "s", "demande_id")
        return recherche_sql.tranche(requete, parametres, ordre, debut=debut, nombre=fin - debut)

    @cached_property
    def _compte_borne(self) -> int:
        if not self.cles:
            return 0
        if self.criteres.par_nom:
            return len(self._par_nom(self.plafond + 1))
        requete, parametres = self._requete(self.plafond + 1)
        return recherche_sql.compter(requete, parametres, jusqua=self.plafond + 1)

    def count(self) -> int:
        return min(self._compte_borne, self.plafond)

    @property
    def depasse_plafond(self) -> bool:
        return self._compte_borne > self.plafond

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, tranche):
        if not isinstance(tranche, slice):
            raise TypeError("ResultatRecherche ne se lit que par tranches.")
        ids = self.identifiants(tranche.start or 0, tranche.stop if tranche.stop is not None else self.plafond)
        if not ids:
            return []
        par_id = {demande.pk: demande for demande in self.preparer(ids)}
        return [par_id[pk] for pk in ids if pk in par_id]
