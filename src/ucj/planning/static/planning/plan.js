/* Budget planning charts (ECharts, vendored). The same figures are in the tables next to them. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "svg" });
    option.tooltip.valueFormatter = fmt;
    option.yAxis.forEach(function (axis) { axis.axisLabel = { formatter: fmt }; });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  var lang = document.documentElement.lang === "en";
  // Numbers as the page writes them: 1.234.567 in Indonesian, 1,234,567 in English (issue 16 item 11).
  var number = new Intl.NumberFormat(document.documentElement.lang || "id", { maximumFractionDigits: 2 });
  function fmt(v) { return v === null || v === undefined ? "—" : number.format(v); }
  var plan = data("plan-chart");
  if (plan) {
    chart("chart-regions", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 50, bottom: 90, top: 30 },
      xAxis: { type: "category", data: plan.names, axisLabel: { rotate: 40, interval: 0, width: 110, overflow: "truncate" } },
      yAxis: [{ type: "value", name: lang ? "workers" : "pekerja" }, { type: "value", name: "%", max: 100 }],
      series: [
        { name: lang ? "Funded" : "Didanai", type: "bar", data: plan.funded, itemStyle: { color: "#1570ef" } },
        { name: lang ? "Coverage before" : "Cakupan sebelum", type: "line", yAxisIndex: 1, data: plan.before, itemStyle: { color: "#98a2b3" } },
        { name: lang ? "Coverage after" : "Cakupan sesudah", type: "line", yAxisIndex: 1, data: plan.after, itemStyle: { color: "#067647" } }
      ].filter(function (series) { return series.data.length; })
    });
  }
  var cmp = data("compare-chart");
  if (cmp) {
    chart("chart-compare", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 80, right: 90, bottom: 60, top: 30 },
      xAxis: { type: "category", data: cmp.names },
      yAxis: [{ type: "value", name: lang ? "workers" : "pekerja" }, { type: "value", name: "Rp" }],
      series: [
        { name: lang ? "Funded" : "Didanai", type: "bar", data: cmp.funded, itemStyle: { color: "#1570ef" } },
        { name: lang ? "Cost (Rp)" : "Biaya (Rp)", type: "bar", yAxisIndex: 1, data: cmp.cost, itemStyle: { color: "#f79009" } }
      ]
    });
  }
})();
