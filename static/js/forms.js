// Forms that never lose work, and errors that take the person to the field.
//  - An error summary on the page gets the focus, so it is read out and in view.
//  - A form marked data-keep-draft keeps what was typed in this tab's sessionStorage:
//    switching the language (a new page load) brings it back. The draft is dropped when
//    the form is sent; a page shown again after an error stores what it shows.
//    Never kept: the CSRF token, hidden and password fields, files, and fields marked
//    data-no-keep (an access code).
(function () {
  "use strict";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.hasAttribute("data-no-keep")) return false;
      if (el.closest(".honeypot")) return false;
      var type = (el.type || "").toLowerCase();
      return ["hidden", "password", "file", "submit", "button", "reset"].indexOf(type) < 0;
    });
  }

  function snapshot(form) {
    var values = {};
    var typed = false;
    keptFields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      var key = el.name + (type === "radio" || type === "checkbox" ? "=" + el.value : "");
      if (type === "radio" || type === "checkbox") {
        values[key] = el.checked;
      } else {
        values[key] = el.value;
        if (el.value && el.tagName !== "SELECT" && el.value !== el.defaultValue) typed = true;
        if (el.value && el.tagName === "TEXTAREA") typed = true;
      }
    });
    return { values: values, typed: typed };
  }

  function restore(form, values) {
    var changed = false;
    keptFields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      var key = el.name + (type === "radio" || type === "checkbox" ? "=" + el.value : "");
      if (!(key in values)) return;
      if (type === "radio" || type === "checkbox") {
        if (el.checked !== values[key]) { el.checked = values[key]; changed = true; }
      } else if (values[key] && el.value !== values[key]) {
        el.value = values[key];
        changed = true;
      }
    });
    return changed;
  }

  function keepDraft(form, store) {
    var key = "draft:" + form.getAttribute("data-keep-draft");
    var fresh = form.hasAttribute("data-draft-fresh");
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (fresh && saved && restore(form, saved)) {
      var details = form.closest("details");
      if (details) details.open = true;
    } else if (!fresh) {
      store.setItem(key, JSON.stringify(snapshot(form).values));
    }
    function save() {
      var now = snapshot(form);
      if (now.typed) store.setItem(key, JSON.stringify(now.values));
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () { store.removeItem(key); });
  }

  function openTarget() {
    // A page reached at "#action-answer" shows that form open.
    if (!window.location.hash) return;
    var target = document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  var store = storage();
  if (store) {
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      keepDraft(form, store);
    });
  }
  openTarget();
  var summary = document.querySelector(".error-summary");
  function focusSummary() {
    var details = summary.closest("details");
    if (details) details.open = true;
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
  var again = document.querySelector("[data-shown-again]");
  if (!summary && again) {
    // A form shown again without an error (a template inserted, a preview): at the form.
    window.addEventListener("load", function () { again.scrollIntoView({ block: "start" }); });
  }
  if (summary) {
    focusSummary();
    // Reaching the page at a fragment (the form's "#action-...") resets the focus after
    // the load: take it back once that is done.
    window.addEventListener("load", function () { window.setTimeout(focusSummary, 0); });
  }
})();
