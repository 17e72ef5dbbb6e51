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

  // The menu button (small screens): open and close the menu; Escape closes it.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".menu-toggle");
    if (!toggle) return;
    var nav = toggle.closest("nav");
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var toggle = document.querySelector(".menu-toggle[aria-expanded=true]");
    if (!toggle) return;
    toggle.setAttribute("aria-expanded", "false");
    toggle.closest("nav").classList.remove("open");
    toggle.focus();
  });

  // table.cards: on a phone each row is a card; label each cell with its column head.
  function labelCards(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table.cards") : [];
    if (root.matches && root.matches("table.cards")) tables = [root];
    Array.prototype.forEach.call(tables, function (table) {
      var heads = Array.prototype.map.call(
        table.querySelectorAll("thead tr:first-child > th"),
        function (th) { return th.textContent.trim(); }
      );
      table.querySelectorAll("tbody > tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          var label = heads[col];
          if (label && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
          col += cell.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("htmx:load", function (event) { labelCards(event.target); });

  // Focus the first field with an error, else the first field of a form card.
  document.addEventListener("DOMContentLoaded", function () {
    labelCards(document);
    var target = document.querySelector("[aria-invalid=true]") ||
      document.querySelector(".form-card form input:not([type=hidden]), .form-card form select, .form-card form textarea");
    if (target && !document.querySelector("[autofocus]")) target.focus();
  });
})();
