// Small enhancements for forms; every form works without this script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Take the patient straight to the list of problems after a failed send.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();

    // A second press of Send while the first is on its way does nothing (the server also stores
    // one request per form, whatever the browser does).
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending === "true") {
          event.preventDefault();
          return;
        }
        form.dataset.sending = "true";
        form.querySelectorAll("[type=submit]").forEach(function (button) {
          button.setAttribute("aria-disabled", "true");
        });
      });
    });
  });
})();
