// Coverage dashboard charts (ECharts, vendored under static/vendor/echarts; no CDN, no inline script).
// The figures come from the <script type="application/json" id="coverage-data"> block the page renders
// (Django's json_script: data, never executed); the map boundaries from /api/v1/coverage/map.
// Tooltips use renderMode "richText" (drawn on the canvas): HTML tooltips carry inline styles the CSP forbids.
(function () {
  "use strict";
  var source = document.getElementById("coverage-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var lang = document.documentElement.lang || "id";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var percent = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var STATUS_COLOURS = { met: "#067647", on_track: "#1849a9", behind: "#b42318", unknown: "#5b6876" };
  // Status is told by shape as well as colour (issue 16 item 13; the legend shows the same shapes).
  var STATUS_SYMBOLS = { met: "circle", on_track: "diamond", behind: "triangle", unknown: "rect" };
  var charts = [];
  var byCode = {};
  data.children.forEach(function (c) { byCode[c.code] = c; });

  function fmt(v) { return v === null || v === undefined ? "—" : number.format(v); }
  function pct(v) { return v === null || v === undefined ? "—" : percent.format(v) + "%"; }
  function drill(code) {
    if (byCode[code]) {
      window.location.href = data.drill_url.replace("__CODE__", encodeURIComponent(code));
    }
  }
  function make(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }
  function note(text) {
    var el = document.getElementById("map-note");
    if (el) {
      el.textContent = text;
    }
  }
  var TEXT = { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: "#1d2733" };

  var trend = make("trend-chart");
  if (trend) {
    trend.setOption({
      animation: false, textStyle: TEXT,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: fmt },
      legend: { top: 0, textStyle: TEXT },
      grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.trend.months, axisLabel: { color: "#3d4a57" } },
      yAxis: { type: "value", axisLabel: { color: "#3d4a57", formatter: fmt } },
      series: [
        { name: L.covered, type: "line", data: data.trend.covered, color: "#0b5d3b", symbolSize: 5,
          lineStyle: { width: 3 } },
        { name: L.projection, type: "line", data: data.trend.projection, color: "#1849a9", symbol: "none",
          lineStyle: { type: "dashed", width: 2 } },
        { name: L.target, type: "line", step: "middle", data: data.trend.target, color: "#b42318", symbol: "none",
          lineStyle: { type: "dotted", width: 2 } }
      ]
    });
  }

  var eco = make("eco-chart");
  if (eco) {
    var rows = data.ecosystems.slice().reverse();
    eco.setOption({
      animation: false, textStyle: TEXT,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { color: "#3d4a57", formatter: fmt } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { color: "#1d2733" } },
      series: [{ name: L.covered, type: "bar", color: "#0a7a4f", data: rows.map(function (r) { return r.covered; }),
                 label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } } }]
    });
  }

  var mapNode = document.getElementById("map-chart");
  function drawChoropleth(chart, geo) {
    var name = "ucj-" + data.region;
    window.echarts.registerMap(name, { type: "FeatureCollection", features: geo.features });
    var rates = data.children.map(function (c) { return c.rate || 0; });
    var max = Math.max.apply(null, rates.concat([1]));
    chart.setOption({
      animation: false, textStyle: TEXT,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        var c = byCode[p.name];
        return c ? c.name + ": " + pct(c.rate) + " (" + fmt(c.covered) + ")" : p.name;
      } },
      visualMap: { type: "continuous", min: 0, max: max, left: 8, bottom: 8, calculable: false, itemHeight: 90,
                   text: [pct(max), "0%"], textStyle: TEXT, inRange: { color: ["#e3f1ea", "#7cc4a0", "#0b5d3b"] } },
      series: [{
        type: "map", map: name, nameProperty: "code", roam: false, selectedMode: false,
        itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: "#eef2f5" },
        emphasis: { label: { show: true, color: "#1d2733", formatter: function (p) {
          return byCode[p.name] ? byCode[p.name].name : p.name;
        } }, itemStyle: { areaColor: "#ffbf47" } },
        label: { show: false },
        data: data.children.map(function (c) { return { name: c.code, value: c.rate }; })
      }]
    });
  }
  function drawCircles(chart, centroids) {
    var points = centroids.filter(function (p) { return byCode[p.code]; });
    var maxCovered = Math.max.apply(null, points.map(function (p) { return byCode[p.code].covered; }).concat([1]));
    var lngs = points.map(function (p) { return p.lng; });
    var lats = points.map(function (p) { return p.lat; });
    function pad(values, by) { return [Math.min.apply(null, values) - by, Math.max.apply(null, values) + by]; }
    var x = pad(lngs, 0.5), y = pad(lats, 0.4);
    chart.setOption({
      animation: false, textStyle: TEXT,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        var c = byCode[p.data.code];
        return c.name + ": " + pct(c.rate) + " (" + fmt(c.covered) + ")";
      } },
      grid: { left: 4, right: 4, top: 4, bottom: 4 },
      xAxis: { type: "value", min: x[0], max: x[1], show: false },
      yAxis: { type: "value", min: y[0], max: y[1], show: false },
      series: [{
        type: "scatter", cursor: "pointer",
        data: points.map(function (p) {
          var c = byCode[p.code];
          return { value: [p.lng, p.lat], code: p.code, symbol: STATUS_SYMBOLS[c.status] || "rect",
                   itemStyle: { color: STATUS_COLOURS[c.status] || "#5b6876",
                   opacity: 0.75, borderColor: "#ffffff", borderWidth: 1 },
                   symbolSize: 8 + 52 * Math.sqrt(c.covered / maxCovered) };
        }),
        labelLayout: { hideOverlap: true },
        label: { show: true, position: "bottom", fontSize: 11, color: "#1d2733", formatter: function (p) {
          return byCode[p.data.code].name.replace(/^Kabupaten /, "");
        } }
      }]
    });
  }
  if (mapNode) {
    var map = make("map-chart");
    fetch(data.map_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
      .then(function (geo) {
        if (geo.features && geo.features.length) {
          drawChoropleth(map, geo);
          mapNode.dataset.kind = "choropleth";
        } else if (geo.centroids && geo.centroids.length && data.children.length) {
          // larger circles first, so that small ones stay on top and clickable
          drawCircles(map, geo.centroids.slice().sort(function (a, b) {
            return ((byCode[b.code] || {}).covered || 0) - ((byCode[a.code] || {}).covered || 0);
          }));
          mapNode.dataset.kind = "circles";
          var legend = document.getElementById("map-legend");
          if (legend) {
            legend.hidden = false;
          }
        } else {
          mapNode.hidden = true;
          note(L.no_map);
          mapNode.dataset.kind = "none";
        }
        map.on("click", function (p) {
          drill(p.data && p.data.code ? p.data.code : p.name);
        });
        mapNode.dataset.ready = "1";
      })
      .catch(function () {
        mapNode.hidden = true;
        note(L.no_map);
        mapNode.dataset.ready = "error";
      });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
