/* Charts of the annual report page, drawn with the vendored ECharts from the page's json_script data. */
(function () {
  "use strict";
  var source = document.getElementById("report-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var RED = "#b71c1c", GOLD = "#b26a00", GREY = "#9e9e9e";

  var chart = window.dangjianChart;

  var villages = data.income_by_village.map(function (r) { return r.village; });
  var amounts = data.income_by_village.map(function (r) { return Number(r.amount) / 10000; });
  chart("chart-income-village", {
    title: { text: "各村集体经济收入（万元）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 70, bottom: 60 },
    xAxis: { type: "category", data: villages, axisLabel: { rotate: 45 } },
    yAxis: { type: "value" },
    series: [{
      type: "bar", data: amounts, itemStyle: { color: RED },
      markLine: { symbol: "none", label: { formatter: "{b}" }, data: [
        { name: "100万元", yAxis: 100, lineStyle: { color: GOLD } },
        { name: "200万元", yAxis: 200, lineStyle: { color: GOLD, type: "solid" } }
      ] }
    }]
  }, !villages.length);

  var categories = Object.keys(data.income_by_category);
  // On a phone the labels round the ring are cut off at the edges ("土…"): a legend below instead.
  var pieEl = document.getElementById("chart-income-category");
  var narrow = pieEl && pieEl.clientWidth < 480;
  chart("chart-income-category", {
    title: { text: "收入结构", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: "{b}：{c}元（{d}%）" },
    legend: narrow ? { bottom: 0 } : undefined,
    series: [{ type: "pie", radius: ["35%", "65%"], top: 30, bottom: narrow ? 50 : 0,
      label: narrow ? { show: true, position: "inside", formatter: "{d}%", fontSize: 11 } : undefined,
      data: categories.map(function (c) { return { name: c, value: Number(data.income_by_category[c]) }; }) }]
  }, !categories.length);

  var shares = data.stars.shares, targets = data.stars.targets || {};
  var shareNames = Object.keys(shares);
  chart("chart-stars", {
    title: { text: "星级党组织占比与目标（%）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { top: 50, bottom: 60 },
    xAxis: { type: "category", data: shareNames },
    yAxis: { type: "value", max: 100 },
    series: [
      { name: "实际", type: "bar", data: shareNames.map(function (n) { return shares[n]; }), itemStyle: { color: RED } },
      { name: "目标", type: "bar", data: shareNames.map(function (n) { return targets[n] === undefined ? null : targets[n]; }),
        itemStyle: { color: GREY } }
    ]
  }, shares["三星级及以上"] === null);

  var stages = Object.keys(data.pipeline);
  chart("chart-pipeline", {
    title: { text: "党员发展（年末人数 / 本年新增）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { top: 50, bottom: 60 },
    xAxis: { type: "category", data: stages },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "年末人数", type: "bar", data: stages.map(function (s) { return data.pipeline[s]; }), itemStyle: { color: RED } },
      { name: "本年新增", type: "bar", data: stages.map(function (s) { return data.pipeline_steps[s] || 0; }),
        itemStyle: { color: GOLD } }
    ]
  }, !stages.length);

  var months = Object.keys(data.reporting.by_month);
  chart("chart-reporting", {
    title: { text: "各月上报村数（共" + data.reporting.villages + "个村）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: months.map(function (m) { return m + "月"; }) },
    yAxis: { type: "value", max: data.reporting.villages || null, minInterval: 1 },
    series: [{ type: "line", data: months.map(function (m) { return data.reporting.by_month[m]; }), itemStyle: { color: RED },
      areaStyle: { opacity: 0.15 } }]
  }, !months.length);
})();
