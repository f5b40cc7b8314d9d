/*
 * Onglets accessibles (motif WAI-ARIA « tabs ») par amélioration progressive.
 *
 * Sans JavaScript, les rubriques se suivent dans la page et la barre d'onglets
 * est une liste d'ancres. Avec ce script, une seule rubrique est affichée ;
 * les flèches gauche/droite, Début et Fin passent d'un onglet à l'autre. Les
 * liens du récapitulatif des erreurs ouvrent l'onglet du champ et y placent
 * le focus. Tous les champs restent dans le même formulaire, donc envoyés.
 */
(function () {
  "use strict";

  function initialiser(conteneur) {
    var liens = Array.prototype.slice.call(conteneur.querySelectorAll(".onglets a[data-onglet]"));
    if (!liens.length) {
      return;
    }
    var liste = liens[0].closest("ul");
    liste.setAttribute("role", "tablist");
    var panneaux = {};
    liens.forEach(function (lien) {
      var id = "onglet-" + lien.dataset.onglet;
      var panneau = document.getElementById(id);
      if (!panneau) {
        return;
      }
      panneaux[lien.dataset.onglet] = panneau;
      lien.parentElement.setAttribute("role", "presentation");
      lien.setAttribute("role", "tab");
      lien.id = lien.id || "tab-" + lien.dataset.onglet;
      lien.setAttribute("aria-controls", id);
      panneau.setAttribute("role", "tabpanel");
      panneau.setAttribute("aria-labelledby", lien.id);
    });
    document.documentElement.classList.add("js-onglets");

    function activer(cle, focus) {
      if (!panneaux[cle]) {
        return;
      }
      liens.forEach(function (lien) {
        var actif = lien.dataset.onglet === cle;
        lien.setAttribute("aria-selected", actif ? "true" : "false");
        lien.tabIndex = actif ? 0 : -1;
        if (panneaux[lien.dataset.onglet]) {
          panneaux[lien.dataset.onglet].hidden = !actif;
        }
        if (actif && focus) {
          lien.focus();
        }
      });
      if (history.replaceState) {
        history.replaceState(null, "", "#onglet-" + cle);
      }
    }

    liens.forEach(function (lien, index) {
      lien.addEventListener("click", function (evenement) {
        evenement.preventDefault();
        activer(lien.dataset.onglet, false);
      });
      lien.addEventListener("keydown", function (evenement) {
        var cible = null;
        if (evenement.key === "ArrowRight") {
          cible = liens[(index + 1) % liens.length];
        } else if (evenement.key === "ArrowLeft") {
          cible = liens[(index - 1 + liens.length) % liens.length];
        } else if (evenement.key === "Home") {
          cible = liens[0];
        } else if (evenement.key === "End") {
          cible = liens[liens.length - 1];
        }
        if (cible) {
          evenement.preventDefault();
          activer(cible.dataset.onglet, true);
        }
      });
    });

    // Un lien vers un champ (récapitulatif des erreurs) ouvre l'onglet qui le contient.
    document.addEventListener("click", function (evenement) {
      var lien = evenement.target.closest("a[href^='#']");
      if (!lien || lien.getAttribute("role") === "tab") {
        return;
      }
      var cible = document.getElementById(lien.getAttribute("href").slice(1));
      var panneau = cible && cible.closest(".onglet-panneau");
      if (!panneau || !conteneur.contains(panneau)) {
        return;
      }
      evenement.preventDefault();
      activer(panneau.id.replace("onglet-", ""), false);
      cible.focus();
      cible.scrollIntoView({ block: "center" });
    });

    var depuisAdresse = location.hash.replace("#onglet-", "");
    var premiereErreur = conteneur.querySelector(".onglets .badge-erreur");
    var cle = panneaux[depuisAdresse]
      ? depuisAdresse
      : premiereErreur
        ? premiereErreur.closest("a").dataset.onglet
        : liens[0].dataset.onglet;
    activer(cle, false);

    // Après un envoi : le récapitulatif des erreurs, ou sinon les doublons trouvés, reçoivent le focus.
    var annonce = document.getElementById("resume-erreurs") || document.getElementById("doublons");
    if (annonce) {
      // Le navigateur ne remet pas la page où elle était avant l'envoi : on montre l'annonce.
      if ("scrollRestoration" in history) {
        history.scrollRestoration = "manual";
      }
      annonce.focus({ preventScroll: true });
      window.addEventListener("load", function () {
        window.scrollTo(0, annonce.getBoundingClientRect().top + window.scrollY - 16);
      });
    }
  }

  // Confirmation avant une action irréversible (le formulaire marche aussi sans).
  document.addEventListener("submit", function (evenement) {
    var form = evenement.target;
    var bouton = evenement.submitter;
    var message = (bouton && bouton.dataset.confirmer) || form.dataset.confirmer;
    if (message && !window.confirm(message)) {
      evenement.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var conteneur = document.querySelector("#formulaire-demande") || document.querySelector(".fiche-onglets");
    if (conteneur) {
      initialiser(document.querySelector("main") || document.body);
    }
  });
})();
