// Starts Swagger UI on /docs from the copy served by Covenant (no CDN, no inline script).
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // the default badge asks a validator on the internet
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
