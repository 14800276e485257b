// Repeatable rows of the valuation form (comparable transactions), as a static file: the site's CSP
// allows no inline script. Without JavaScript the form shows three rows; with it, rows can be added
// and removed. Row fields are named in.<input>.<i>.<key>; the server drops rows left empty.
(function () {
  "use strict";
  function renumber(container) {
    var rows = container.querySelectorAll("[data-row]");
    var prefix = container.getAttribute("data-rows");
    rows.forEach(function (row, i) {
      row.querySelectorAll("input[data-field]").forEach(function (input) {
        input.name = prefix + "." + i + "." + input.getAttribute("data-field");
      });
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(i + 1); }
    });
  }
  function reveal(root) {
    (root || document).querySelectorAll("[data-rows] [data-add-row], [data-rows] [data-remove-row]").forEach(
      function (button) { button.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var add = target.closest("[data-add-row]");
    var remove = target.closest("[data-remove-row]");
    var container = (add || remove) && (add || remove).closest("[data-rows]");
    if (!container) { return; }
    event.preventDefault();
    var rows = container.querySelectorAll("[data-row]");
    if (add) {
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      copy.querySelectorAll(".field-error").forEach(function (note) { note.remove(); });
      last.after(copy);
      renumber(container);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
    } else if (rows.length > 1) {
      remove.closest("[data-row]").remove();
      renumber(container);
    } else {
      rows[0].querySelectorAll("input").forEach(function (input) { input.value = ""; });
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
