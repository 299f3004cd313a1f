// Swagger UI's start-up (templates/drf_spectacular/swagger_ui.html): what drf-spectacular writes
// inline, as a file for the Content-Security-Policy. The schema's address and the CSRF header come
// from the page's data attributes; a request that changes something carries the CSRF token of the
// signed-in session (integrators send their token with "Authorize").
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  const data = root.dataset;
  window.ui = SwaggerUIBundle({
    url: data.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (!["GET", undefined].includes(request.method) && request.credentials === "same-origin") {
        request.headers[data.csrfHeader] = data.csrfToken;
      }
      return request;
    },
  });
})();
