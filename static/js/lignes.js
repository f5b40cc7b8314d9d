// Lignes cliquables des listes : un clic dans la ligne (hors lien, bouton, champ ou texte sélectionné)
// suit le lien de la ligne (.lien-ligne). Le lien reste un vrai lien : clavier et lecteurs d'écran
// l'atteignent sans ce script, qui n'ajoute que le confort de la souris.
document.addEventListener("click", function (evenement) {
  var ligne = evenement.target.closest("tr.ligne-cliquable");
  if (!ligne || evenement.target.closest("a, button, input, select, textarea, label")) {
    return;
  }
  if (window.getSelection && String(window.getSelection())) {
    return;
  }
  var lien = ligne.querySelector("a.lien-ligne");
  if (!lien) {
    return;
  }
  if (evenement.ctrlKey || evenement.metaKey || evenement.button === 1) {
    window.open(lien.href, "_blank");
  } else {
    window.location.assign(lien.href);
  }
});
