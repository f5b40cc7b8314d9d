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
      if (!lien || lien.getAttribute("role") === "tab" || lien.hasAttribute("data-aller")) {
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

    var cles = liens.map(function (lien) {
      return lien.dataset.onglet;
    });

    function actif() {
      var lien = liens.filter(function (l) {
        return l.getAttribute("aria-selected") === "true";
      })[0];
      return lien ? lien.dataset.onglet : cles[0];
    }

    // Ouvre l'onglet et place le focus sur son premier champ (Précédent / Suivant, touche Entrée).
    function aller(cle) {
      if (!panneaux[cle]) {
        return;
      }
      activer(cle, false);
      var champ = panneaux[cle].querySelector(
        "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])"
      );
      var cible = champ || panneaux[cle].querySelector("h2");
      if (cible === panneaux[cle].querySelector("h2")) {
        cible.setAttribute("tabindex", "-1");
      }
      cible.focus({ preventScroll: true });
      panneaux[cle].scrollIntoView({ block: "start" });
    }

    conteneur.addEventListener("click", function (evenement) {
      var lien = evenement.target.closest("[data-aller]");
      if (lien) {
        evenement.preventDefault();
        aller(lien.dataset.aller);
      }
    });

    // La touche Entrée dans un champ actionne le bouton par défaut (« suivant ») : on passe à l'onglet
    // suivant sans rien envoyer ; sur le dernier, le focus va au bouton d'enregistrement.
    var formulaire = conteneur.querySelector("#formulaire-demande");
    if (formulaire) {
      formulaire.addEventListener("submit", function (evenement) {
        var bouton = evenement.submitter;
        if (!bouton || bouton.value !== "suivant") {
          return;
        }
        evenement.preventDefault();
        var index = cles.indexOf(actif());
        if (index < cles.length - 1) {
          aller(cles[index + 1]);
        } else {
          var principal = formulaire.querySelector(".barre-actions .bouton:not(.bouton-secondaire)");
          if (principal) {
            principal.focus();
          }
        }
      });
    }

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
        // Chromium rend le focus au document à la fin du chargement : on le replace sur l'annonce.
        if (document.activeElement === document.body) {
          annonce.focus({ preventScroll: true });
        }
        window.scrollTo(0, annonce.getBoundingClientRect().top + window.scrollY - 16);
      });
    }
  }

  /*
   * Commune tapée par son nom : combobox accessible (motif WAI-ARIA « combobox » avec liste).
   * htmx remplit la liste (suggestions du serveur) ; flèches haut et bas pour parcourir, Entrée pour
   * choisir, Échap pour fermer. Sans JavaScript, le nom tapé est reconnu à l'envoi.
   */
  function listeDe(champ) {
    return document.getElementById(champ.getAttribute("aria-controls"));
  }

  function fermer(champ) {
    var liste = listeDe(champ);
    if (liste) {
      liste.hidden = true;
    }
    champ.setAttribute("aria-expanded", "false");
    champ.removeAttribute("aria-activedescendant");
  }

  function options(liste) {
    return Array.prototype.slice.call(liste.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }

  function choisir(champ, option) {
    champ.value = option.dataset.valeur;
    fermer(champ);
    champ.focus();
  }

  function surligner(champ, option) {
    var liste = listeDe(champ);
    Array.prototype.forEach.call(liste.querySelectorAll("[role=option]"), function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    champ.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:afterSwap", function (evenement) {
    var liste = evenement.detail.target;
    if (!liste.classList || !liste.classList.contains("suggestions-communes")) {
      return;
    }
    var champ = document.querySelector("[aria-controls='" + liste.id + "']");
    var ouverte = liste.children.length > 0 && document.activeElement === champ;
    liste.hidden = !ouverte;
    champ.setAttribute("aria-expanded", ouverte ? "true" : "false");
    champ.removeAttribute("aria-activedescendant");
  });

  document.addEventListener("keydown", function (evenement) {
    var champ = evenement.target;
    if (!champ.classList || !champ.classList.contains("combobox-commune")) {
      return;
    }
    var liste = listeDe(champ);
    if (!liste || liste.hidden) {
      return;
    }
    var toutes = options(liste);
    var courante = document.getElementById(champ.getAttribute("aria-activedescendant") || "");
    var index = toutes.indexOf(courante);
    if (evenement.key === "ArrowDown" || evenement.key === "ArrowUp") {
      evenement.preventDefault();
      if (!toutes.length) {
        return;
      }
      index = evenement.key === "ArrowDown" ? (index + 1) % toutes.length : (index - 1 + toutes.length) % toutes.length;
      surligner(champ, toutes[index]);
    } else if (evenement.key === "Enter") {
      // Entrée choisit la commune surlignée : le formulaire n'est pas envoyé.
      evenement.preventDefault();
      if (courante && index >= 0) {
        choisir(champ, courante);
      } else if (toutes.length === 1) {
        choisir(champ, toutes[0]);
      } else {
        fermer(champ);
      }
    } else if (evenement.key === "Escape") {
      evenement.preventDefault();
      fermer(champ);
    }
  });

  document.addEventListener("mousedown", function (evenement) {
    var option = evenement.target.closest && evenement.target.closest(".suggestions-communes [role=option]");
    if (!option || option.getAttribute("aria-disabled") === "true") {
      return;
    }
    evenement.preventDefault();
    choisir(document.querySelector("[aria-controls='" + option.parentElement.id + "']"), option);
  });

  document.addEventListener("focusout", function (evenement) {
    if (evenement.target.classList && evenement.target.classList.contains("combobox-commune")) {
      fermer(evenement.target);
    }
  });

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
