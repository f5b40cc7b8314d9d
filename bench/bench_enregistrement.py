"""Banc de l'enregistrement par la couche de services, 8 guichets concurrents.

Chaque processus (``multiprocessing``, démarrage « spawn », ``django.setup()``
et sa propre connexion) enregistre des dossiers tirés comme ceux du fichier
par ``services.enregistrer_demande`` (numéro unique, référence, historique,
clés et suspicions de doublons), sur des guichets accompagnateurs de la
démonstration. Débit = demandes enregistrées / durée, du départ commun
(barrière) à la fin du dernier processus. Puis vérification sur tout le
fichier : aucun numéro unique en double, et pour chaque (département,
période, guichet) les séquences vont de 1 à ``CompteurNumero.dernier`` sans
trou.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench_demandes REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.bench_enregistrement --demandes 1000000 --processus 8 --par-processus 250
"""

import argparse
import multiprocessing
import random
import sys
import time


def ecrivain(numero: int, nombre: int, barriere, resultats, graine: int = 0) -> None:
    from bench.commun import dossier_depuis_menage  # django.setup() dans le processus
    from demandes.cycle import services
    from demo.generateur import fabrique
    from fdls.comptes.models import Utilisateur
    from fdls.organismes.models import Guichet

    # Graine tirée de l'état du fichier : un passage répété sur la même base enregistre d'autres ménages
    # (sinon chaque dossier retrouverait ses copies des passages précédents comme doublons).
    alea = random.Random(f"{graine}-{numero}")
    generateur = fabrique()
    guichets = list(
        Guichet.objects.filter(type="accompagnateur", commune__departement_id="44").select_related(
            "organisme", "commune"
        )
    )
    agent = Utilisateur.objects.filter(kind="agent").first()
    dossiers = []
    for _ in range(nombre):
        menage = generateur.menage_aleatoire(alea)
        dossiers.append(dossier_depuis_menage(menage, generateur.communes_aleatoires(alea)))
    durees = []
    barriere.wait()
    try:
        for dossier in dossiers:
            guichet = alea.choice(guichets)
            debut = time.perf_counter()
            services.enregistrer_demande(
                dossier, auteur=services.Auteur.agent(agent), guichet=guichet, piece_identite=piece_identite()
            )
            durees.append((time.perf_counter() - debut) * 1000)
    finally:
        # Toujours répondre, même en erreur : le processus principal attend chaque écrivain.
        resultats.put((numero, durees, time.perf_counter()))


def piece_identite():
    """La pièce d'identité du demandeur, obligatoire à l'enregistrement (un petit PDF réel)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("carte-identite.pdf", PDF_IDENTITE, content_type="application/pdf")


PDF_IDENTITE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def verifier() -> tuple[int, int, int]:
    """(séquences vérifiées, numéros en double, séquences avec trou ou compteur faux)."""
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT count(*) FROM (SELECT numero_unique FROM demandes_demande WHERE numero_unique IS NOT NULL "
            "GROUP BY 1 HAVING count(*) > 1) d"
        )
        doubles = curseur.fetchone()[0]
        curseur.execute(
            """
            WITH s AS (
                SELECT substr(numero_unique, 1, 3) AS departement, substr(numero_unique, 4, 4) AS periode,
                       substr(numero_unique, 14, 5) AS guichet, count(*) AS n,
                       count(DISTINCT substr(numero_unique, 8, 6)) AS distincts,
                       min(substr(numero_unique, 8, 6)::int) AS premier,
                       max(substr(numero_unique, 8, 6)::int) AS dernier
                  FROM demandes_demande WHERE numero_unique IS NOT NULL GROUP BY 1, 2, 3
            )
            SELECT count(*),
                   count(*) FILTER (WHERE s.premier <> 1 OR s.dernier <> s.n OR s.distincts <> s.n
                                     OR c.dernier IS DISTINCT FROM s.n)
              FROM s LEFT JOIN demandes_compteurnumero c
                ON (c.departement, c.periode, c.guichet) = (s.departement, s.periode, s.guichet)
            """
        )
        sequences, fautives = curseur.fetchone()
    return sequences, doubles, fautives


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demandes", type=int, default=1_000_000, help="demandes actives du fichier")
    parser.add_argument("--processus", type=int, default=8)
    parser.add_argument("--par-processus", type=int, default=250)
    args = parser.parse_args()
    from bench.commun import centiles, preparer_fichier

    print(f"Préparation du fichier : {preparer_fichier(args.demandes):.0f} s")
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("SELECT coalesce(max(id), 0) FROM demandes_demande")
        graine = curseur.fetchone()[0]
    connection.close()
    contexte = multiprocessing.get_context("spawn")
    barriere = contexte.Barrier(args.processus + 1)
    resultats = contexte.Queue()
    processus = [
        contexte.Process(target=ecrivain, args=(n, args.par_processus, barriere, resultats, graine))
        for n in range(args.processus)
    ]
    for p in processus:
        p.start()
    barriere.wait()
    debut = time.perf_counter()
    fins, durees = [], []
    for _ in processus:
        _, d, fin = resultats.get()
        durees += d
        fins.append(fin)
    for p in processus:
        p.join()
    total = len(durees)
    duree = max(fins) - debut
    m, p95, mx = centiles(durees)
    print(
        f"{total} demandes enregistrées par {args.processus} processus en {duree:.1f} s : "
        f"{total / duree:.0f} /s (cible ≥ 100 /s) ; par enregistrement médiane {m:.0f} ms, p95 {p95:.0f} ms, "
        f"max {mx:.0f} ms"
    )
    sequences, doubles, fautives = verifier()
    print(f"Vérification : {sequences} séquences, {doubles} numéros en double, {fautives} séquences avec trou")
    return 0 if total / duree >= 100 and not doubles and not fautives else 1


if __name__ == "__main__":
    sys.exit(main())
