// A form that htmx sends and whose refusal is the form again (422: what is wrong, field by
// field; 409: someone else saved first): htmx swaps only 2xx answers by default, so a form
// marked `data-swap-refusals` gets those two swapped in as well (the budget's projects table,
// templates/budgets/_project_rows.html). Without JavaScript the same form posts to its page.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    // the element that sent the request (`detail.elt` is the target the answer replaces)
    var sender = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    if ((status === 422 || status === 409) && sender && sender.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
