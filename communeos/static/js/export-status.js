// While an export is waiting or being made, check its page every few seconds and put what it
// says in place when it changes (waiting, being made, then the download link once ready). A
// change of state is announced by the polite live region; a new count of the files ahead is
// shown without being announced, so that a long queue does not talk every few seconds. It
// stops when the page no longer answers with a status (the export expired, or the session
// ended): the page's own link checks again. Without JavaScript that link is all there is.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status][data-export-pending]");
  var announce = document.querySelector("[data-export-announce]");
  if (!box || !announce || !window.fetch || !window.DOMParser) return;
  var failures = 0;
  // What the box says, without its links (the download link is reached by the keyboard).
  function said(element) {
    var parts = [];
    element.querySelectorAll("p").forEach(function (p) {
      if (!p.querySelector("a")) parts.push(p.textContent.replace(/\s+/g, " ").trim());
    });
    return parts.join(" ");
  }
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
          var state = fresh.getAttribute("data-export-state");
          box.innerHTML = fresh.innerHTML;
          var link = box.querySelector("a");
          if (focused && link) link.focus(); // keyboard users keep their place
          if (state !== box.getAttribute("data-export-state")) {
            box.setAttribute("data-export-state", state);
            announce.textContent = said(box);
          }
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
