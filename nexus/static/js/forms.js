// Form enhancements, each over a control that already works without JavaScript:
// - a type-ahead chooser (ARIA 1.2 combobox + listbox, chosen values as removable chips) over a
//   <select multiple data-chooser> or a comma-separated <input data-chooser="free">; the original
//   control stays in the form, hidden, and is what gets submitted, so the server sees the same field;
// - tabs (ARIA tabs pattern) over a [data-tabs] list of in-page links: without this file every
//   panel shows and the links jump to them.
// Star ratings need no script: they are radio groups styled in forms.css.
(function () {
  "use strict";
  var counter = 0;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // What the chooser reads and writes: the options on offer, and which are chosen.
  function selectSource(select) {
    return {
      options: function () {
        return Array.prototype.map.call(select.options, function (option) {
          var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
          return { value: option.value, label: option.textContent.trim(), group: group };
        });
      },
      chosen: function () {
        return Array.prototype.filter.call(select.options, function (option) {
          return option.selected;
        }).map(function (option) {
          return { value: option.value, label: option.textContent.trim() };
        });
      },
      set: function (value, chosen) {
        Array.prototype.forEach.call(select.options, function (option) {
          if (option.value === value) {
            option.selected = chosen;
          }
        });
      },
      free: false,
    };
  }

  function freeSource(input) {
    var suggestions = [];
    try {
      suggestions = JSON.parse(input.dataset.suggestions || "[]");
    } catch (error) {
      suggestions = []; // no suggestions: typing still adds tags
    }
    function values() {
      return input.value.split(/[,\n]/).map(function (text) {
        return text.trim();
      }).filter(Boolean);
    }
    return {
      options: function () {
        return suggestions.map(function (name) {
          return { value: name, label: name, group: "" };
        });
      },
      chosen: function () {
        return values().map(function (value) {
          return { value: value, label: value };
        });
      },
      set: function (value, chosen) {
        var rest = values().filter(function (existing) {
          return existing.toLowerCase() !== value.toLowerCase();
        });
        if (chosen) {
          rest.push(value);
        }
        input.value = rest.join(", ");
      },
      free: true,
    };
  }

  function chooser(control) {
    var source = control.tagName === "SELECT" ? selectSource(control) : freeSource(control);
    var label = control.id ? document.querySelector("label[for='" + control.id + "']") : null;
    var name = label ? (label.firstChild.textContent || "").trim() : control.name;
    var id = control.id || "chooser-" + ++counter;
    var listId = id + "-listbox";
    var active = -1;
    var shown = [];

    var wrapper = element("div", { class: "chooser", "data-testid": "chooser-" + control.name });
    var chips = element("ul", { class: "chooser-chips", "aria-label": "Chosen " + name.toLowerCase() });
    var input = element("input", {
      type: "text",
      id: id,
      role: "combobox",
      "aria-label": name,
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      autocomplete: "off",
      class: "chooser-input",
      placeholder: source.free ? "Type a tag, Enter adds it" : "Type to filter, Enter adds",
    });
    var listbox = element("ul", { role: "listbox", id: listId, class: "chooser-listbox", "aria-label": name });
    listbox.hidden = true;
    var live = element("div", { class: "visually-hidden", "aria-live": "polite", "data-testid": "chooser-status" });
    // The label now names the text box; the original control keeps working underneath.
    control.id = id + "-native";
    if (control.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", control.getAttribute("aria-describedby"));
    }
    if (control.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", control.getAttribute("aria-invalid"));
    }
    control.hidden = true;
    if (control.tagName === "INPUT") {
      control.type = "hidden";
    }
    wrapper.append(chips, input, listbox, live);
    control.after(wrapper);

    function announce(text) {
      live.textContent = text;
    }

    function renderChips() {
      chips.replaceChildren();
      source.chosen().forEach(function (item) {
        var chip = element("li", { class: "chooser-chip" });
        var remove = element("button", { type: "button", class: "chooser-remove", "aria-label": "Remove " + item.label }, "\u2715");
        remove.addEventListener("click", function () {
          choose(item, false);
          input.focus();
        });
        chip.append(element("span", {}, item.label), remove);
        chips.append(chip);
      });
    }

    function setActive(index) {
      var items = listbox.querySelectorAll("[role=option]");
      items.forEach(function (item, position) {
        item.classList.toggle("is-active", position === index);
      });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      var query = input.value.trim().toLowerCase();
      var chosen = source.chosen().map(function (item) {
        return item.value.toLowerCase();
      });
      shown = source.options().filter(function (option) {
        return chosen.indexOf(option.value.toLowerCase()) === -1 &&
          (!query || option.label.toLowerCase().indexOf(query) !== -1);
      });
      // An exact match comes first, so typing a whole name and Enter picks that one.
      shown = shown.filter(function (option) {
        return option.label.toLowerCase() === query;
      }).concat(shown.filter(function (option) {
        return option.label.toLowerCase() !== query;
      })).slice(0, 50);
      listbox.replaceChildren();
      shown.forEach(function (option, index) {
        var item = element("li", { role: "option", id: listId + "-" + index, "aria-selected": "false", class: "chooser-option" }, option.label);
        if (option.group) {
          item.append(element("small", { class: "muted" }, " \u00b7 " + option.group));
        }
        // mousedown, not click: the text box must not lose focus (and close the list) first.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(option, true);
        });
        listbox.append(item);
      });
      listbox.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      setActive(query && shown.length ? 0 : -1);
      if (query) {
        announce(shown.length === 1 ? "1 suggestion" : shown.length + " suggestions");
      }
    }

    function choose(option, chosen) {
      source.set(option.value, chosen);
      renderChips();
      announce((chosen ? "Added " : "Removed ") + option.label);
      if (chosen) {
        input.value = "";
        close();
      }
    }

    input.addEventListener("input", open);
    input.addEventListener("focus", function () {
      if (input.value) {
        open();
      }
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (listbox.hidden) {
          open();
        }
        if (shown.length) {
          var step = key === "ArrowDown" ? 1 : -1;
          setActive((active + step + shown.length) % shown.length);
        }
      } else if (key === "Enter" || (key === "," && source.free)) {
        if (active >= 0 && shown[active]) {
          event.preventDefault();
          choose(shown[active], true);
        } else if (source.free && input.value.trim()) {
          event.preventDefault();
          choose({ value: input.value.trim(), label: input.value.trim() }, true);
        } else if (!listbox.hidden) {
          event.preventDefault(); // Enter in an open list never submits the form by surprise
        }
      } else if (key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else if (key === "Backspace" && !input.value) {
        var chosen = source.chosen();
        if (chosen.length) {
          choose(chosen[chosen.length - 1], false);
        }
      }
    });
    renderChips();
  }

  // Tabs over [data-tabs]: a list of links to panels. One panel shows at a time; arrows move.
  function tabs(list) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a[href^='#']"));
    var panels = links.map(function (link) {
      return document.getElementById(link.getAttribute("href").slice(1));
    });
    if (!links.length || panels.indexOf(null) !== -1) {
      return;
    }
    list.setAttribute("role", "tablist");
    Array.prototype.forEach.call(list.children, function (item) {
      item.setAttribute("role", "presentation");
    });
    function select(index, focus) {
      links.forEach(function (link, position) {
        var current = position === index;
        link.setAttribute("aria-selected", current ? "true" : "false");
        link.setAttribute("tabindex", current ? "0" : "-1");
        panels[position].hidden = !current;
      });
      if (focus) {
        links[index].focus();
      }
    }
    links.forEach(function (link, index) {
      link.id = link.id || panels[index].id + "-tab";
      link.setAttribute("role", "tab");
      link.setAttribute("aria-controls", panels[index].id);
      panels[index].setAttribute("role", "tabpanel");
      panels[index].setAttribute("aria-labelledby", link.id);
      panels[index].setAttribute("tabindex", "0");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(index, false);
      });
      link.addEventListener("keydown", function (event) {
        var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: links.length - 1 }[event.key];
        if (next !== undefined) {
          event.preventDefault();
          select((next + links.length) % links.length, true);
        }
      });
    });
    // The panel with an error (or the one the address points at) opens first.
    var start = panels.findIndex(function (panel) {
      return panel.querySelector(".field-error") || "#" + panel.id === window.location.hash;
    });
    select(start === -1 ? Number(list.dataset.tabsStart || 0) : start, false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[multiple][data-chooser], input[data-chooser]").forEach(chooser);
    document.querySelectorAll("[data-tabs]").forEach(tabs);
  });
})();
