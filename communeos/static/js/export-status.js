// While an export is being prepared, check its page every few seconds and put the new status
// (with its download link once ready) in place, announced by the polite live region. Without
// JavaScript the page has a link to check again.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status][data-export-pending]");
  if (!box || !window.fetch || !window.DOMParser) return;
  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-export-status]");
        if (!fresh) return;
        if (fresh.hasAttribute("data-export-pending")) {
          setTimeout(check, 3000);
        } else {
          box.removeAttribute("data-export-pending");
          box.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {
        setTimeout(check, 10000);
      });
  }
  setTimeout(check, 3000);
})();
