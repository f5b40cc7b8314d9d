"""Banc des éditions PDF : attestation d'enregistrement (cible ≤ 1 s) et fiche de synthèse (cible ≤ 2 s).

Une demande de ménage nombreux (6 personnes : demandeur, co-demandeur et
4 enfants, ressources de plusieurs types, 4 communes souhaitées, 40 événements
d'historique dont des propositions et des refus) est enregistrée par les
services sur un guichet de la démonstration, puis chaque édition est rendue
``--rendus`` fois (après un rendu de chauffe : chargement de Pango et des
polices) en mesurant tout le travail d'une vue : lecture du dossier,
valeurs dérivées, gabarit, WeasyPrint. Médiane, p95 et max en ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<base de banc> REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.bench_editions --rendus 20

La base est migrée et reçoit le référentiel et les partenaires de démonstration
(``manage.py demo`` sans demandes générées).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal

EVENEMENTS_INSTRUCTION = [
    ("proposition", "Création proposition 521796", {"bien": "44-908-369C-347024"}),
    ("passage_cal", "Commission 0001 - séance du 29/12/2020 - bien 44-908-369C-347024", {}),
    ("refus_proposition", "Taille du logement / Surface des pièces", {"motif": "taille"}),
    ("proposition", "Création proposition 612004", {"bien": "44-902.0688-0009"}),
    ("passage_cal", "Commission CAL44 - séance du 02/03/2021 - bien 44-902.0688-0009", {}),
    ("non_attribution", "Bail signé par le candidat classé devant - bien 44-902.0688-0009", {"rang": 2}),
    ("refus_proposition", "Localisation / Quartier", {"motif": "localisation"}),
]


def creer_demande_nombreuse(*, guichet, agent, communes, evenements: int = 40, le: datetime.date | None = None):
    """Demande enregistrée par les services : 6 personnes, ressources variées, communes données, ``evenements``
    événements d'historique au total (dont 2 refus de proposition). Sert au banc et aux tests des éditions."""
    from django.utils import timezone

    from demandes.cycle import services
    from demandes.dossier.saisie import Dossier, PersonneSaisie
    from demandes.dossier.workflow import ecrire_evenement
    from demandes.models import Demande, LocalisationSouhaitee, Personne, Ressource
    from fdls.socle.workflow import Auteur

    le = le or timezone.localdate()
    demande = Demande(
        typologies=["T4", "T5"],
        motifs=["trop_cher", "trop_petit"],
        motif_precision="Six personnes dans un T2",
        statut_occupation="locataire_prive",
        occupation_depuis=datetime.date(2014, 1, 1),
        categorie_actuelle="appartement",
        pieces_actuelles=2,
        surface_actuelle=48,
        loyer_actuel=Decimal("760.00"),
        aides_logement=Decimal("212.00"),
        nb_occupants_actuels=6,
        categorie_recherchee="indifferent",
        parking=True,
        rez_de_chaussee=False,
        sans_ascenseur_accepte=False,
        adresse_numero="19",
        adresse_voie="rue de l'Estuaire",
        code_postal="44000",
        ville="Nantes",
        telephone="02 40 00 00 00",
        telephone_portable="06 00 00 00 00",
        email="martine.noury@exemple.fr",
        complement="Souhaite rester près de l'école des enfants (quartier Doulon).",
    )

    def personne(role, civilite, sexe, nom, prenom, naissance, **champs):
        return Personne(
            role=role,
            civilite=civilite,
            sexe=sexe,
            nom=nom,
            prenom=prenom,
            date_naissance=naissance,
            nationalite="francaise",
            **champs,
        )

    personnes = [
        PersonneSaisie(
            personne(
                "demandeur",
                "MME",
                "F",
                "NOURY",
                "Martine",
                datetime.date(1980, 9, 4),
                situation_familiale="marie",
                profession="Opératrice de préparation",
                activite="salarie_prive",
                cdd_interim=True,
                activite_depuis=datetime.date(2021, 2, 1),
                csp="employe",
                employeur="SAS Nantes Europ",
                employeur_siret="35178375800011",
                travail_code_postal="44450",
                travail_ville="Saint-Julien-de-Concelles",
                revenu_fiscal=Decimal("12534"),
                revenu_fiscal_n1=Decimal("11900"),
            ),
            [
                Ressource(type="salaire", montant=Decimal("1120.00")),
                Ressource(type="pension_alimentaire_recue", montant=Decimal("150.00")),
                Ressource(type="prime_activite", montant=Decimal("124.80")),
            ],
        ),
        PersonneSaisie(
            personne(
                "codemandeur",
                "M",
                "M",
                "BULLET",
                "Louis",
                datetime.date(1978, 3, 12),
                situation_familiale="marie",
                lien_parente="conjoint",
                profession="Cariste",
                activite="salarie_prive",
                activite_depuis=datetime.date(2016, 6, 1),
                csp="ouvrier",
                employeur="Logistique de l'Erdre",
                revenu_fiscal=Decimal("17820"),
            ),
            [Ressource(type="salaire", montant=Decimal("1585.40"))],
        ),
    ]
    for prenom, sexe, naissance in [
        ("Lucas", "M", datetime.date(2009, 4, 5)),
        ("Inès", "F", datetime.date(2013, 11, 20)),
        ("Noah", "M", datetime.date(2017, 7, 2)),
        ("Jade", "F", datetime.date(2022, 1, 15)),
    ]:
        personnes.append(
            PersonneSaisie(
                personne("occupant", "", sexe, "BULLET", prenom, naissance, lien_parente="enfant", a_charge=True)
            )
        )
    personnes[2].ressources = [Ressource(type="allocations_familiales", montant=Decimal("298.00"))]
    localisations = [LocalisationSouhaitee(commune=c) for c in communes]
    dossier = Dossier(demande=demande, personnes=personnes, localisations=localisations)
    demande = services.enregistrer_demande(
        dossier, auteur=Auteur.agent(agent), guichet=guichet, piece_identite=piece_identite()
    )

    auteur = Auteur.agent(agent)
    debut = timezone.now() - datetime.timedelta(days=3 * evenements)
    for i in range(max(0, evenements - demande.evenements.count())):
        if i < len(EVENEMENTS_INSTRUCTION):
            type_, precisions, details = EVENEMENTS_INSTRUCTION[i]
        else:
            type_, precisions, details = (
                "modification",
                "",
                {
                    "changements": [
                        {
                            "rubrique": "Coordonnées",
                            "champ": "Téléphone portable",
                            "ancien": "—",
                            "nouveau": f"06 {i:02d}",
                        }
                    ]
                },
            )
        ecrire_evenement(
            demande,
            type_,
            auteur,
            precisions=precisions,
            details=details,
            etat_avant="active",
            etat_apres="active",
            date=debut + datetime.timedelta(days=3 * i),
        )
    return Demande.objects.get(pk=demande.pk)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rendus", type=int, default=20)
    args = parser.parse_args(argv)

    import io

    from pypdf import PdfReader  # dépendance de développement

    from bench.commun import centiles, chronometrer, nom_base, preparer_fichier

    preparer_fichier(0)

    from demandes.editions import pdf as editions
    from demandes.models import Demande
    from fdls.comptes.models import Utilisateur
    from fdls.organismes.models import Guichet
    from fdls.territoires.models import Commune

    guichet = (
        Guichet.objects.filter(type="accompagnateur", actif=True, commune__departement_id="44")
        .select_related("organisme", "commune")
        .order_by("code")
        .first()
    )
    agent = (
        Utilisateur.objects.filter(kind="agent", organisme=guichet.organisme).first()
        or Utilisateur.objects.filter(kind="agent").first()
    )
    communes = list(Commune.objects.filter(departement_id="44").order_by("-population")[:4])
    demande = creer_demande_nombreuse(guichet=guichet, agent=agent, communes=communes, evenements=40)
    print(
        f"Base {nom_base()} : demande {demande.numero_unique_affiche}, {demande.personnes.count()} personnes, "
        f"{demande.localisations.count()} communes, {demande.evenements.count()} événements"
    )

    def rendre(edition):
        d = Demande.objects.select_related(*editions.SELECT_EDITION).get(pk=demande.pk)
        return editions.EDITIONS[edition](d, user=agent)

    print(f"Charge de la machine (1 min) : {os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs")
    cibles = {"attestation": 1000, "synthese": 2000}
    depassement = False
    for edition, cible in cibles.items():
        rendre(edition)  # chauffe : Pango, fontconfig, gabarits
        durees, cpu, taille = [], [], 0
        for _ in range(args.rendus):
            debut_cpu = time.process_time()
            duree, pdf = chronometrer(lambda edition=edition: rendre(edition))
            cpu.append((time.process_time() - debut_cpu) * 1000)
            durees.append(duree)
            taille = len(pdf)
        mediane, p95, maximum = centiles(durees)
        cpu_mediane, cpu_p95, _ = centiles(cpu)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{edition:<12} {args.rendus} rendus : médiane {mediane:.0f} ms, p95 {p95:.0f} ms, max {maximum:.0f} ms "
            f"(temps CPU du processus : médiane {cpu_mediane:.0f} ms, p95 {cpu_p95:.0f} ms) "
            f"– {pages} page(s), {taille / 1024:.0f} Kio – cible ≤ {cible} ms"
        )
        depassement |= p95 > cible
    return 1 if depassement else 0


if __name__ == "__main__":
    sys.exit(main())


def piece_identite():
    """La pièce d'identité du demandeur, obligatoire à l'enregistrement (un petit PDF réel)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("carte-identite.pdf", PDF_IDENTITE, content_type="application/pdf")


PDF_IDENTITE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
