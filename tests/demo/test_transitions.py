"""Le générateur n'écrit que des états et des événements permis par la table des transitions des demandes.

Pour chaque demande d'un petit fichier généré, l'historique est parcouru dans
l'ordre (date, identifiant) : un événement d'une transition (type égal au
``evenement`` d'une transition de ``WORKFLOW_DEMANDE``, dépôt en ligne compris)
part d'une de ses ``sources`` et mène à sa ``cible`` ; un événement
d'instruction (pièces, propositions, CAL) ne change pas l'état ; l'état
d'après un événement est celui d'où part le suivant, et celui du dernier est
l'état de la demande. Aucun état hors de ``Demande.Etat``, aucun type hors
d'``Evenement.Type``.
"""

from collections import defaultdict

import pytest

from demandes.dossier.workflow import WORKFLOW_DEMANDE as TRANSITIONS
from demandes.models import Demande, Evenement
from demo.generateur import Parametres, generer
from demo.partenaires import charger_partenaires
from fdls.territoires.services import charger_referentiel

TABLE = {t.nom: t for t in TRANSITIONS}
EVENEMENTS_DE_TRANSITION = {t.evenement for t in TABLE.values() if t.evenement}


@pytest.fixture
def fichier():
    charger_referentiel()
    charger_partenaires()
    return generer(Parametres(actives=150, graine=5, part_doublons=0.05))


def test_etats_et_evenements_atteignables_par_la_table_des_transitions(fichier):
    etats = {d.pk: d.etat for d in Demande.objects.only("etat")}
    historiques = defaultdict(list)
    for e in Evenement.objects.order_by("demande_id", "date", "id").values_list(
        "demande_id", "type", "etat_avant", "etat_apres"
    ):
        historiques[e[0]].append(e[1:])
    assert set(historiques) == set(etats)

    ecrits = set()  # couples (état d'arrivée, type d'événement) d'une transition
    for demande, evenements in historiques.items():
        assert etats[demande] in Demande.Etat.values
        etat = None
        for type_, avant, apres in evenements:
            assert type_ in Evenement.Type.values, type_
            assert avant in Demande.Etat.values, (demande, type_, avant)
            assert apres in Demande.Etat.values, (demande, type_, apres)
            if etat is None:
                assert avant in TRANSITIONS["enregistrer"].sources, (demande, type_, avant)
            else:
                assert avant == etat, (demande, type_, avant, etat)
            if type_ in EVENEMENTS_DE_TRANSITION:
                permises = [t for t in TABLE.values() if t.evenement == type_ and avant in t.sources]
                assert any(t.cible == apres for t in permises), (demande, type_, avant, apres)
                ecrits.add((apres, type_))
            else:
                assert avant == apres, (demande, type_, avant, apres)  # instruction : l'état ne change pas
            etat = apres
        assert etat == etats[demande], (demande, etat, etats[demande])

    # Le fichier emprunte les transitions d'une vie de demande, chacune vers sa cible.
    for action in ("enregistrer", "modifier", "renouveler", "satisfaire", "annuler", "annuler_non_renouvellement"):
        assert (TRANSITIONS[action].cible, TRANSITIONS[action].evenement) in ecrits, action
    assert {e for _, e in ecrits} <= EVENEMENTS_DE_TRANSITION
