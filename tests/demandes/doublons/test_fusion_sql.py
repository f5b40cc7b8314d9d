"""Accord de ``doublons/fusion_sql.py`` avec l'ORM : les suspicions reportées sur la demande gardée sont celles que
l'on déduit, par l'ORM, des suspicions à traiter de la demande absorbée avant la fusion."""

import datetime

from demandes.doublons.services import fusion_sql
from demandes.models import SuspicionDoublon
from tests.monde.factories import DemandeFactory


def _paire(x, y):
    return (x, y) if x < y else (y, x)


def test_les_suspicions_reportees_sont_celles_que_l_orm_deduit(db):
    gardee, absorbee, c, d, e, f = (DemandeFactory(nom=f"NOM{i}", prenom="Claire") for i in range(6))
    lignes = [
        (absorbee, c, "a_traiter", 91),  # reportée sur (gardée, c)
        (absorbee, d, "a_traiter", 88),  # (gardée, d) existe déjà : rien de plus
        (absorbee, e, "distinctes", 95),  # traitée : pas reportée
        (absorbee, gardee, "a_traiter", 99),  # la paire fusionnée elle-même : pas reportée
        (gardee, d, "distinctes", 86),
        (f, absorbee, "a_traiter", 87),  # l'absorbée en second : reportée sur (gardée, f)
    ]
    for x, y, statut, score in lignes:
        a, b = _paire(x.pk, y.pk)
        SuspicionDoublon.objects.create(
            demande_a_id=a, demande_b_id=b, score=score, motif=f"m{score}", source="nuit", statut=statut
        )
    avant = {(s.demande_a_id, s.demande_b_id): s for s in SuspicionDoublon.objects.all()}
    attendues = {}
    for (a, b), s in avant.items():
        autre = b if a == absorbee.pk else a
        if absorbee.pk in (a, b) and s.statut == "a_traiter" and autre != gardee.pk:
            nouvelle = _paire(gardee.pk, autre)
            if nouvelle not in avant:
                attendues[nouvelle] = (s.score, s.motif, s.source, "a_traiter", s.detectee_le)

    ecrites = fusion_sql.reporter_suspicions(absorbee=absorbee.pk, gardee=gardee.pk)

    apres = {
        (s.demande_a_id, s.demande_b_id): (s.score, s.motif, s.source, s.statut, s.detectee_le)
        for s in SuspicionDoublon.objects.all()
        if (s.demande_a_id, s.demande_b_id) not in avant
    }
    assert apres == attendues
    assert ecrites == len(attendues) == 2
    assert isinstance(next(iter(apres.values()))[4], datetime.datetime)
