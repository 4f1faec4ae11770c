// Starts ReDoc on the schema URL that #redoc-container names (no inline script on the page).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  window.Redoc.init(container.dataset.schemaUrl, {}, container);
})();
