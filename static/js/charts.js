/* What every chart of the product shares: draw an ECharts option into an element, or say there is no data. */
(function () {
  "use strict";
  window.dangjianChart = function (id, option, empty) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return; }
    if (empty) { el.innerHTML = '<p class="muted">暂无数据</p>'; el.style.height = "auto"; return; }
    var instance = echarts.init(el);
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
  };
})();
