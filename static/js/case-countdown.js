// Counts down to the case's next deadline; the server's sweep is what acts when it passes.
(function () {
  var el = document.querySelector('[data-testid="countdown"]');
  if (!el) return;
  var due = new Date(el.dataset.deadline).getTime();
  var wasAhead = due > Date.now();  // reload once it passes, not over and over when late
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function show() {
    var left = Math.max(Math.floor((due - Date.now()) / 1000), 0);
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
    var m = Math.floor(left % 3600 / 60), s = left % 60;
    el.textContent = el.dataset.template.replace("%s", (d ? d + el.dataset.day : "") + pad(h) + ":" + pad(m) + ":" + pad(s));
    if (left <= 0) { clearInterval(timer); if (wasAhead) setTimeout(function () { location.reload(); }, 5000); }
  }
  var timer = setInterval(show, 1000);
  show();
})();
