(function () {
  var input = document.getElementById("review-images");
  var note = document.getElementById("image-count");
  // Limits and messages come from the input's data-* attributes (translated by the template).
  var max = Number(input.dataset.maxImages), maxBytes = Number(input.dataset.maxImageMb) * 1024 * 1024;
  var tooMany = input.dataset.tooMany, tooBig = input.dataset.tooBig, chosen = input.dataset.chosen;
  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    var big = files.filter(function (f) { return f.size > maxBytes; });
    var problem = files.length > max ? tooMany : (big.length ? tooBig.replace("%(name)s", big[0].name) : "");
    input.setCustomValidity(problem);
    note.textContent = problem || (files.length ? chosen.replace("%(count)s", files.length) : "");
  });
})();
