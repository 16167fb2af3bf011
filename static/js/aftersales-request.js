(function () {
  var form = document.getElementById("request-form");
  var reason = document.getElementById("id_reason");
  var amount = form.querySelector("[name=refund_amount]");
  var maxShown = document.getElementById("max-amount");
  var table = JSON.parse(document.getElementById("amount-table").textContent);
  // A page sent back with an error keeps the amount the shopper typed.
  var edited = form.dataset.bound === "1";
  function chosenType() {
    var checked = form.querySelector("[name=type]:checked");
    return checked ? checked.value : "";
  }
  // Only the reasons of the chosen type, and no "no reason" one while an item that does not
  // allow it is chosen (the server refuses them anyway).
  function noReasonAllowed() {
    var allowed = true;
    form.querySelectorAll("[data-testid=request-line]").forEach(function (row) {
      if (row.dataset.noReasonOk === "0" && (parseInt(row.querySelector("input").value, 10) || 0) > 0) allowed = false;
    });
    return allowed;
  }
  function filterReasons() {
    var type = chosenType(), noReasonOk = noReasonAllowed();
    Array.prototype.forEach.call(reason.options, function (option) {
      if (!option.value) return;
      var fits = (!type || option.dataset.types.split(" ").indexOf(type) >= 0) && (noReasonOk || option.dataset.noReason !== "1");
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) reason.value = "";
    });
  }
  // The most the chosen units give back, as the server prices them (exact, from its table).
  function suggestAmount() {
    var option = reason.selectedOptions[0];
    var rows = form.querySelectorAll("[data-testid=request-line]");
    var allLeft = true, cents = 0;
    rows.forEach(function (row) {
      var input = row.querySelector("input");
      var q = parseInt(input.value, 10) || 0;
      var left = parseInt(row.dataset.quantity, 10) - parseInt(row.dataset.refunded, 10);
      if (q < left) allLeft = false;
    });
    var notShipped = form.dataset.stage === "not_shipped";
    var withShipping = option && option.value ? (option.dataset.buyer === "0" || (notShipped && allLeft)) : notShipped;
    rows.forEach(function (row) {
      var q = parseInt(row.querySelector("input").value, 10) || 0;
      var amounts = table[row.dataset.line] || [];
      q = Math.max(0, Math.min(q, amounts.length - 1));
      if (amounts[q]) cents += Math.round(parseFloat(amounts[q][withShipping ? 1 : 0]) * 100);
    });
    var most = (cents / 100).toFixed(2);
    maxShown.textContent = "¥" + most;
    amount.max = most;
    if (!edited) amount.value = most;
    document.getElementById("amount-block").hidden = chosenType() === "exchange";
    document.getElementById("evidence-hint").hidden = !(option && option.dataset.evidence === "1");
  }
  amount.addEventListener("input", function () { edited = true; });
  form.addEventListener("change", function (event) {
    if (event.target.name === "type" || event.target.type === "number") filterReasons();
    if (event.target !== amount) suggestAmount();
  });
  form.querySelectorAll("[data-testid=request-line] input").forEach(function (input) {
    input.addEventListener("input", suggestAmount);
  });
  filterReasons();
  suggestAmount();
  // One submission per page: the server would return the same case anyway (idempotency key).
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
  });
})();
