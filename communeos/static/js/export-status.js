// While an export is waiting or being made, check its page every few seconds and put what it
// says in place when it changes (waiting, being made, then the download link once ready),
// announced by the polite live region. It stops when the page no longer answers with a status
// (the export expired, or the session ended): the page's own link checks again. Without
// JavaScript that link is all there is.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status][data-export-pending]");
  if (!box || !window.fetch || !window.DOMParser) return;
  var failures = 0;
  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) return null; // gone, or signed out
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-export-status]");
        if (!fresh) return;
        failures = 0;
        var pending = fresh.hasAttribute("data-export-pending");
        if (fresh.innerHTML !== box.innerHTML) {
          var focused = box.contains(document.activeElement);
          box.innerHTML = fresh.innerHTML;
          var link = box.querySelector("a");
          if (focused && link) link.focus(); // keyboard users keep their place
        }
        if (pending) {
          setTimeout(check, 3000);
        } else {
          box.removeAttribute("data-export-pending");
        }
      })
      .catch(function () {
        // The network failed: try a few more times, then leave it to the link.
        failures += 1;
        if (failures < 10) setTimeout(check, 10000);
      });
  }
  setTimeout(check, 3000);
})();
