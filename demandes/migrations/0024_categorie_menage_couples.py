"""Catégorie de ménage enregistrée recalculée pour les ménages que la règle du couple change (session 8).

``calculs.categorie_menage`` ne compte plus comme jeune ménage deux co-demandeurs
qui ne sont pas un couple, compte le conjoint saisi comme occupant et ne le
compte jamais à charge (docs/decisions.md, session 8). Seules les demandes qui
ont un co-demandeur lié autrement que comme conjoint, ou un conjoint qui n'est
pas co-demandeur, peuvent changer : elles seules sont relues, par paquets.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from demandes.dossier import calculs

PAQUET = 2000


def recalculer(apps, schema_editor):
    Demande = apps.get_model("demandes", "Demande")
    Personne = apps.get_model("demandes", "Personne")
    concernees = (
        Personne.objects.filter(
            (Q(role="codemandeur") & ~Q(lien_parente__in=["", "conjoint"]))
            | (Q(lien_parente="conjoint") & ~Q(role="codemandeur"))
        )
        .values_list("demande_id", flat=True)
        .distinct()
        .order_by("demande_id")
    )
    ids = list(concernees)
    le = timezone.localdate()
    for i in range(0, len(ids), PAQUET):
        demandes = Demande.objects.filter(pk__in=ids[i : i + PAQUET]).prefetch_related("personnes")
        a_ecrire = []
        for d in demandes:
            categorie = calculs.categorie_menage(list(d.personnes.all()), le, d.enfants_a_naitre or 0)
            if d.categorie_menage != categorie:
                d.categorie_menage = categorie
                a_ecrire.append(d)
        Demande.objects.bulk_update(a_ecrire, ["categorie_menage"])


class Migration(migrations.Migration):
    dependencies = [("demandes", "0023_plafonds_confirmes_plai_2025")]

    operations = [migrations.RunPython(recalculer, migrations.RunPython.noop)]
