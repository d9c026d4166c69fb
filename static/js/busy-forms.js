// Forms marked data-busy="…": once submitted, their buttons are disabled (no double submit) and a progress
// indication with that text shows until the next page arrives. A button that sends the form elsewhere with
// formmethod="get" (下载模板) is a download, not a submit: it leaves the form as it was.
(function () {
  function busy(form, on) {
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) { button.disabled = on; });
    var box = form.querySelector(".busy");
    if (box) {
      box.hidden = !on;
      var text = box.querySelector(".busy-text");
      if (text) { text.textContent = on ? form.dataset.busy : ""; }
    }
    form.classList.toggle("is-busy", on);
    form.setAttribute("aria-busy", on ? "true" : "false");
  }
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && (submitter.getAttribute("formmethod") || "").toLowerCase() === "get") { return; }
      if (form.classList.contains("is-busy")) { event.preventDefault(); return; }
      // After the browser has taken the form's values: a disabled button would not be sent.
      setTimeout(function () { busy(form, true); }, 0);
    });
  });
  // Back to a page from the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-busy]").forEach(function (form) { busy(form, false); });
    }
  });
})();
