// Consultation answers: hide a question while its "ask only if" condition is not met.
// Without JavaScript every question is shown with its condition written out, and the server
// ignores the answers to questions whose condition is not met (consultations/domain.py).
(function () {
  "use strict";
  function update(form) {
    // in document order: a condition on a hidden question is not met either
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (fieldset) {
      var controller = document.getElementById(fieldset.dataset.showIf);
      var option = fieldset.dataset.showIfOption;
      var met = false;
      if (controller && !controller.hidden) {
        controller.querySelectorAll("input[name='" + fieldset.dataset.showIf + "']").forEach(
          function (input) {
            if (input.checked && input.value === option) { met = true; }
          }
        );
      }
      fieldset.hidden = !met;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-conditions]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
