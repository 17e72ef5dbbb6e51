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

  // Logout: nothing of this user's work stays on the device. Unsent marks are named first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]")) return;
    var n = pendingMarks();
    if (n) {
      var text = (form.getAttribute("data-pending") || "{n}").replace("{n}", n);
      if (!window.confirm(text)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
    }
    clearDevice();
  }, true);

  // The offline page says how many marks wait on this device.
  document.addEventListener("DOMContentLoaded", function () {
    var note = document.getElementById("offline-pending");
    var n = pendingMarks();
    if (note && n) {
      note.textContent = note.getAttribute("data-template").replace("{n}", n);
      note.hidden = false;
    }
  });
})();
