// The offline shell (templates/inspections/offline/shell.html): without a signal, the service worker shows
// it for an officer page the phone has not kept. The address says which view to draw — my
// premises, a premises, the inspection form, the outbox — and the officer's bundle (kept by
// offline.js in the "gw-data" cache) gives the premises facts and which checklist items apply.
(function () {
  "use strict";
  var root = document.querySelector("[data-offline-shell]");
  var config = document.getElementById("offline-config");
  if (!root || !config) return;
  var words = document.getElementById("shell-strings").dataset;
  var PREMISES = config.dataset.premises;
  var path = location.pathname;

  function t(name, values) {
    var text = words[name] || name;
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function each(selector, fn) {
    root.querySelectorAll(selector).forEach(fn);
  }

  function show(view) {
    each("[data-shell-view]", function (node) {
      node.classList.toggle("d-none", node.dataset.shellView !== view);
    });
  }

  function showNote(name) {
    root.querySelector("[data-shell-" + name + "]").classList.remove("d-none");
  }

  function localDay(offsetDays) {
    var d = new Date();
    d.setDate(d.getDate() + offsetDays);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function url(template, id) {
    return template.replace("/0/", "/" + id + "/");
  }

  function header(p) {
    each("[data-shell-name]", function (n) { n.textContent = p.name; });
    each("[data-shell-sub]", function (n) { n.textContent = p.type + " · " + p.address; });
    each("[data-shell-risk]", function (n) {
      n.textContent = p.risk_label;
      n.classList.add("risk-" + p.risk);
    });
    document.title = p.name;
  }

  function drawList(bundle) {
    var list = root.querySelector("[data-shell-list]");
    root.querySelector("[data-shell-count]").textContent = t("count", {n: bundle.premises.length});
    var rows = bundle.premises.map(function (p) {
      var item = document.createElement("li");
      item.className = "list-group-item list-group-item-action p-0";
      var link = document.createElement("a");
      link.className = "d-block p-2 text-reset text-decoration-none";
      link.href = url(bundle.premises_url, p.id);
      var top = document.createElement("div");
      top.className = "d-flex justify-content-between align-items-start gap-2";
      var name = document.createElement("div");
      name.className = "item-title";
      name.textContent = p.name;
      var risk = document.createElement("span");
      risk.className = "badge risk-badge risk-" + p.risk;
      risk.textContent = p.risk_label;
      top.append(name, risk);
      var meta = document.createElement("div");
      meta.className = "item-meta text-body-secondary small";
      meta.textContent = p.type + " · " + p.address + " · " + (p.last ? t("last", {day: p.last}) : t("never"));
      link.append(top, meta);
      item.appendChild(link);
      item.dataset.search = (p.name + " " + p.address).toLowerCase();
      return item;
    });
    list.replaceChildren.apply(list, rows);
    root.querySelector("[data-shell-search]").addEventListener("input", function (event) {
      var words = event.target.value.trim().toLowerCase();
      rows.forEach(function (row) { row.hidden = words && row.dataset.search.indexOf(words) < 0; });
    });
    show("list");
  }

  function drawPremises(bundle, p) {
    header(p);
    root.querySelector("[data-shell-inspect]").href = url(bundle.inspect_url, p.id);
    root.querySelector("[data-shell-address]").textContent = p.address;
    root.querySelector("[data-shell-tags]").textContent = p.tags.join("、") || t("none");
    root.querySelector("[data-shell-last]").textContent = p.last || t("never");
    root.querySelector("[data-shell-open]").textContent = String(p.open);
    show("premises");
  }

  function drawForm(bundle, p) {
    header(p);
    var form = root.querySelector("[data-shell-form]");
    var applies = {};
    bundle.profiles[p.profile].forEach(function (id) { applies[id] = true; });
    var kept = 0;
    each("[data-shell-item]", function (wrapper) {
      if (!applies[wrapper.dataset.shellItem]) { wrapper.remove(); return; }
      kept += 1;
      // Today's default deadline on this phone; a deadline left at it is sent empty (offline.js).
      var day = localDay(parseInt(wrapper.dataset.defaultDays, 10));
      wrapper.querySelectorAll("input[name$='-rectify_by']").forEach(function (input) {
        input.setAttribute("value", day);
        input.value = day;
      });
    });
    each("[data-shell-category]", function (section) {
      if (!section.querySelector("[data-shell-item]")) section.remove();
    });
    if (!kept) showNote("no-items");
    root.querySelector("[data-answer-count]").textContent = t("items", {n: kept});
    form.setAttribute("action", url(bundle.inspect_url, p.id));
    form.dataset.title = p.name;
    form.querySelector("input[name=idempotency_key]").value = window.GridwatchOffline.uuid4();
    show("form");
    window.GridwatchOffline.formReady(form);
  }

  function draw(bundle, stamp) {
    if (stamp) root.querySelector("[data-shell-stamp]").textContent = t("stamp", {time: stamp});
    var match = path.match(new RegExp("^" + PREMISES + "(\\d+)/(inspect/)?$"));
    if (path === config.dataset.outbox) { show("outbox"); return; }
    if (!bundle) { showNote("nodata"); return; }
    if (path === PREMISES) { drawList(bundle); return; }
    var p = match && bundle.premises.filter(function (x) { return String(x.id) === match[1]; })[0];
    if (!p) { showNote("unavailable"); return; }
    if (match[2]) drawForm(bundle, p); else drawPremises(bundle, p);
  }

  if (!window.caches || !window.GridwatchOffline) { draw(null); return; }
  caches.open("gw-data").then(function (cache) {
    return cache.match(config.dataset.bundle || "/offline/bundle.json");
  }).then(function (response) {
    if (!response) return draw(null);
    var date = response.headers.get("Date");
    // In the language of the page, not of the phone (an English phone, a Chinese page).
    var language = document.documentElement.lang || undefined;
    var stamp = date ? new Date(date).toLocaleString(language) : "";
    return response.json().then(function (bundle) {
      draw(String(bundle.user) === String(config.dataset.user) ? bundle : null, stamp);
    });
  }).catch(function () { draw(null); });
})();
