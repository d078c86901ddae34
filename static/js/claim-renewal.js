// The admin review page: keep this reviewer's claim alive while the page stays open.
// A static file (not inline) so the Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";
  var root = document.querySelector(".submission-review");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!root || !token || !root.dataset.claimUrl) { return; }
  setInterval(function () {
    fetch(root.dataset.claimUrl, {method: "POST", headers: {"X-CSRFToken": token.value}, credentials: "same-origin"});
  }, parseInt(root.dataset.claimRenewMs, 10));
})();
