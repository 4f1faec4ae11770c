// The page shell: the theme toggle (the <head> script has already applied the remembered or the
// system theme) and the menu button of narrow screens. Without this file both buttons stay hidden
// and the menu stays open, so every link is still reachable.
(function () {
  "use strict";
  var root = document.documentElement;
  var STORAGE_KEY = "nexus-theme";
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  function storedTheme() {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null; // storage refused (private mode, blocked cookies): follow the system
    }
  }

  function applyTheme(theme) {
    root.dataset.theme = theme;
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
    });
  }

  function toggleTheme() {
    var theme = root.dataset.theme === "dark" ? "light" : "dark";
    try {
      localStorage.setItem(STORAGE_KEY, theme);
    } catch (error) {
      // Not remembered, but still switched for this page.
    }
    applyTheme(theme);
  }

  function setMenuOpen(button, open) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) {
      menu.classList.toggle("is-open", open);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme(root.dataset.theme === "dark" ? "dark" : "light");
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.addEventListener("click", toggleTheme);
    });
    document.querySelectorAll(".menu-toggle[aria-controls]").forEach(function (button) {
      button.addEventListener("click", function () {
        setMenuOpen(button, button.getAttribute("aria-expanded") !== "true");
      });
    });
  });

  // Escape closes an open menu or user dropdown and hands focus back to what opened it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll(".menu-toggle[aria-expanded=true]").forEach(function (button) {
      setMenuOpen(button, false);
      button.focus();
    });
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      details.open = false;
      details.querySelector("summary").focus();
    });
  });

  // A click elsewhere closes the user dropdown, as a native menu would.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      if (!details.contains(event.target)) {
        details.open = false;
      }
    });
  });

  // Without a remembered choice the page follows the system when it switches.
  systemDark.addEventListener("change", function (event) {
    if (storedTheme() !== "light" && storedTheme() !== "dark") {
      applyTheme(event.matches ? "dark" : "light");
    }
  });
})();
