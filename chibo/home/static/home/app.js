/* The installable app (home/pwa.py): register the service worker; at logout, clear what this
   device keeps (attendance marks not yet sent, kept by activity/sheet-offline.js). No inline
   script (CSP). */
(function () {
  "use strict";
  var PREFIX = "chibo:";

  function pendingMarks() {
    var n = 0;
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX + "attendance:") === 0) {
          n += Object.keys(JSON.parse(localStorage.getItem(key) || "{}")).length;
        }
      }
    } catch (e) { /* storage unavailable */ }
    return n;
  }

  function clearDevice() {
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) keys.push(key);
      }
      keys.forEach(function (k) { localStorage.removeItem(k); });
      sessionStorage.clear();
    } catch (e) { /* storage unavailable */ }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("chibo:logout");
    }
  }
  window.chiboPendingMarks = pendingMarks;

  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }

  // Logout: nothing of this user's work stays on the device. Marks being sent (the sheet was
  // back online, activity/sheet-offline.js) are waited for, and no new one starts; those still
  // unsent are named first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]")) return;
    window.chiboLoggingOut = true;
    if (window.chiboSending) {
      event.preventDefault();
      event.stopImmediatePropagation();
      // At most 10 s: a connection that hangs must not keep anyone logged in.
      var waited = new Promise(function (resolve) { setTimeout(resolve, 10000); });
      Promise.race([window.chiboSending, waited]).then(function () {
        window.chiboSending = null;
        if (form.requestSubmit) { form.requestSubmit(); return; }
        clearDevice();
        form.submit();
      });
      return;
    }
    var n = pendingMarks();
    if (n) {
      var text = (form.getAttribute("data-pending") || "{n}").replace("{n}", n);
      if (!window.confirm(text)) {
        window.chiboLoggingOut = false;  // staying: the sheet may send them again
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
    }
    clearDevice();
  }, true);

  // Marks kept by another account (its session ended without logging out, then someone
  // else logged in on this device) are not this user's to keep: they are deleted.
  // Returns this user's kept marks by meeting: {meeting: number of marks}.
  function ownMarks(user) {
    var mine = {};
    var stale = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (!key || key.indexOf(PREFIX + "attendance:") !== 0) continue;
        var parts = key.slice((PREFIX + "attendance:").length).split(":");
        if (parts[0] !== user) { stale.push(key); continue; }
        var n = Object.keys(JSON.parse(localStorage.getItem(key) || "{}")).length;
        if (n) mine[parts[1]] = n;
      }
      stale.forEach(function (k) { localStorage.removeItem(k); });
    } catch (e) { /* storage unavailable */ }
    return mine;
  }

  // Every page says when marks wait on this device, with a link to each sheet that sends
  // them (activity/sheet-offline.js sends them when the sheet opens online). The sheet
  // itself has its own banner.
  function remind() {
    var user = document.body && document.body.getAttribute("data-user");
    var note = document.getElementById("pending-marks");
    if (!user || !note) return;
    var mine = ownMarks(user);
    var sheet = document.getElementById("sheet");
    var open = sheet && sheet.getAttribute("data-offline-key");
    var meetings = Object.keys(mine).filter(function (m) { return open !== user + ":" + m; });
    if (!meetings.length) { note.hidden = true; return; }
    var total = meetings.reduce(function (sum, m) { return sum + mine[m]; }, 0);
    note.textContent = note.getAttribute("data-template").replace("{n}", total) + " ";
    meetings.forEach(function (m, i) {
      var link = document.createElement("a");
      link.href = note.getAttribute("data-url").replace(/0\/$/, encodeURIComponent(m) + "/");
      link.textContent = note.getAttribute("data-link") + (meetings.length > 1 ? " " + (i + 1) : "");
      if (i) note.appendChild(document.createTextNode(", "));
      note.appendChild(link);
    });
    note.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    remind();
    // The offline page says how many marks wait on this device.
    var note = document.getElementById("offline-pending");
    var n = pendingMarks();
    if (note && n) {
      note.textContent = note.getAttribute("data-template").replace("{n}", n);
      note.hidden = false;
    }
  });
})();
