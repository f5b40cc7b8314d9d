"""Générateur de demandes réalistes, chargées par COPY (démonstration et bancs).

``generer(Parametres(actives=N))`` écrit N demandes actives du fichier de
Loire-Atlantique, plus les demandes closes des dernières années (satisfaites
et annulées) pour que délais et flux se calculent, avec leur ménage
(``Personne``, ``Ressource``), leurs localisations souhaitées, leur historique
(``Evenement``), leurs clés de doublons (``CleIdentite``, exactement celles de
``services.cles_identite``) et une part connue de doublons semés
(``DoublonSeme``, vérité terrain du banc de détection).

Distributions (sources : seeds 000 et 001, docs/domain.md §7) :

* 1er choix dans Nantes Métropole ≈ 69 % (« près de 7 demandes sur 10 »),
  communes pondérées par leur population ; 1 à 5 choix ordonnés ;
* 36 % de locataires HLM (demandes de mutation), 64 % de ménages externes ;
* ancienneté des demandes actives par tranches de la fiche territoriale
  (< 6 mois 29 %, 6–12 mois 29 %, 12–24 mois 19 %, ≥ 24 mois 23 %) ;
* ménages : personne seule 43 %, parent isolé 24 %, couple sans enfant 11 %,
  couple avec enfants 18 %, personne seule + autre adulte 4 % ;
* typologies selon la taille du ménage, catégorie recherchée (appartement,
  maison, indifférent) selon le tableau de Sautron (seed 000) ;
* satisfaites : 15,9 % du stock par an, délai moyen 24,7 mois (Nantes
  Métropole 2022) ; annulées : ``taux_annulation`` du stock par an, surtout
  pour non-renouvellement (« Traitement automatisé ») ;
* numéros uniques au format de ``demandes.numerotation`` (guichets
  accompagnateurs de la démo), compteurs ``CompteurNumero`` et
  ``CompteurReference`` laissés sur la dernière séquence : les
  enregistrements suivants continuent sans doublon ni trou.

États et événements de l'historique suivent la table des transitions des
demandes (``historique``) ; les valeurs viennent des énumérations du modèle ;
les colonnes des COPY sont celles des modèles (``copie_sql``).

Modules : ``parametres`` (paramètres, bilan), ``contexte`` (référentiel),
``listes`` (noms, voies…), ``menages`` (tirage des ménages), ``historique``
(événements, transitions), ``fabrication`` (une demande, un lot, les
doublons semés), ``lots`` (lignes prêtes pour COPY, numérotation),
``copie_sql`` (COPY, identifiants, compteurs), ``index_sql`` (index
suspendus puis reconstruits), ``chargement`` (conduite de la génération).

Chargement : lots de ``taille_lot`` demandes, une transaction et un COPY par
table et par lot (mémoire constante). Un fil de chargement écrit le lot k
pendant que le fil principal fabrique le lot k+1 (deux cœurs occupés). Les
identifiants sont pris après le maximum existant, puis les séquences sont
recalées (``setval``). À lancer sans enregistrement concurrent (commande de
démonstration, base de banc).

Au-delà de 100 000 demandes (mode massif, ``Parametres.massif``) : index
secondaires retirés puis reconstruits (``IndexSuspendu``), lots fabriqués par
des processus de travail et numérotés dans l'ordre par le processus
principal, table de recherche écrite dans les lots (docs/decisions.md,
sessions 5 à 7).
"""

from demo.generateur.chargement import fabrique, generer
from demo.generateur.index_sql import restaurer_index
from demo.generateur.outils import ajouter_mois
from demo.generateur.parametres import Bilan, Parametres, resume, volumes

__all__ = ["Bilan", "Parametres", "ajouter_mois", "fabrique", "generer", "restaurer_index", "resume", "volumes"]
