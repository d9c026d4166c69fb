// The month form (submissions/month_form.html): the draft is saved on the server a moment after each change,
// so closing the browser loses nothing; a 党员发展 row whose person is chosen from the roster hides the
// columns typed only for a new person. The buttons (保存, 检查, add and remove a row) work without this file.
(function () {
  var form = document.getElementById("month-form");
  if (!form || !form.dataset.draftUrl) { return; }
  var state = form.querySelector(".autosave-state");
  var timer = null;
  var dirty = false;

  function say(text) { if (state) { state.textContent = text; } }

  function save() {
    timer = null;
    if (!dirty) { return; }
    dirty = false;
    say("正在保存草稿……");
    fetch(form.dataset.draftUrl, { method: "POST", body: new FormData(form), credentials: "same-origin",
                                   headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (body) {
          say(response.ok ? "草稿已自动保存 " + body.saved_at : (body.error || "草稿未能保存，请点“保存”。"));
        });
      })
      .catch(function () { dirty = true; say("网络中断，草稿未能保存，请稍后点“保存”。"); });
  }

  function changed() {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  function showNewPerson(select) {
    var line = select.closest(".form-line");
    if (!line) { return; }
    line.querySelectorAll(".new-person").forEach(function (cell) { cell.hidden = select.value !== ""; });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-person']")) { showNewPerson(event.target); }
    changed();
  });
  form.querySelectorAll("select[name$='-person']").forEach(showNewPerson);
  // Leaving the page with a change not yet saved: save it now (sendBeacon survives the page).
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(form.dataset.draftUrl, new FormData(form)); dirty = false; }
  });
  form.addEventListener("submit", function () { dirty = false; if (timer) { clearTimeout(timer); } });
})();
