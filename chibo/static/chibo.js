/* chibo: small progressive enhancements. No inline handlers (CSP). */
(function () {
  "use strict";

  // <form data-confirm="..."> asks before submitting (merge, dissolve, removal…).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Avoid double submits on slow laptops: disable the button once the form posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") return;
    var buttons = form.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
    }, 0);
  });

  // Focus the first field with an error, else the first field of a form card.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[aria-invalid=true]") ||
      document.querySelector(".form-card form input:not([type=hidden]), .form-card form select, .form-card form textarea");
    if (target && !document.querySelector("[autofocus]")) target.focus();
  });
})();
