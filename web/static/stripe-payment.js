// The card form of a Stripe payment: Stripe.js's Payment Element confirms the PaymentIntent whose
// client secret the server put on the page; Stripe then returns the payer to the payment page, and
// the webhook records the payment.
(function () {
  "use strict";
  var panel = document.getElementById("card-payment");
  if (!panel || typeof Stripe === "undefined") {
    if (panel) { document.getElementById("card-message").textContent = "Stripe.js could not be loaded."; }
    return;
  }
  var stripe = Stripe(panel.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: panel.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var button = document.getElementById("card-submit");
  button.addEventListener("click", function () {
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: panel.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) {
          document.getElementById("card-message").textContent = result.error.message;
          button.disabled = false;
        }
      });
  });
})();
