/* chibo dashboard charts: read the figures from the json_script block, draw them with Chart.js.
   No inline script (CSP); the tables under each chart carry the same figures. */
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var lang = document.documentElement.lang || "vi";
    var fmt = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US");
    var common = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" } },
      // Counts of people: whole-number ticks only (precision 0), never 0,1 … 0,9 members.
      scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return fmt.format(v); } } } }
    };
    var palette = ["#b3261e", "#1565c0", "#6d6d6d"];
    function chart(id, type, labels, sets) {
      var canvas = document.getElementById(id);
      if (!canvas) { return; }
      canvas.dataset.ready = "0";
      new window.Chart(canvas, {
        type: type,
        data: {
          labels: labels,
          datasets: sets.map(function (s, i) {
            return { label: s.label, data: s.data, borderColor: palette[i % 3], backgroundColor: palette[i % 3], tension: 0 };  // straight lines: no smoothing
          })
        },
        options: common
      });
      canvas.dataset.ready = "1";
    }
    var t = data.trend;
    chart("chart-trend", "line", t.labels, [
      { label: t.series[0], data: t.students }, { label: t.series[1], data: t.pupils }, { label: t.series[2], data: t.total }
    ]);
    chart("chart-units", "bar", data.units.labels, [{ label: data.units.series[0], data: data.units.values }]);
    chart("chart-removals", "bar", data.removals.labels, [{ label: data.removals.series[0], data: data.removals.values }]);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
