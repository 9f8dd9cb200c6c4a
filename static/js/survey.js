// Survey pages: show or hide conditional questions as the person answers, and the Print button.
// Without this script everything still works: conditions are applied when the section is saved.
(function () {
  "use strict";

  function currentValue(form, code) {
    // The plain answer to question `code` in this form: a string, a list of strings, or undefined.
    var inputs = form.querySelectorAll('[name="' + code + '"]');
    if (!inputs.length) return undefined;
    var first = inputs[0];
    if (first.type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (first.type === "radio") {
      var checked = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      return checked ? checked.value : "";
    }
    // A number as the server reads it: "1,000", "1 000" and "45 %" are 1000, 1000 and 45.
    if (first.inputMode === "numeric") return first.value.replace(/[\s,%]/g, "");
    return first.value.trim();
  }

  function applyConditions(form) {
    // Questions come in questionnaire order and conditions point backwards, so one pass also hides
    // a question whose condition question is itself hidden.
    form.querySelectorAll("[data-condition-question]").forEach(function (wrapper) {
      var code = wrapper.dataset.conditionQuestion;
      var value = currentValue(form, code);
      if (value === undefined) return; // The condition question is on another page: keep what the server decided.
      var parent = form.querySelector('[data-question="' + code + '"]');
      var expected = wrapper.dataset.conditionValue;
      var met = wrapper.dataset.conditionOperator === "includes"
        ? Array.isArray(value) && value.indexOf(expected) !== -1
        : value === expected;
      wrapper.hidden = !met || (parent !== null && parent.hidden);
    });
  }

  document.querySelectorAll("[data-survey-form]").forEach(function (form) {
    form.addEventListener("change", function () { applyConditions(form); });
    form.addEventListener("input", function () { applyConditions(form); });
    applyConditions(form);
  });

  // GOV.UK's error summary: focus moves to it, so a screen reader announces the problems first; each link
  // then moves focus to its field (a fragment alone would scroll there but leave focus behind).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      var question = input.closest("[data-question], .milepost, fieldset") || input;
      question.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
