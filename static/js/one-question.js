// Consultation answers on a phone (issue #22): one question per screen, « Question précédente »
// and « Question suivante » under it, the sending button under the last one; each question's
// legend already says « Question n sur N ». Without JavaScript, or on a wider screen, every
// question is on the page as before (the server checks the whole form either way). Questions
// that show-if.js hides (their condition not met) are skipped. After a refused sending, the
// first question with an error is shown first.
(function () {
  "use strict";
  var NARROW = "(max-width: 40rem)";

  function setUp(form) {
    var narrow = window.matchMedia(NARROW);
    var actions = form.querySelector("p.actions");
    var steps = document.createElement("p");
    steps.className = "actions question-steps";
    var previous = button(form.dataset.previous, "button");
    var next = button(form.dataset.next, "button-primary");
    steps.appendChild(previous);
    steps.appendChild(next);
    var current = 0;

    function questions() {
      return Array.prototype.filter.call(
        form.querySelectorAll("fieldset.question"),
        function (question) { return !question.hidden; }
      );
    }

    function show(index, focus) {
      var shown = questions();
      current = Math.max(0, Math.min(index, shown.length - 1));
      form.querySelectorAll("fieldset.question").forEach(function (question) {
        question.style.display = question === shown[current] ? "" : "none";
      });
      previous.style.display = current > 0 ? "" : "none";
      next.style.display = current < shown.length - 1 ? "" : "none";
      actions.style.display = current === shown.length - 1 ? "" : "none";
      if (focus && shown[current]) {
        shown[current].setAttribute("tabindex", "-1");
        shown[current].focus();
      }
    }

    function everything() {
      form.querySelectorAll("fieldset.question").forEach(function (question) {
        question.style.display = "";
      });
      actions.style.display = "";
      if (steps.parentNode) { steps.parentNode.removeChild(steps); }
    }

    function apply() {
      if (!narrow.matches || questions().length < 2) { everything(); return; }
      if (!steps.parentNode) { actions.parentNode.insertBefore(steps, actions); }
      var wrong = questions().findIndex(function (question) {
        return question.classList.contains("field-error");
      });
      show(wrong >= 0 ? wrong : current, false);
    }

    previous.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    // an answer may show or hide a later question (show-if.js): the buttons follow
    form.addEventListener("change", function () {
      if (steps.parentNode) { show(current, false); }
    });
    narrow.addEventListener("change", apply);
    apply();
  }

  function button(label, kind) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = kind;
    made.textContent = label;
    return made;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-one-question]").forEach(setUp);
  });
})();
