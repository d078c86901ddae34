/* The review page of a suggested edit: keep this reviewer's claim alive, and the
   keyboard shortcuts listed on the page. A static file: no inline scripts (CSP). */
(function () {
  "use strict";
  var root = document.querySelector(".submission-review");
  if (!root) { return; }

  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token && root.dataset.claimUrl) {
    window.setInterval(function () {
      fetch(root.dataset.claimUrl, {
        method: "POST", headers: {"X-CSRFToken": token.value}, credentials: "same-origin"
      });
    }, parseInt(root.dataset.claimRenewMs, 10));
  }

  // Keys typed into a field are text, never commands.
  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return element.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function send(formId) {
    var form = document.getElementById(formId);
    if (!form) { return false; }
    form.requestSubmit(form.querySelector("button[type=submit]"));
    return true;
  }

  function follow(linkId) {
    var link = document.getElementById(linkId);
    if (!link) { return false; }
    window.location.assign(link.href);
    return true;
  }

  // 1–9 pick that standard reason and put focus on Reject: Enter sends it.
  function pickReason(number) {
    var form = document.getElementById("transition-reject");
    var select = form && form.querySelector("select[name=standard_reason]");
    if (!select || number >= select.options.length) { return false; }
    select.selectedIndex = number;
    form.classList.add("armed");
    form.querySelector("button[type=submit]").focus();
    return true;
  }

  function writeReason() {
    var field = document.querySelector("#transition-reject textarea[name=reason]");
    if (!field) { return false; }
    field.focus();
    return true;
  }

  var keys = {
    v: function () { return send("transition-verify"); },
    p: function () { return send("transition-publish"); },
    r: writeReason,
    j: function () { return follow("queue-next"); },
    k: function () { return follow("queue-previous"); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var action = keys[event.key];
    var done = action ? action() : /^[1-9]$/.test(event.key) && pickReason(parseInt(event.key, 10));
    if (done) { event.preventDefault(); }
  });
})();
