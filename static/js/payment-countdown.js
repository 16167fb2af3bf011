// Counts down to the payment deadline; the server's expiry sweep is what actually closes it.
(function () {
  var el = document.querySelector('[data-testid="payment-countdown"]');
  if (!el) return;
  var left = parseInt(el.dataset.seconds, 10);
  function show() {
    var m = Math.floor(Math.max(left, 0) / 60), s = Math.max(left, 0) % 60;
    el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 0) { clearInterval(timer); setTimeout(function () { location.reload(); }, 2000); }
    left -= 1;
  }
  var timer = setInterval(show, 1000);
  show();
})();
