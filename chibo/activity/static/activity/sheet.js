/* The attendance sheet (activity/meeting.html), on a laptop and in one hand.

   The row save contract (what htmx does today; an offline queue must do the same):
   - Each member is a <tr class="sheet-row" id="row-<code>"> whose hx-post is the row's URL,
     /activity/meetings/<meeting>/attendance/<code>/. It posts the row's own fields:
     status-<code> (present | excused | unexcused), reason-<code> (an absence reason code,
     required for excused), note-<code> and version-<code> (the row's version, a hidden
     field in the member's cell).
   - The answer is 200 with the row's new <tr> (swapped in place of the old one) and
     the minutes summary out of band (#summary). A refused row comes back as sent, with the
     message in .row-state .field-error; a saved one with .row-state .saved ("✓ Đã lưu").
     A row someone else saved since its version answers 409: the row as saved now, with
     the mark sent and the choice to keep one or the other (tr.conflict-row; sheet-offline.js
     lets htmx swap it, and keeps marks made offline until they can be sent).
   - The row's classes say its state: status-row-<status>, has-note.
   - Everything is present by default: only changes are posted.
   Hooks: sheet.rowValues(row) reads a row's fields; the "chibo:row-pending" event fires on
   a row held back because an excused absence has no reason yet (it is posted once the
   reason is chosen). The whole-sheet button posts the same fields without JavaScript.

   Keyboard: 1 present, 2 excused, 3 unexcused. No inline handlers (CSP). */
(function () {
  "use strict";
  var KEYS = { "1": "present", "2": "excused", "3": "unexcused" };
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 47.99em)") : { matches: false };

  function rowValues(row) {
    var values = {};
    row.querySelectorAll("input, select").forEach(function (field) {
      if (!field.name || (field.type === "radio" && !field.checked)) return;
      values[field.name] = field.value;
    });
    return values;
  }
  window.chiboSheet = { rowValues: rowValues };

  function setStatusClass(row, value) {
    ["present", "excused", "unexcused"].forEach(function (v) {
      row.classList.toggle("status-row-" + v, v === value);
    });
  }

  function showPending(row) {
    var state = row.querySelector(".row-state");
    var form = row.closest("form");
    if (!state || !form) return;
    state.textContent = "";
    var note = document.createElement("small");
    note.className = "pending";
    note.textContent = form.getAttribute("data-pending") || "";
    state.appendChild(note);
  }

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

  // Runs before htmx sees the change (capture phase, on the document). The row shows its new
  // state at once; an excused absence without a reason is not posted (the server would
  // refuse it): the reason chooser opens under the toggles, and choosing posts the row.
  document.addEventListener("change", function (event) {
    var target = event.target;
    var row = target.closest && target.closest("tr.sheet-row");
    if (!row || target.type !== "radio") return;
    setStatusClass(row, target.value);
    if (target.value !== "excused") return;
    var select = row.querySelector("select");
    if (!select || select.value) return;
    event.stopPropagation();
    showPending(row);
    row.dispatchEvent(new CustomEvent("chibo:row-pending", { bubbles: true }));
    select.focus();
    reveal(row);
    if (PHONE.matches && typeof select.showPicker === "function") {
      try { select.showPicker(); } catch (e) { /* no user activation: the focus is enough */ }
    }
  }, true);

  // The row's message ("✓ Saved", its error, "choose the reason") must be on screen: on a
  // phone it sits under the toggles, which may be at the bottom edge.
  function reveal(row) {
    var state = row.querySelector(".row-state");
    if (!state || !state.firstChild) return;
    var box = state.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) state.scrollIntoView({ block: "nearest" });
  }

  // After htmx replaced a row (outerHTML: find the new one by its id), keep the keyboard
  // where it was and show the row's message.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id || target.id.indexOf("row-") !== 0) return;
    var row = document.getElementById(target.id);
    if (!row || !row.classList.contains("sheet-row")) return;
    var checked = row.querySelector("input[type=radio]:checked");
    var select = row.querySelector("select");
    if (checked && checked.value === "excused" && select && !select.value) select.focus();
    else if (checked && !PHONE.matches) checked.focus();
    reveal(row);
  });

})();
