// Swagger UI for one stored spec version; the spec URL comes from the page, not from the query.
(function () {
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    supportedSubmitMethods: [],
  });
})();
