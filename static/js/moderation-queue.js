/* Keyboard shortcuts of the moderation queue (templates/moderation/index.html), and where focus
   goes once htmx has swapped an item for what was done. Loaded by that page only; no framework.

   j / ↓, k / ↑: next, previous item; m: the item's reason; a, h, r: approve, hide, reject the
   item that has focus (its own button, so the server decides as for a click); x: select it for
   the bulk decision; ?: show the list. One-key shortcuts can be turned off (WCAG 2.1.4), a
   choice kept in localStorage, and never act while one types in a field or with a modifier. */
(function () {
  "use strict";
  var KEY = "moderation-shortcuts";
  var help = document.getElementById("shortcuts");
  var toggle = document.getElementById("shortcuts-on");
  var status = document.getElementById("queue-status");
  if (!help || !toggle || !status) return;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(value) {
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode: not kept */ }
  }
  function enabled() { return toggle.checked; }
  function show() { document.documentElement.classList.toggle("shortcuts-on", enabled()); }
  function say(text) {
    status.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    status.appendChild(p);
  }

  help.hidden = false;
  toggle.checked = stored() !== "off";
  show();
  toggle.addEventListener("change", function () {
    store(enabled() ? "on" : "off");
    show();
    say(enabled() ? help.dataset.on : help.dataset.off);
  });

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(".moderation-item:not([data-decided])"));
  }
  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".moderation-item") : null;
  }
  function go(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = items();
    if (!list.length) return;
    var here = current();
    var at = list.indexOf(here);
    if (at === -1) {
      go(step > 0 ? list[0] : list[list.length - 1]);
    } else {
      go(list[Math.min(Math.max(at + step, 0), list.length - 1)]);
    }
  }
  function hasReason(item) {
    var fields = item.querySelectorAll("[data-reason]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value.trim()) return true;
    }
    return false;
  }
  function reasonField(item) { return item.querySelector("select[data-reason]"); }
  function act(action) {
    var item = current();
    if (!item || item.hasAttribute("data-decided")) return;
    var button = item.querySelector('button[data-action="' + action + '"]');
    if (!button) { say(help.dataset.notHere); return; }
    if (!hasReason(item)) {
      var field = reasonField(item);
      if (field) field.focus();
      say(help.dataset.needReason);
      return;
    }
    button.click();
  }
  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.isContentEditable || target.closest("input, select, textarea, [contenteditable]"));
  }

  document.addEventListener("keydown", function (event) {
    if (!enabled() || event.defaultPrevented) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    var inItem = current() !== null;
    var done = true;
    if (key === "j" || (key === "ArrowDown" && inItem)) move(1);
    else if (key === "k" || (key === "ArrowUp" && inItem)) move(-1);
    else if (key === "?") {
      help.open = !help.open;
      if (help.open) help.querySelector("summary").focus();
    } else if (key === "a" && inItem) act("approve");
    else if (key === "h" && inItem) act("hide");
    else if (key === "r" && inItem) act("reject");
    else if (key === "m" && inItem) { var f = reasonField(current()); if (f) f.focus(); }
    else if (key === "x" && inItem) {
      var box = current().querySelector('input[type="checkbox"][name="case"]');
      if (box) box.click();
    } else done = false;
    if (done) event.preventDefault();
  });

  /* After htmx swapped an item (templates/moderation/_decided.html or _item.html, marked
     data-fresh): a refused form takes focus on its field; a decided item gives focus to the
     next item still waiting (the live region has said what was done), else keeps it. */
  document.body.addEventListener("htmx:afterSettle", function () {
    var fresh = document.querySelector(".moderation-item[data-fresh]");
    if (!fresh) return;
    fresh.removeAttribute("data-fresh");
    if (!fresh.hasAttribute("data-decided")) {
      var invalid = fresh.querySelector('[aria-invalid="true"]') || fresh;
      invalid.focus();
      return;
    }
    var next = fresh.dataset.next ? document.getElementById(fresh.dataset.next) : null;
    if (next && !next.hasAttribute("data-decided")) go(next);
    else go(fresh);
  });
})();
