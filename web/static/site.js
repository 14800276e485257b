// Behaviour the pages share, as a static file (the site's CSP allows no inline script).
(function () {
  "use strict";
  // "Go back" links: back in history when there is one, else the link's own target.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
