// Swagger UI for one stored spec version; the spec URL comes from the page, not from the query.
(function () {
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // "Try it out" is safe: the spec served here points every server at the Nexus mock.
    tryItOutEnabled: false,
  });
})();
