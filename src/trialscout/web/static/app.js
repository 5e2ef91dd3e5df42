// trialscout: the only script. Turns a text selection on a trial page into a private note.
(function () {
  "use strict";
  var popup = document.getElementById("note-popup");
  var quote = document.getElementById("note-quote");
  var body = document.getElementById("note-body");
  var area = document.querySelector(".selectable");
  if (!popup || !quote || !area) { return; }
  function selectedText() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { return ""; }
    var range = sel.getRangeAt(0);
    if (!area.contains(range.commonAncestorContainer)) { return ""; }
    return sel.toString().trim().slice(0, 2000);
  }
  function place() {
    var text = selectedText();
    if (!text) { popup.hidden = true; return; }
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    popup.style.top = (window.scrollY + rect.bottom + 6) + "px";
    popup.style.left = Math.max(8, window.scrollX + rect.left) + "px";
    popup.dataset.text = text;
    popup.hidden = false;
  }
  document.addEventListener("mouseup", function (e) { if (e.target !== popup) { setTimeout(place, 0); } });
  document.addEventListener("keyup", function (e) { if (e.shiftKey) { place(); } });
  popup.addEventListener("click", function () {
    quote.value = popup.dataset.text || "";
    popup.hidden = true;
    document.getElementById("notes").scrollIntoView({ behavior: "smooth" });
    if (body) { body.focus(); }
  });
})();
// Related trials are computed after the page is shown (they are the slowest part).
(function () {
  "use strict";
  var box = document.getElementById("related-list");
  if (!box || !box.dataset.src || !window.fetch) { return; }
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
    .then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      box.replaceChildren.apply(box, Array.prototype.slice.call(doc.body.childNodes));
    })
    .catch(function () { /* the link stays */ });
})();

// A form with errors comes back with `autofocus` on its first wrong field. Chrome ignores
// autofocus when the URL has a #fragment (the form's own section), and its scroll to the
// fragment comes after the scripts: so focus the field once the page has loaded.
(function () {
  "use strict";
  function focusFirstError() {
    var field = document.querySelector("[autofocus][aria-invalid]");
    if (!field || document.activeElement === field) { return; }
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
  }
  window.addEventListener("load", function () { setTimeout(focusFirstError, 0); });
}());

// "Print this page" buttons (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
}());

// "Copy link" buttons: shown only with JavaScript (the link also sits in a selectable field).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy]");
  function copied(button, ok) {
    var status = button.parentNode.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = ok ? button.dataset.done : button.dataset.fail; }
  }
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (e) {
      var button = e.currentTarget;
      var field = document.getElementById(button.dataset.copy);
      if (!field) { return; }
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(button, true); },
          function () { copied(button, document.execCommand("copy")); });
      } else {
        copied(button, document.execCommand("copy"));
      }
    });
  }
}());
