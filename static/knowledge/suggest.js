// Suggested help articles on the after-sales request form: fetched from /help/suggest/ for
// the chosen reason, type and the words typed, at most three, drawn as text (never as HTML).
(function () {
  "use strict";
  var box = document.getElementById("suggested-articles");
  var form = document.getElementById("request-form");
  if (!box || !form || !window.fetch) return;
  var list = box.querySelector("ul");
  var description = form.querySelector("[name=description]");
  var timer = null;
  var lastQuery = null;

  function params() {
    var reason = form.querySelector("[name=reason]");
    var type = form.querySelector("[name=type]:checked");
    var query = new URLSearchParams();
    query.set("reason", reason ? reason.value : "");
    query.set("type", type ? type.value : "");
    query.set("q", description ? description.value.slice(0, 100) : "");
    return query.toString();
  }

  function show(articles) {
    while (list.firstChild) list.removeChild(list.firstChild);
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.textContent = article.title;
      link.setAttribute("data-testid", "suggested-article");
      item.appendChild(link);
      if (article.summary) {
        var summary = document.createElement("small");
        summary.className = "muted";
        summary.textContent = " " + article.summary;
        item.appendChild(document.createElement("br"));
        item.appendChild(summary);
      }
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
  }

  function refresh() {
    var query = params();
    if (query === lastQuery) return;
    lastQuery = query;
    fetch(box.dataset.url + "&" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { articles: [] }; })
      .then(function (data) { if (query === lastQuery) show(data.articles || []); })
      .catch(function () { /* suggestions are a help, never in the way of filing */ });
  }

  form.addEventListener("change", refresh);
  if (description) {
    description.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  }
  refresh();
})();
