// Offers the cities of the chosen province and the districts of the typed city as the shopper
// fills in an address (the form's datalists). Without this script the fields are plain text and
// the server still checks them against the same division data.
(function () {
  var form = document.querySelector("form[data-regions-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-regions-url");
  var province = form.querySelector("[data-region=province]");
  var city = form.querySelector("[data-region=city]");
  var cities = document.getElementById("region-cities");
  var districts = document.getElementById("region-districts");

  function fill(list, names) {
    list.replaceChildren.apply(list, names.map(function (name) {
      var option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }

  function load(list, params) {
    fetch(url + "?" + new URLSearchParams(params), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { names: [] }; })
      .then(function (body) { fill(list, body.names || []); })
      .catch(function () { fill(list, []); });
  }

  province.addEventListener("change", function () {
    fill(districts, []);
    if (province.value) { load(cities, { province: province.value }); } else { fill(cities, []); }
  });
  city.addEventListener("change", function () {
    if (province.value && city.value) {
      load(districts, { province: province.value, city: city.value });
    } else {
      fill(districts, []);
    }
  });
})();
