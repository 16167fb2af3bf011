// A button with data-print opens the browser's print dialogue (no inline onclick=, CSP script-src).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
