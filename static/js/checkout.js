(function () {
  var form = document.getElementById("checkout-form");
  var repriceButton = form.querySelector("[data-testid=apply-coupon]");
  // A new address may change the shipping fee: price again at once.
  form.querySelectorAll("[data-reprice]").forEach(function (input) {
    input.addEventListener("change", function () { form.requestSubmit(repriceButton); });
  });
  // One submission per page: the server would return the same order anyway (idempotency key).
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
  });
})();
