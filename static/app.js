// Progressive enhancement only: every page works without this file.
// Municipality type-ahead: fills the <datalist> of the search field from a JSON endpoint,
// and opens the municipality page when a suggestion is chosen.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  var urls = {};
  var timer = null;
  input.addEventListener("input", function () {
    var value = input.value;
    if (urls[value]) { window.location.href = urls[value]; return; }
    clearTimeout(timer);
    if (value.trim().length < 2) return;
    timer = setTimeout(function () {
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          list.textContent = "";
          urls = {};
          items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.name;
            urls[item.name] = item.url;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the plain form still works */ });
    }, 150);
  });
})();
