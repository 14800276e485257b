// Sealed bids on the lot page (docs/AUCTIONS.md, "Sealed bids"). Commit: the amount never leaves the browser. The
// script draws a 32-byte salt, computes SHA-256 of "sealed-bid:v1:<lot id>:<bidder number>:<amount in fen>:<salt>"
// with SubtleCrypto, keeps a receipt (amount, salt, commitment) in local storage and as a downloaded file, and
// posts the commitment alone (the amount field has no name). Reveal: fills amount and salt from the receipt (local
// storage, or the file the bidder chooses).
(function () {
  "use strict";
  var box = document.getElementById("sealed");
  if (!box) { return; }
  var lot = box.getAttribute("data-lot");
  var number = box.getAttribute("data-number");
  var key = "sealed-bid:" + lot;

  function hex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // Yuan as typed (at most two decimals, commas allowed) to fen, without floating point; null if not an amount.
  function fen(typed) {
    var t = String(typed).trim().replace(/,/g, "").replace(/^¥/, "");
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(t);
    if (!m) { return null; }
    var whole = m[1].replace(/^0+(?=\d)/, "");
    var cents = ((m[2] || "") + "00").slice(0, 2);
    var text = (whole === "0" ? "" : whole) + cents;
    text = text.replace(/^0+(?=\d)/, "");
    return text === "" ? "0" : text;
  }
  function yuan(fenText) {
    var t = ("000" + fenText).replace(/^0+(?=\d{3})/, "");
    return t.slice(0, -2) + "." + t.slice(-2);
  }
  function receiptLink(receipt, link) {
    var blob = new Blob([JSON.stringify(receipt, null, 2)], {type: "application/json"});
    link.href = URL.createObjectURL(blob);
    link.download = "sealed-bid-" + lot + ".json";
    return link;
  }
  function stored() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  var form = document.getElementById("commit-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var amount = fen(document.getElementById("sealed-amount").value);
      if (amount === null) { document.getElementById("sealed-amount").setCustomValidity("?"); form.reportValidity(); return; }
      if (!window.crypto || !window.crypto.subtle) { return; }
      var salt = hex(window.crypto.getRandomValues(new Uint8Array(32)));
      var text = "sealed-bid:v1:" + lot + ":" + number + ":" + amount + ":" + salt;
      window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
        var commitment = hex(digest);
        var receipt = {lot_id: lot, bidder_number: Number(number), amount_fen: Number(amount), salt: salt,
                       commitment: commitment, preimage: text};
        try { window.localStorage.setItem(key, JSON.stringify(receipt)); } catch (e) { /* the file is kept */ }
        var link = receiptLink(receipt, document.createElement("a"));
        document.body.appendChild(link);
        link.click();
        document.getElementById("commitment").value = commitment;
        form.submit();
      });
    });
  }

  var again = document.getElementById("receipt-again");
  var kept = stored();
  if (again && kept) {
    receiptLink(kept, document.getElementById("receipt-link"));
    again.hidden = false;
  }

  var reveal = document.getElementById("reveal-form");
  if (reveal) {
    var fill = function (r) {
      if (!r || String(r.lot_id) !== lot) { return; }
      document.getElementById("reveal-amount").value = yuan(String(r.amount_fen));
      document.getElementById("reveal-salt").value = r.salt;
    };
    fill(kept);
    document.getElementById("receipt-file").addEventListener("change", function (event) {
      var file = event.target.files && event.target.files[0];
      if (!file) { return; }
      file.text().then(function (text) { try { fill(JSON.parse(text)); } catch (e) { /* not a receipt */ } });
    });
  }
})();
