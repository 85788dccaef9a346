/* Tixi web shell behaviour: no inline scripts (the CSP forbids them). */
(function () {
  "use strict";
  // Charts: every element with data-chart holds an ECharts option as JSON.
  var charts = [];
  if (window.echarts) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      try {
        var chart = window.echarts.init(el);
        chart.on("finished", function () { el.setAttribute("data-chart-finished", "1"); });
        chart.setOption(JSON.parse(el.getAttribute("data-chart")));
        el.setAttribute("data-chart-ready", "1");
        charts.push(chart);
      } catch (e) {
        el.textContent = String(e);
      }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  // Forms asking for confirmation.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // Select boxes that submit their form on change (company switcher).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
