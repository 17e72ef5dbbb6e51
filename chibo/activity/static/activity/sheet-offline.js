/* Attendance without a connection (issue 19).

   A sheet opened online keeps working offline: each row the secretary changes while the
   device has no connection is kept on the device (localStorage, this user and this
   meeting only: member codes and marks, with the version of the row it was made from), the
   row says "not sent yet" and a banner counts what waits. When the connection returns the
   marks are sent one by one to the row's own save (the same request htmx makes). A row
   that someone else saved meanwhile comes back as a conflict (409) and is shown to resolve:
   nothing is overwritten. Logging out clears what is kept (home/app.js).

   Hooks into the sheet only through htmx's events and the rows' markup (activity_sheet.py):
   tr.sheet-row[hx-post], its status/reason/note fields and its hidden version-<code>. */
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form || !form.getAttribute("data-offline-key") || !window.localStorage) return;
  var KEY = "chibo:attendance:" + form.getAttribute("data-offline-key");
  var banner = document.getElementById("offline-banner");
  var sending = false;
  var notice = "";  // a one-off line (session expired, refused marks)

  function text(name, n) {
    return (form.getAttribute("data-msg-" + name) || "").replace("{n}", n);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  function store(queue) {
    try {
      if (Object.keys(queue).length) localStorage.setItem(KEY, JSON.stringify(queue));
      else localStorage.removeItem(KEY);
    } catch (e) { /* full or unavailable: the marks stay on the page */ }
    render();
  }

  function codeOf(row) { return row.id.replace(/^row-/, ""); }

  function field(row, name) {
    return row.querySelector("[name='" + name + "-" + CSS.escape(codeOf(row)) + "']");
  }

  function readRow(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    var reason = field(row, "reason");
    var note = field(row, "note");
    var version = field(row, "version");
    return {
      status: checked ? checked.value : "present",
      reason: reason ? reason.value : "",
      note: note ? note.value : "",
      version: version ? version.value : "",
      url: row.getAttribute("hx-post") || row.getAttribute("data-hx-post") || ""
    };
  }

  function markPending(row) {
    row.classList.add("pending-row");
    var state = row.querySelector(".row-state");
    if (!state) return;
    var old = state.querySelector(".pending-note, .saved, .field-error");
    if (old) old.remove();
    var note = document.createElement("small");
    note.className = "pending-note";
    note.textContent = text("row", "");
    state.appendChild(note);
  }

  function queueRow(row) {
    var mark = readRow(row);
    if (!mark.url) return;
    var queue = load();
    var code = codeOf(row);
    // Keep the version of the first offline mark: it is what this device last saw saved.
    if (queue[code]) mark.version = queue[code].version;
    queue[code] = mark;
    store(queue);
    markPending(row);
  }

  function render() {
    if (!banner) return;
    var n = Object.keys(load()).length;
    var lines = [];
    if (!navigator.onLine) lines.push(text("offline", n));
    if (n) lines.push(sending ? text("sending", n) : text("pending", n));
    if (notice) lines.push(notice);
    banner.textContent = lines.join(" ");
    banner.hidden = lines.length === 0;
    banner.classList.toggle("is-offline", !navigator.onLine);
  }

  function swapRow(row, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var fresh = tpl.content.querySelector("tr.sheet-row");
    var summary = tpl.content.querySelector("#summary");
    if (fresh && row) {
      row.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    }
    var current = document.getElementById("summary");
    if (summary && current) current.innerHTML = summary.innerHTML;
  }

  function send(code, mark) {
    var data = new FormData();
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (token) data.append("csrfmiddlewaretoken", token.value);
    data.append("status-" + code, mark.status);
    data.append("reason-" + code, mark.reason);
    data.append("note-" + code, mark.note);
    data.append("version-" + code, mark.version);
    return fetch(mark.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-Requested-With": "XMLHttpRequest" }
    });
  }

  // Logging out (home/app.js) waits for the marks being sent and starts no new send: a mark
  // either reaches the server before the session ends or stays kept until the logout asks.
  var done = null;  // resolves the promise of the current send
  function settle() {
    sending = false;
    if (done) { done(); done = null; }
    window.chiboSending = null;
  }

  function flush() {
    if (sending || !navigator.onLine || window.chiboLoggingOut) { render(); return; }
    var queue = load();
    var codes = Object.keys(queue);
    if (!codes.length) { render(); return; }
    sending = true;
    window.chiboSending = new Promise(function (resolve) { done = resolve; });
    notice = "";
    render();
    var refused = 0;
    function next(i) {
      if (i >= codes.length || window.chiboLoggingOut) {
        settle();
        if (refused) notice = text("refused", refused);
        render();
        return;
      }
      var code = codes[i];
      var mark = queue[code];
      send(code, mark).then(function (response) {
        if (response.redirected && response.url.indexOf("/accounts/") !== -1) {
          // The session ended: keep everything, say how to send it.
          settle();
          notice = text("login", "");
          render();
          return null;
        }
        if (response.status === 200 || response.status === 409) {
          return response.text().then(function (html) {
            swapRow(document.getElementById("row-" + code), html);
            var left = load();
            delete left[code];
            store(left);
            next(i + 1);
          });
        }
        // Refused for good (no longer allowed, no longer on the roster): drop it, say so.
        refused += 1;
        var left = load();
        delete left[code];
        store(left);
        next(i + 1);
        return null;
      }).catch(function () {
        settle();  // the connection dropped again: try at the next "online"
        render();
      });
    }
    next(0);
  }

  function sheetRow(elt) {
    return elt && elt.closest ? elt.closest("#sheet tr.sheet-row") : null;
  }

  // Offline: the row's save is not sent but kept; the page stays as marked.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = sheetRow(event.detail.elt);
    if (!row || navigator.onLine) return;
    event.preventDefault();
    if (event.detail.elt === row) queueRow(row);
  });
  // The request could not reach the server (the connection dropped on the way).
  document.addEventListener("htmx:sendError", function (event) {
    var row = sheetRow(event.detail.elt);
    if (row && event.detail.elt === row) queueRow(row);
  });
  // A conflict (409) is an answer to show: the row as saved now, with the mark sent.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 409 && sheetRow(event.detail.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // The whole-sheet button cannot post offline: every change is already kept.
  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      event.stopImmediatePropagation();
      render();
    }
  }, true);

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);

  // Marks kept from before (the page was reopened): show them on their rows, then send.
  var kept = load();
  Object.keys(kept).forEach(function (code) {
    var row = document.getElementById("row-" + code);
    if (!row) return;
    var mark = kept[code];
    var radio = row.querySelector("input[type=radio][value='" + mark.status + "']");
    if (radio) radio.checked = true;
    var reason = field(row, "reason");
    if (reason) reason.value = mark.reason;
    var note = field(row, "note");
    if (note) note.value = mark.note;
    markPending(row);
  });
  flush();
})();
