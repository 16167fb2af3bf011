(function () {
  document.documentElement.classList.add("has-js");
  var skus = JSON.parse(document.getElementById("sku-data").textContent);
  var form = document.getElementById("buy-form");
  var price = document.querySelector("[data-testid=sku-price]");
  var market = document.querySelector("[data-testid=sku-market-price]");
  var availability = document.querySelector("[data-testid=sku-availability]");
  var quantity = document.getElementById("quantity");
  var button = document.getElementById("add-to-cart");
  // The messages come from the form's data-* attributes (translated by the template).
  var texts = form ? form.dataset : {};
  var outOfStock = texts.outOfStock, addToCart = texts.addToCart, inStock = texts.inStock;
  var money = function (v) { return "¥" + Number(v).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2}); };

  document.querySelectorAll(".thumbs button").forEach(function (thumb) {
    thumb.addEventListener("click", function () {
      var main = document.getElementById("main-image");
      if (main) { main.src = thumb.dataset.large; }
      document.querySelectorAll(".thumbs button").forEach(function (b) { b.setAttribute("aria-pressed", b === thumb ? "true" : "false"); });
    });
  });
  if (!form) { return; }

  function show(sku) {
    if (!sku) {
      availability.textContent = texts.chooseOptions;
      availability.className = "availability out";
      market.textContent = "";
      button.disabled = true;
      return;
    }
    price.textContent = money(sku.price);
    market.textContent = sku.market_price && Number(sku.market_price) > Number(sku.price) ? money(sku.market_price) : "";
    availability.textContent = sku.available > 0 ? inStock.replace("%(count)s", sku.available) : outOfStock;
    availability.className = "availability " + (sku.available > 0 ? "ok" : "out");
    quantity.max = Math.max(sku.available, 1);
    if (Number(quantity.value) > sku.available && sku.available > 0) { quantity.value = sku.available; }
    button.disabled = sku.available <= 0;
    button.textContent = sku.available > 0 ? addToCart : outOfStock;
  }
  function radioFor(sku) { return form.querySelector("input[name=sku_id][value='" + sku.id + "']"); }
  form.querySelectorAll("input[name=sku_id]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var sku = skus.find(function (s) { return String(s.id) === radio.value; });
      show(sku);
      syncChips(sku);
    });
  });

  var rows = Array.prototype.slice.call(document.querySelectorAll("#options .option-row"));
  function chosen() {
    return rows.map(function (row) {
      var on = row.querySelector(".chip[aria-pressed=true]");
      return on ? Number(on.dataset.value) : null;
    });
  }
  function matches(sku, picks) {
    return picks.every(function (v) { return v === null || sku.values.indexOf(v) !== -1; });
  }
  function refreshAvailability() {
    var picks = chosen();
    rows.forEach(function (row, i) {
      row.querySelectorAll(".chip").forEach(function (chip) {
        var trial = picks.slice(); trial[i] = Number(chip.dataset.value);
        var possible = skus.some(function (s) { return s.available > 0 && matches(s, trial); });
        chip.classList.toggle("unavailable", !possible);
        chip.title = possible ? "" : outOfStock;
      });
    });
  }
  function syncChips(sku) {
    rows.forEach(function (row) {
      row.querySelectorAll(".chip").forEach(function (chip) {
        var on = !!sku && sku.values.indexOf(Number(chip.dataset.value)) !== -1;
        chip.setAttribute("aria-pressed", on ? "true" : "false");
        chip.classList.toggle("selected", on);
      });
    });
    refreshAvailability();
  }
  rows.forEach(function (row) {
    row.querySelectorAll(".chip").forEach(function (chip) {
      chip.addEventListener("click", function () {
        var pressed = chip.getAttribute("aria-pressed") === "true";
        row.querySelectorAll(".chip").forEach(function (c) { c.setAttribute("aria-pressed", "false"); c.classList.remove("selected"); });
        if (!pressed) { chip.setAttribute("aria-pressed", "true"); chip.classList.add("selected"); }
        var picks = chosen();
        var complete = picks.every(function (v) { return v !== null; });
        var sku = complete ? skus.find(function (s) { return s.values.length === picks.length && matches(s, picks); }) : null;
        form.querySelectorAll("input[name=sku_id]").forEach(function (r) { r.checked = false; });
        if (sku) {
          var radio = radioFor(sku);
          if (radio && !radio.disabled) { radio.checked = true; }
        }
        show(sku || null);
        if (sku && sku.available <= 0) { button.disabled = true; }
        refreshAvailability();
      });
    });
  });
  var buyNow = document.getElementById("buy-now");
  if (buyNow) {
    // "Buy now" goes straight to checkout with this one SKU (the cart is left as it is).
    buyNow.addEventListener("click", function () {
      var radio = form.querySelector("input[name=sku_id]:checked");
      if (!radio || !quantity.reportValidity()) { return; }
      window.location.href = buyNow.dataset.checkout + "?sku_id=" + encodeURIComponent(radio.value) + "&quantity=" + encodeURIComponent(quantity.value);
    });
    new MutationObserver(function () { buyNow.disabled = button.disabled; }).observe(button, {attributes: true});
  }
  var initial = form.querySelector("input[name=sku_id]:checked");
  if (rows.length) {
    syncChips(initial ? skus.find(function (s) { return String(s.id) === initial.value; }) : null);
  }
})();
