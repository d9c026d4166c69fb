/* The home page's small charts: the year's key figures against their targets, from the page's json_script data. */
(function () {
  "use strict";
  var source = document.getElementById("home-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var RED = "#b71c1c", GREY = "#9e9e9e", GOLD = "#b26a00";

  var chart = window.dangjianChart;

  function bars(title, labels, actual, target, unit, max) {
    return {
      title: { text: title, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
      legend: { bottom: 0, itemWidth: 12, itemHeight: 8 },
      grid: { top: 36, left: 36, right: 8, bottom: 40 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: "value", max: max, minInterval: 1 },
      series: [
        { name: "完成", type: "bar", data: actual, itemStyle: { color: RED } },
        { name: "目标", type: "bar", data: target, itemStyle: { color: GREY } }
      ]
    };
  }

  function inWan(amount) { return amount === null || amount === undefined ? null : Math.floor(Number(amount) / 10000); }

  var income = data.income;
  var incomeLabels = [(income.year - 1) + "年", income.year + "年", "目标"];
  chart("home-chart-income", {
    title: { text: "村集体经济总收入（万元）", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    grid: { top: 36, left: 48, right: 8, bottom: 28 },
    xAxis: { type: "category", data: incomeLabels },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: [
      { value: inWan(income.previous), itemStyle: { color: GOLD } },
      { value: inWan(income.actual), itemStyle: { color: RED } },
      { value: inWan(income.target), itemStyle: { color: GREY } }
    ] }]
  }, income.actual === null);

  var counts = data.counts;
  chart("home-chart-counts", bars("目标完成情况（个 / 名）", counts.labels, counts.actual, counts.target, "", null),
    counts.actual.every(function (v) { return v === null; }));

  var stars = data.stars;
  chart("home-chart-stars", bars("星级党组织占比与目标（%）", stars.labels, stars.actual, stars.target, "%", 100),
    stars.actual.every(function (v) { return v === null; }));
})();
