// Loaded without defer in <head>, so it runs before the first paint: the remembered theme (or the
// system's) is on <html> before anything is drawn, and the page never flashes the other one.
// An external file rather than an inline script: cached public pages keep no usable nonce.
(function () {
  "use strict";
  var root = document.documentElement;
  var theme = null;
  root.classList.add("js");
  try {
    theme = localStorage.getItem("nexus-theme");
  } catch (error) {
    theme = null; // storage refused (private mode, blocked cookies): follow the system
  }
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  root.dataset.theme = theme;
})();
