/* Person picker (members/pick.py): choose a member found by htmx, fill in the code. No inline script (CSP). */
(function () {
  "use strict";

  function pickerOf(el) { return el && el.closest ? el.closest("[data-picker]") : null; }

  function choose(button) {
    var picker = pickerOf(button);
    if (!picker) return;
    var input = picker.querySelector("input");
    var chosen = picker.querySelector(".picker-chosen");
    var list = picker.querySelector(".picker-results");
    input.value = button.getAttribute("data-code");
    if (chosen) chosen.textContent = "✓ " + button.getAttribute("data-label");
    if (list) list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var form = input.form;
    if (form) {  // on to the next field
      var fields = Array.prototype.filter.call(form.elements, function (e) {
        return !e.disabled && e.type !== "hidden" && e.tagName !== "FIELDSET";
      });
      var next = fields[fields.indexOf(input) + 1];
      if (next) next.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".pick-option");
    if (button) {
      event.preventDefault();
      choose(button);
    }
  });

  document.addEventListener("keydown", function (event) {
    var picker = pickerOf(event.target);
    if (!picker) return;
    var options = Array.prototype.slice.call(picker.querySelectorAll(".pick-option"));
    var at = options.indexOf(event.target);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) picker.querySelector("input").focus(); else options[at - 1].focus();
    } else if (event.key === "Enter" && event.target.tagName === "INPUT" && options.length === 1) {
      event.preventDefault();  // one match: take it rather than submit a half-typed name
      choose(options[0]);
    } else if (event.key === "Escape") {
      var list = picker.querySelector(".picker-results");
      if (list) list.innerHTML = "";
    }
  });

  // Typing again clears the previous choice's label; results shown → expanded.
  document.addEventListener("input", function (event) {
    var picker = pickerOf(event.target);
    var chosen = picker && picker.querySelector(".picker-chosen");
    if (chosen) chosen.textContent = "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail && event.detail.target;
    var picker = pickerOf(list);
    if (picker && list.classList.contains("picker-results")) {
      picker.querySelector("input").setAttribute("aria-expanded", list.children.length ? "true" : "false");
    }
  });
})();
