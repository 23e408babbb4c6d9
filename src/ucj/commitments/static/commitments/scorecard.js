// Commitment scorecard map (ECharts, vendored; no inline script: the CSP forbids it). The rows come from the
// <script type="application/json" id="commitments-data"> block (Django's json_script), the boundaries and centre
// points from the coverage map endpoint (/api/v1/coverage/map), the same files the coverage dashboard draws.
// Status is never shown by colour alone: each status also has its own shape (circles map) or hatching (boundary
// map), and its word in the tooltip, the legend and the ranked table.
(function () {
  "use strict";
  var source = document.getElementById("commitments-data");
  var node = document.getElementById("score-map");
  if (!source || !node || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var byCode = {};
  data.children.forEach(function (c) { byCode[c.code] = c; });
  var TEXT = { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: "#1d2733" };

  function look(c) { return data.statuses[c.status] || data.statuses.unknown || { colour: "#5b6876", symbol: "circle" }; }
  function tip(c) { return c.name + ": " + c.status_label; }
  function note(text) {
    var el = document.getElementById("score-map-note");
    if (el) {
      el.textContent = text;
    }
  }
  function drill(code) {
    if (byCode[code] && data.drill_url) {
      window.location.href = data.drill_url.replace("__CODE__", encodeURIComponent(code));
    }
  }

  var chart = window.echarts.init(node, null, { renderer: "canvas" });
  function drawBoundaries(geo) {
    var name = "ucj-score-" + data.region;
    window.echarts.registerMap(name, { type: "FeatureCollection", features: geo.features });
    chart.setOption({
      animation: false, textStyle: TEXT,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        return byCode[p.name] ? tip(byCode[p.name]) : p.name;
      } },
      series: [{
        type: "map", map: name, nameProperty: "code", roam: false, selectedMode: false,
        itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: "#eef2f5" },
        emphasis: { itemStyle: { areaColor: "#ffbf47" }, label: { show: true, formatter: function (p) {
          return byCode[p.name] ? byCode[p.name].name : p.name;
        } } },
        label: { show: false },
        data: data.children.map(function (c) {
          var s = look(c);
          return { name: c.code, value: c.rank, itemStyle: { areaColor: s.colour,
                   decal: { symbol: s.decal || "none", color: "rgba(255,255,255,0.55)", symbolSize: 0.6 } } };
        })
      }]
    });
  }
  // The extent of the points with a margin (degrees): the axes of the circles map.
  function extent(values, margin) {
    return { min: Math.min.apply(null, values) - margin, max: Math.max.apply(null, values) + margin, show: false,
             type: "value" };
  }
  function drawCircles(centroids) {
    var points = centroids.filter(function (p) { return byCode[p.code]; });
    chart.setOption({
      animation: false, textStyle: TEXT, grid: { left: 4, right: 4, top: 4, bottom: 4 },
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) { return tip(byCode[p.data.code]); } },
      xAxis: extent(points.map(function (p) { return p.lng; }), 0.5),
      yAxis: extent(points.map(function (p) { return p.lat; }), 0.4),
      series: [{
        type: "scatter", cursor: "pointer", symbolSize: 22, labelLayout: { hideOverlap: true },
        data: points.map(function (p) {
          var s = look(byCode[p.code]);
          return { value: [p.lng, p.lat], code: p.code, symbol: s.symbol,
                   itemStyle: { color: s.colour, borderColor: "#ffffff", borderWidth: 1 } };
        }),
        label: { show: true, position: "bottom", fontSize: 11, color: "#1d2733", formatter: function (p) {
          return byCode[p.data.code].name.replace(/^Kabupaten /, "");
        } }
      }]
    });
  }
  fetch(data.map_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
    .then(function (geo) {
      if (geo.features && geo.features.length) {
        drawBoundaries(geo);
        node.dataset.kind = "choropleth";
      } else if (geo.centroids && geo.centroids.length && data.children.length) {
        drawCircles(geo.centroids);
        node.dataset.kind = "circles";
      } else {
        node.hidden = true;
        note(data.labels.no_map);
        node.dataset.kind = "none";
      }
      chart.on("click", function (p) { drill(p.data && p.data.code ? p.data.code : p.name); });
      node.dataset.ready = "1";
    })
    .catch(function () {
      node.hidden = true;
      note(data.labels.no_map);
      node.dataset.ready = "error";
    });
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { chart.resize(); }, 150);
  });
})();
