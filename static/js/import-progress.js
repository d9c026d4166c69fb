// Progress of a ledger import: polls the job's JSON status and reloads the page when it is done.
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.running !== "1") { return; }
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      if (!s.running) { window.location.reload(); return; }
      if (s.percent !== null) {
        bar.value = s.percent;
        text.textContent = s.stage + " " + s.done + " / " + s.total + " 行";
      } else {
        bar.removeAttribute("value");
        text.textContent = s.stage + "，已读取 " + s.done + " 行";
      }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
