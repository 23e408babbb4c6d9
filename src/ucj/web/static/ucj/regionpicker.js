// Region picker (issue 16 item 8): a searchable tree province → kab/kota → kecamatan → desa in place of a long
// <select>. Plain JavaScript served with the site (no CDN, no inline script); without JavaScript the page keeps
// the plain <select data-region-picker> of the upper levels. The tree asks /wilayah/pilih/ (the select's
// data-url) for one level at a time (?parent=) or for names matching what was typed (?q=), always inside the
// user's regions. Keyboard: ↓/↑ move, → opens (or goes to the first child), ← closes (or goes to the parent),
// Enter chooses, Esc closes. The chosen code goes into the hidden select, which announces a "change" event (so a
// data-autosubmit select submits its form as before).
(function () {
  "use strict";
  var EN = document.documentElement.lang === "en";
  var T = EN
    ? { none: "No region found", loading: "Loading…", results: " regions found", open: "Open", close: "Close" }
    : { none: "Wilayah tidak ditemukan", loading: "Memuat…", results: " wilayah ditemukan", open: "Buka", close: "Tutup" };
  var counter = 0;

  function enhance(select) {
    counter += 1;
    var base = select.id || "region-" + counter;
    var maxLevel = select.getAttribute("data-max-level") || "4";
    var url = select.getAttribute("data-url");
    var wrap = document.createElement("div");
    var input = document.createElement("input");
    var tree = document.createElement("ul");
    var status = document.createElement("p");
    var active = null;
    var timer = null;
    var asked = 0;

    wrap.className = "region-picker";
    input.type = "text";
    input.id = base + "-picker";
    input.className = "region-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-tree");
    input.placeholder = select.getAttribute("data-placeholder") || "";
    tree.id = base + "-tree";
    tree.className = "region-tree";
    tree.setAttribute("role", "tree");
    tree.hidden = true;
    status.className = "sr";
    status.setAttribute("aria-live", "polite");
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label) {
      label.htmlFor = input.id;
      tree.setAttribute("aria-labelledby", label.id || (label.id = base + "-label"));
    }
    wrap.appendChild(input);
    wrap.appendChild(tree);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    showChosen();

    function showChosen() {
      var option = select.options[select.selectedIndex];
      input.value = option ? option.text.replace(/^[·\s]+/, "") : "";
    }
    function ask(params) {
      asked += 1;
      var mine = asked;
      var query = "max_level=" + encodeURIComponent(maxLevel) + "&" + params;
      return fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { regions: [] }; })
        .then(function (data) { return mine === asked || params.indexOf("parent=") === 0 ? data.regions : null; });
    }
    function item(region, level, flat) {
      var li = document.createElement("li");
      li.id = base + "-r-" + region.code.replace(/\./g, "-");
      li.setAttribute("role", "treeitem");
      li.setAttribute("aria-level", String(level));
      li.setAttribute("aria-selected", region.code === select.value ? "true" : "false");
      li.dataset.code = region.code;
      li.dataset.name = region.name;
      var row = document.createElement("span");
      row.className = "region-row";
      var toggle = document.createElement("span");
      toggle.className = "region-toggle";
      toggle.setAttribute("aria-hidden", "true");
      if (region.children && !flat) {
        li.setAttribute("aria-expanded", "false");
        toggle.textContent = "▸";
        toggle.title = T.open;
      }
      var name = document.createElement("span");
      name.className = "region-name";
      name.textContent = region.name;
      var meta = document.createElement("small");
      meta.textContent = " " + region.level_name + (region.path ? " · " + region.path : "");
      row.appendChild(toggle);
      row.appendChild(name);
      row.appendChild(meta);
      li.appendChild(row);
      return li;
    }
    function fill(list, regions, level, flat) {
      list.textContent = "";
      if (!regions.length) {
        var empty = document.createElement("li");
        empty.className = "region-empty";
        empty.textContent = T.none;
        list.appendChild(empty);
      }
      regions.forEach(function (r) { list.appendChild(item(r, level, flat)); });
    }
    function open() {
      tree.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      tree.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = null;
    }
    function roots() {
      status.textContent = T.loading;
      return ask("parent=").then(function (regions) {
        fill(tree, regions, 1, false);
        status.textContent = "";
        open();
      });
    }
    function search(text) {
      ask("q=" + encodeURIComponent(text)).then(function (regions) {
        if (regions === null) {
          return;
        }
        fill(tree, regions, 1, true);
        status.textContent = regions.length ? regions.length + T.results : T.none;
        open();
        focusItem(tree.querySelector("li[role=treeitem]"));
      });
    }
    function visible() {
      return Array.prototype.filter.call(tree.querySelectorAll("li[role=treeitem]"), function (li) {
        var group = li.parentNode;
        while (group && group !== tree) {
          if (group.hidden) {
            return false;
          }
          group = group.parentNode;
        }
        return true;
      });
    }
    function focusItem(li) {
      if (active) {
        active.classList.remove("active");
      }
      active = li || null;
      if (active) {
        active.classList.add("active");
        input.setAttribute("aria-activedescendant", active.id);
        if (active.scrollIntoView) {
          active.scrollIntoView({ block: "nearest" });
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function expand(li) {
      if (li.getAttribute("aria-expanded") !== "false") {
        return Promise.resolve();
      }
      li.setAttribute("aria-expanded", "true");
      li.querySelector(".region-toggle").textContent = "▾";
      var group = li.querySelector("ul");
      if (group) {
        group.hidden = false;
        return Promise.resolve();
      }
      group = document.createElement("ul");
      group.setAttribute("role", "group");
      li.appendChild(group);
      var level = Number(li.getAttribute("aria-level")) + 1;
      return ask("parent=" + encodeURIComponent(li.dataset.code)).then(function (regions) {
        fill(group, regions || [], level, false);
      });
    }
    function collapse(li) {
      var group = li.querySelector("ul");
      li.setAttribute("aria-expanded", "false");
      li.querySelector(".region-toggle").textContent = "▸";
      if (group) {
        group.hidden = true;
      }
    }
    function choose(li) {
      var code = li.dataset.code;
      var text = li.dataset.name + " (" + code + ")";
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === code; });
      if (!option) {
        option = new Option(text, code);
        select.appendChild(option);
      }
      select.value = code;
      input.value = option.text.replace(/^[·\s]+/, "");
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function move(step) {
      var items = visible();
      if (!items.length) {
        return;
      }
      var at = items.indexOf(active);
      focusItem(items[Math.max(0, Math.min(items.length - 1, at < 0 ? 0 : at + step))]);
    }

    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      timer = window.setTimeout(function () {
        if (text.length >= 2) {
          search(text);
        } else if (!text) {
          roots();
        }
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowRight" || key === "ArrowLeft" || key === "Enter") {
        window.clearTimeout(timer);  // a late answer to earlier typing must not redraw the tree being walked
      }
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (tree.hidden) {
          roots().then(function () { focusItem(tree.querySelector("li[role=treeitem]")); });
        } else {
          move(key === "ArrowDown" ? 1 : -1);
        }
      } else if (key === "ArrowRight" && active && !tree.hidden) {
        event.preventDefault();
        if (active.getAttribute("aria-expanded") === "true") {
          focusItem(active.querySelector("li[role=treeitem]"));
        } else {
          var target = active;
          expand(target).then(function () { focusItem(target); });
        }
      } else if (key === "ArrowLeft" && active && !tree.hidden) {
        event.preventDefault();
        if (active.getAttribute("aria-expanded") === "true") {
          collapse(active);
        } else if (active.parentNode !== tree) {
          focusItem(active.parentNode.closest("li[role=treeitem]"));
        }
      } else if (key === "Enter" && !tree.hidden) {
        event.preventDefault();  // choosing is not submitting the form
        if (active) {
          choose(active);
        }
      } else if (key === "Escape" && !tree.hidden) {
        event.preventDefault();
        close();
        showChosen();
      }
    });
    // A click keeps the focus in the input (mousedown), so the tree does not close under the pointer.
    tree.addEventListener("mousedown", function (event) { event.preventDefault(); });
    tree.addEventListener("click", function (event) {
      var li = event.target.closest("li[role=treeitem]");
      if (!li) {
        return;
      }
      if (event.target.classList.contains("region-toggle")) {
        if (li.getAttribute("aria-expanded") === "true") {
          collapse(li);
        } else {
          expand(li);
        }
        focusItem(li);
      } else {
        choose(li);
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (document.activeElement !== input) {
          close();
          showChosen();
        }
      }, 150);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-region-picker]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
