/* Tixi web shell behaviour: no inline scripts (the CSP forbids them). */
(function () {
  "use strict";
  // Charts: every element with data-chart holds an ECharts option as JSON.
  var charts = [];
  if (window.echarts) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      try {
        var chart = window.echarts.init(el);
        chart.on("finished", function () { el.setAttribute("data-chart-finished", "1"); });
        chart.setOption(JSON.parse(el.getAttribute("data-chart")));
        el.setAttribute("data-chart-ready", "1");
        charts.push(chart);
      } catch (e) {
        el.textContent = String(e);
      }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  // The to-do badge in the navigation bar: counted after the page has loaded (no page pays for it).
  var todo = document.getElementById("todo-link");
  if (todo && todo.getAttribute("data-todo-count")) {
    fetch(todo.getAttribute("data-todo-count"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {count: 0}; })
      .then(function (data) {
        var badge = document.getElementById("todo-count");
        if (!badge || !data.count) { return; }
        badge.textContent = data.count < 100 ? String(data.count) : "99+";
        badge.classList.remove("d-none");
        todo.setAttribute("aria-label", todo.getAttribute("aria-label") + " (" + data.count + ")");
        todo.setAttribute("data-todo-loaded", "1");
      })
      .catch(function () { /* the badge is a convenience: the page works without it */ });
  }
  // Forms asking for confirmation.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // Foreign-key selects with too many records: a search box fills the options (GET /lookup/<table>?q=).
  document.querySelectorAll("select[data-lookup]").forEach(function (sel) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.setAttribute("data-lookup-for", sel.name);
    box.placeholder = sel.getAttribute("data-lookup-placeholder") || "";
    sel.parentNode.insertBefore(box, sel);
    var timer = null;
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        fetch(sel.getAttribute("data-lookup") + "?q=" + encodeURIComponent(box.value), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var keep = Array.prototype.filter.call(sel.options, function (o) { return o.value === "" || o.selected; });
            sel.innerHTML = "";
            keep.forEach(function (o) { sel.appendChild(o); });
            data.items.forEach(function (item) {
              if (keep.some(function (o) { return o.value === String(item.id); })) { return; }
              var opt = document.createElement("option");
              opt.value = item.id;
              opt.textContent = item.label;
              sel.appendChild(opt);
            });
            if (data.items.length && !sel.value) { sel.value = String(data.items[0].id); }
          });
      }, 250);
    });
  });
  // Select boxes that submit their form on change (company switcher).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();

// The navigation bar stays one row on a wide screen: the menus that do not fit move into
// "More" (as headers with their entries), last first; on a narrow screen the menu is the
// collapsed list and nothing moves.
(function () {
  const bar = document.querySelector("nav.navbar");
  const list = document.querySelector("#mainnav > ul.navbar-nav");
  const more = document.getElementById("nav-more");
  const menu = document.getElementById("nav-more-menu");
  if (!bar || !list || !more || !menu) return;
  const wide = window.matchMedia("(min-width: 992px)");
  const items = Array.from(list.children).filter((li) => li !== more);
  const brand = bar.querySelector(".navbar-brand");

  function oneRow() {
    const top = brand.getBoundingClientRect().top;
    const tools = document.getElementById("nav-tools");
    const lastTop = tools ? tools.getBoundingClientRect().top : top;
    return Math.abs(lastTop - top) < 24 && (!tools || tools.offsetHeight < 48) && bar.offsetHeight < 80 &&
      list.scrollWidth <= list.clientWidth + 1 &&
      document.documentElement.scrollWidth <= window.innerWidth;
  }

  function entry(link) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "dropdown-item";
    a.href = link.getAttribute("href");
    a.textContent = link.textContent.trim();
    li.appendChild(a);
    return li;
  }

  function moveIntoMore(li) {
    const toggle = li.querySelector(":scope > a.dropdown-toggle");
    const added = [];
    if (toggle) {
      const header = document.createElement("li");
      header.innerHTML = '<h6 class="dropdown-header"></h6>';
      header.firstChild.textContent = toggle.textContent.trim();
      added.push(header);
      li.querySelectorAll(".dropdown-menu a.dropdown-item").forEach((a) => added.push(entry(a)));
    } else {
      const a = li.querySelector("a");
      if (a) added.push(entry(a));
    }
    menu.prepend(...added);
    li.classList.add("d-none");
  }

  function layout() {
    items.forEach((li) => li.classList.remove("d-none"));
    menu.replaceChildren();
    more.classList.add("d-none");
    if (!wide.matches) return;
    for (let i = items.length - 1; i > 0 && !oneRow(); i -= 1) {
      more.classList.remove("d-none");
      moveIntoMore(items[i]);
    }
  }

  let timer = null;
  window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(layout, 100); });
  layout();
})();

