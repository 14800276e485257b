// The lot page's live state: polls GET /api/lots/{id} every 3 seconds (current price, leading bidder number, bids,
// whether the reserve is met, the end and status) and counts down between polls. The
// server's clock rules: the countdown restarts from the seconds left the server gives, never the browser's time.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var lot = live.getAttribute("data-lot");
  var lang = live.getAttribute("data-lang");
  var left = parseInt(live.getAttribute("data-seconds-left"), 10) || 0;
  var finished = live.getAttribute("data-finished") === "yes";
  var labels = JSON.parse(document.getElementById("lot-status").getAttribute("data-labels"));
  var phaseEl = document.getElementById("lot-phase");
  var phases = phaseEl ? JSON.parse(phaseEl.getAttribute("data-labels")) : {};
  var phase = live.getAttribute("data-phase");
  function money(fen) {
    if (fen === null || fen === undefined) { return "—"; }
    var yuan = fen / 100;
    function fixed(x) { return x.toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2}).replace(".00", ""); }
    if (lang !== "zh") { return "CNY " + fixed(yuan); }
    if (yuan >= 10000) { return fixed(yuan / 10000) + " 万元"; }
    return yuan.toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2}) + " 元";
  }
  function beijing(iso) {
    var parts = new Intl.DateTimeFormat("en-CA", {timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date(iso));
    var p = {};
    parts.forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }
  function set(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function tick() {
    if (left > 0) { left -= 1; }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    set("countdown", left > 0 ? (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s
      : live.getAttribute("data-word-ended"));
  }
  function poll() {
    fetch("/api/lots/" + lot, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        var l = state.lot;
        left = state.seconds_left;
        set("current-price", money(l.current_price));
        set("leader", l.leader_number === null ? "—" : String(l.leader_number));
        set("bid-count", String(l.bids));
        set("reserve-met", live.getAttribute(l.reserve_met ? "data-word-yes" : "data-word-no"));
        set("closes-at", beijing(l.closes_at));
        set("lot-status", labels[l.status] || l.status);
        set("commitment-count", String(l.commitments));
        set("reveal-count", String(l.reveals));
        if (state.phase) { set("lot-phase", phases[state.phase] || state.phase); }
        // A sealed lot's forms change with its phase (commit, then reveal): the page is drawn again.
        if (l.auction_format !== "timed" && state.phase && state.phase !== phase && !finished) { window.location.reload(); }
        if ((l.status === "sold" || l.status === "unsold") && !finished) { window.location.reload(); }
      })
      .catch(function () { /* the next poll tries again */ });
  }
  tick();
  window.setInterval(tick, 1000);
  if (!finished) { window.setInterval(poll, 3000); }
})();
