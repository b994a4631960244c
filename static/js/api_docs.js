// The API docs page (templates/api/docs.html): Swagger UI on the schema, its calls sent with
// the session and the CSRF token (served from the site: no inline script, see the CSP).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  const csrf = root.dataset.csrfToken;
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // no call to swagger.io: the schema stays on the site
    requestInterceptor: (request) => {
      request.headers["X-CSRFToken"] = csrf;
      return request;
    },
  });
});
