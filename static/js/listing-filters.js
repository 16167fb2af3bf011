// On a phone the filters start folded so the results come first.
if (window.matchMedia("(max-width: 899px)").matches) { document.getElementById("filters").removeAttribute("open"); }
