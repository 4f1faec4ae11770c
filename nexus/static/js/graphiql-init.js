// Mounts GraphiQL against this server's /graphql/, sending the CSRF token so session users can run mutations.
(function () {
  const csrfToken = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    headers: { "X-CSRFToken": csrfToken },
  });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
