// The navigation's drop-down menus (<details class="nav-group">): one open at a time; a click elsewhere or
// Escape closes them.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.nav-group"));
  if (!groups.length) { return; }
  function closeAll(except) {
    groups.forEach(function (group) { if (group !== except) { group.open = false; } });
  }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () { if (group.open) { closeAll(group); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.nav-group")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups.filter(function (group) { return group.open; });
    closeAll(null);
    if (open.length) { open[0].querySelector("summary").focus(); }
  });
})();
