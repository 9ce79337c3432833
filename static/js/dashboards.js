/* Draws the dashboard's charts with the vendored ECharts, from the JSON in #chart-data (no inline script:
   the CSP stays strict). Each chart has a table with the same numbers beside it. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var palette = ["#a11d21", "#d98b1e", "#2f6f9f", "#5b8c3a", "#7a4e9c", "#666666"];
  var drawn = [];
  charts.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      color: palette,
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: spec.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, stack: s.stack || null, barMaxWidth: 28 };
      })
    });
    el.setAttribute("data-drawn", "1");
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
