// Behaviour the pages share, as a static file (the site's CSP allows no inline script).
(function () {
  "use strict";
  // The language switch returns to the page as it is now: htmx may have pushed a new URL (search, filters).
  function keepLanguageSwitchOnThisPage() {
    var link = document.querySelector("a[data-lang-switch]");
    if (link) {
      var target = link.getAttribute("href").split("?")[0];
      link.setAttribute("href", target + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
  }
  document.addEventListener("htmx:pushedIntoHistory", keepLanguageSwitchOnThisPage);
  window.addEventListener("popstate", keepLanguageSwitchOnThisPage);
  // "Go back" links: back in history when there is one, else the link's own target.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
