// The Markdown editor (nexus/core/widgets.py MarkdownEditor): toolbar, keyboard shortcuts, live
// preview and attachments. Without this file the textarea is a plain textarea that still posts.
(function () {
  "use strict";

  const PREVIEW_DELAY_MS = 400;
  const WRAPS = {
    bold: ["**", "**", "bold text"],
    italic: ["_", "_", "italic text"],
    code: ["`", "`", "code"],
  };
  const LINE_PREFIXES = {
    heading: "### ",
    quote: "> ",
    bulleted: "- ",
    numbered: null, // numbered per line
    task: "- [ ] ",
  };

  function csrfToken(textarea) {
    const field = textarea.form && textarea.form.elements.namedItem("csrfmiddlewaretoken");
    if (field && field.value) return field.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // execCommand keeps the browser's undo history; setRangeText is the fallback where it is gone.
  function replaceSelection(textarea, text, selectFrom, selectTo) {
    const start = textarea.selectionStart;
    textarea.focus();
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      textarea.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function wrap(textarea, before, after, placeholder) {
    const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    const inner = selected || placeholder;
    replaceSelection(textarea, before + inner + after, before.length, before.length + inner.length);
  }

  function link(textarea) {
    const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    const label = selected || "link text";
    const text = "[" + label + "](https://)";
    const urlStart = label.length + 3;
    replaceSelection(textarea, text, urlStart, urlStart + "https://".length);
  }

  function codeBlock(textarea) {
    const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    const atLineStart = textarea.selectionStart === 0 || textarea.value[textarea.selectionStart - 1] === "\n";
    const lead = atLineStart ? "" : "\n";
    const inner = selected || "code";
    replaceSelection(textarea, lead + "```\n" + inner + "\n```\n", lead.length + 4, lead.length + 4 + inner.length);
  }

  // Prefixes every line the selection touches (the caret's line when nothing is selected).
  function prefixLines(textarea, action) {
    const value = textarea.value;
    const from = textarea.selectionStart;
    const to = textarea.selectionEnd;
    const start = from === 0 ? 0 : value.lastIndexOf("\n", from - 1) + 1;
    // A selection ending just after a newline does not take in the next line.
    const lastCharacter = to > from && value[to - 1] === "\n" ? to - 1 : to;
    const lineEnd = value.indexOf("\n", lastCharacter);
    const end = lineEnd === -1 ? value.length : lineEnd;
    textarea.setSelectionRange(start, end);
    const lines = value.slice(start, end).split("\n");
    const prefixed = lines.map(function (line, index) {
      return (action === "numbered" ? index + 1 + ". " : LINE_PREFIXES[action]) + line;
    });
    const text = prefixed.join("\n");
    replaceSelection(textarea, text, text.length, text.length);
  }

  function format(textarea, action) {
    if (WRAPS[action]) wrap(textarea, ...WRAPS[action]);
    else if (action === "link") link(textarea);
    else if (action === "codeblock") codeBlock(textarea);
    else if (action in LINE_PREFIXES) prefixLines(textarea, action);
  }

  function shortcut(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
    if (event.shiftKey) {
      if (event.code === "Digit7") return "numbered";
      if (event.code === "Digit8") return "bulleted";
      return null;
    }
    return { b: "bold", i: "italic", k: "link", e: "code" }[event.key.toLowerCase()] || null;
  }

  // One tab stop for the whole toolbar; arrow keys move between its buttons (WAI-ARIA toolbar).
  function rovingFocus(toolbar) {
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    buttons[0].tabIndex = 0;
    toolbar.addEventListener("keydown", function (event) {
      const index = buttons.indexOf(document.activeElement);
      if (index === -1) return;
      const next = {
        ArrowRight: (index + 1) % buttons.length,
        ArrowLeft: (index - 1 + buttons.length) % buttons.length,
        Home: 0,
        End: buttons.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
  }

  function setUp(root) {
    const textarea = root.querySelector("textarea");
    const toolbar = root.querySelector("[data-md-toolbar]");
    const previewPane = root.querySelector("[data-md-preview-pane]");
    const preview = root.querySelector("[data-md-preview]");
    const status = root.querySelector("[data-md-status]");
    const fileInput = root.querySelector("[data-md-file]");
    // Inside a <label> the toolbar and preview would become part of the textarea's name.
    const label = root.closest("label");
    if (label) label.after(root);

    toolbar.hidden = false;
    previewPane.hidden = false;
    rovingFocus(toolbar);

    toolbar.addEventListener("click", function (event) {
      const button = event.target.closest("[data-md-action]");
      if (!button) return;
      if (button.dataset.mdAction === "attach") fileInput.click();
      else format(textarea, button.dataset.mdAction);
    });
    textarea.addEventListener("keydown", function (event) {
      const action = shortcut(event);
      if (!action) return;
      event.preventDefault();
      format(textarea, action);
    });

    let timer = null;
    let latest = 0;
    function refreshPreview() {
      const request = ++latest;
      const body = new FormData();
      body.append("body", textarea.value);
      fetch(root.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea) },
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          // The endpoint renders through the server's sanitiser, like the saved page.
          if (html !== null && request === latest) preview.innerHTML = html;
        })
        .catch(function () {});
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
    });
    if (textarea.value.trim()) refreshPreview();

    function announce(message) {
      status.textContent = message;
    }

    function upload(file) {
      const insertAt = textarea.selectionEnd;
      const body = new FormData();
      body.append("file", file);
      announce("Uploading " + file.name + "…");
      return fetch(root.dataset.uploadUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea), Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) {
            announce("Could not attach " + file.name + ": " + (result.data.detail || "refused"));
            return;
          }
          textarea.setSelectionRange(insertAt, insertAt);
          // A space from the word before it, unless the caret already follows whitespace.
          const before = insertAt > 0 && !/\s/.test(textarea.value[insertAt - 1]) ? " " : "";
          replaceSelection(textarea, before + result.data.markdown);
          announce("Attached " + result.data.name + ".");
        })
        .catch(function () {
          announce("Could not attach " + file.name + ": the upload failed.");
        });
    }

    function uploadAll(files) {
      return Array.from(files).reduce(function (previous, file) {
        return previous.then(function () { return upload(file); });
      }, Promise.resolve());
    }

    fileInput.addEventListener("change", function () {
      uploadAll(fileInput.files).then(function () { fileInput.value = ""; });
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) {
        event.preventDefault();
        root.classList.add("md-dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { root.classList.remove("md-dropping"); });
    textarea.addEventListener("drop", function (event) {
      root.classList.remove("md-dropping");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    textarea.addEventListener("paste", function (event) {
      const files = event.clipboardData ? event.clipboardData.files : [];
      if (!files.length) return;
      event.preventDefault();
      uploadAll(files);
    });
  }

  function init(container) {
    container.querySelectorAll("[data-md-editor]:not([data-md-ready])").forEach(function (root) {
      root.dataset.mdReady = "";
      setUp(root);
    });
  }
  // Editors that htmx swaps in (a comment's edit form) are set up as they arrive.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
