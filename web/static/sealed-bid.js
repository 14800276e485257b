// Sealed bids on the lot page (docs/AUCTIONS.md, "Sealed bids"). Commit: the amount never leaves the browser. The
// script draws a 32-byte salt, computes SHA-256 of "sealed-bid:v1:<lot id>:<bidder number>:<amount in fen>:<salt>"
// with SubtleCrypto, keeps a receipt (amount, salt, commitment) in local storage and as a downloaded file, and
// posts the commitment alone (the amount field has no name). One click is one commitment: a second click while the
// first is on its way does nothing, and a submit sent again for the same amount sends the same receipt (the server
// records a commitment once). Reveal: fills amount and salt from the receipt whose digest the server recorded
// (local storage, or the file the bidder chooses; another receipt is refused).
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
  // Receipts kept on this device, by commitment (a page kept one receipt alone before: read as such).
  function receipts() {
    var raw = null;
    try { raw = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { raw = null; }
    if (!raw || typeof raw !== "object") { return {}; }
    if (raw.commitment) { var one = {}; one[raw.commitment] = raw; return one; }
    return raw.receipts || {};
  }
  function keep(receipt) {
    var all = receipts();
    all[receipt.commitment] = receipt;
    try { window.localStorage.setItem(key, JSON.stringify({receipts: all})); } catch (e) { /* the file is kept */ }
  }
  function sameAmount(amount) {
    var all = receipts();
    for (var c in all) {
      if (Object.prototype.hasOwnProperty.call(all, c) && String(all[c].lot_id) === lot &&
          String(all[c].bidder_number) === String(number) && String(all[c].amount_fen) === amount) { return all[c]; }
    }
    return null;
  }
  // The commitment the server recorded for this bidder ("" if none yet): the only receipt that counts.
  var committed = box.getAttribute("data-commitment") || "";

  var form = document.getElementById("commit-form");
  if (form) {
    var sending = false;
    var button = document.getElementById("commit-bid");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // One click, one commitment: while a commitment is on its way, further clicks do nothing.
      if (sending) { return; }
      var amount = fen(document.getElementById("sealed-amount").value);
      if (amount === null) { document.getElementById("sealed-amount").setCustomValidity("?"); form.reportValidity(); return; }
      if (!window.crypto || !window.crypto.subtle) { return; }
      sending = true;
      if (button) { button.disabled = true; }
      // A receipt made on this device for the same amount (a submit sent again, after a reload or going back) is
      // sent again as it is: the server takes the same commitment once, and the receipt kept is the one committed.
      var again = sameAmount(amount);
      var made = again ? Promise.resolve(again) : (function () {
        var salt = hex(window.crypto.getRandomValues(new Uint8Array(32)));
        var text = "sealed-bid:v1:" + lot + ":" + number + ":" + amount + ":" + salt;
        return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
          return {lot_id: lot, bidder_number: Number(number), amount_fen: Number(amount), salt: salt,
                  commitment: hex(digest), preimage: text};
        });
      })();
      made.then(function (receipt) {
        keep(receipt);
        if (!again) {
          var link = receiptLink(receipt, document.createElement("a"));
          document.body.appendChild(link);
          link.click();
        }
        document.getElementById("commitment").value = receipt.commitment;
        form.submit();
      }, function () { sending = false; if (button) { button.disabled = false; } });
    });
  }

  // Once committed, the receipt offered again and used to reveal is the one whose digest the server recorded.
  var mine = committed ? receipts()[committed] || null : null;
  var again = document.getElementById("receipt-again");
  if (again && mine) {
    receiptLink(mine, document.getElementById("receipt-link"));
    again.hidden = false;
  }
  var missing = document.getElementById("receipt-missing");
  if (missing && committed && !mine) { missing.hidden = false; }

  var reveal = document.getElementById("reveal-form");
  if (reveal) {
    var wrong = document.getElementById("receipt-wrong");
    var fill = function (r) {
      var fits = r && String(r.lot_id) === lot && r.commitment === committed;
      if (wrong) { wrong.hidden = !r || !!fits; }
      if (!fits) { return; }
      document.getElementById("reveal-amount").value = yuan(String(r.amount_fen));
      document.getElementById("reveal-salt").value = r.salt;
    };
    if (mine) { fill(mine); }
    document.getElementById("receipt-file").addEventListener("change", function (event) {
      var file = event.target.files && event.target.files[0];
      if (!file) { return; }
      file.text().then(function (text) {
        var r = null;
        try { r = JSON.parse(text); } catch (e) { r = null; }
        fill(r || {});
      });
    });
  }
})();
