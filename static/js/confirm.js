// A form with data-confirm asks before it is sent: the text is the attribute's, translated by
// the template. One listener on the document, so no inline onsubmit= is needed (CSP script-src).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
