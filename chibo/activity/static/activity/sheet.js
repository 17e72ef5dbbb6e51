/* Attendance sheet: keyboard shortcuts (1 present, 2 excused, 3 unexcused) and focus on the reason. */
(function () {
  "use strict";
  var KEYS = { "1": "present", "2": "excused", "3": "unexcused" };

  function choose(row, value) {
    var radio = row.querySelector("input[type=radio][value=" + value + "]");
    if (!radio || radio.disabled || radio.checked) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    var row = event.target.closest && event.target.closest("tr.sheet-row");
    if (!row || event.target.type === "text" || event.ctrlKey || event.altKey || event.metaKey) return;
    var value = KEYS[event.key];
    if (value) {
      event.preventDefault();
      choose(row, value);
    }
  });

  // An excused absence needs a reason: move there at once.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio" && target.value === "excused") {
      var row = target.closest("tr");
      var select = row && row.querySelector("select");
      if (select && !select.value) select.focus();
    }
  });

  // After htmx replaced a row, keep the keyboard where it was.
  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail && event.detail.target;
    if (row && row.classList && row.classList.contains("sheet-row")) {
      var checked = row.querySelector("input[type=radio]:checked");
      var select = row.querySelector("select");
      if (checked && checked.value === "excused" && select && !select.value) select.focus();
      else if (checked) checked.focus();
    }
  });
})();
