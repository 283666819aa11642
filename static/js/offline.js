// Field work without signal, in the page (docs/workflow.md, Offline):
// - registers the service worker and keeps the officer's offline data fresh while online;
// - takes over the inspection form's submit: the filing is first kept on the phone (IndexedDB,
//   photos shrunk to 2048 px JPEG), then sent; without a signal it waits, and is sent on page
//   load, when the signal returns ("online"), by "send now", and by Background Sync;
// - shows "waiting to send (N)" in the navigation bar and the outbox page, where a filing the
//   server refused (a conflict) says why and what to do, and is discarded only by the officer.
//   That includes a filing the server refuses as it is (a 4xx without an answer the outbox
//   understands) or keeps failing on (repeated 5xx): the outbox stops sending it by itself, and
//   the officer corrects it, tries again by hand, or discards it.
// Strings come translated from data attributes of #offline-config (templates/inspections/offline/).
// Without IndexedDB the page says so and the form posts the usual way.
(function () {
  "use strict";
  var config = document.getElementById("offline-config");
  var Outbox = window.GridwatchOutbox;
  if (!config || !Outbox) return;

  var PAGES_CACHE = "gw-pages";
  var DATA_CACHE = "gw-data";
  var MAX_SIDE = 2048;
  var data = config.dataset;
  var user = data.user;
  var storage = null;  // a promise: true when IndexedDB works here
  var retryDelay = 10000;
  var retryTimer = null;

  function t(name, values) {
    var text = data["s" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function options() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return {user: user, login: data.login, csrf: match ? decodeURIComponent(match[1]) : ""};
  }

  function when(iso) {
    var d = new Date(iso);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // Feature detection ---------------------------------------------------------------------

  function detect() {
    storage = Outbox.open().then(function () { return true; }, function () { return false; });
    return storage.then(function (ok) {
      var onFieldPage = location.pathname.indexOf(data.premises) === 0;
      var notice = document.querySelector(ok ? "[data-offline-nosw]" : "[data-offline-unsupported]");
      if (notice && onFieldPage && (!ok || !("serviceWorker" in navigator))) {
        notice.classList.remove("d-none");
      }
      document.documentElement.dataset.offlineStorage = ok ? "yes" : "no";
      return ok;
    });
  }

  // Service worker and offline data ---------------------------------------------------------

  function register() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") refresh();
      if (event.data && event.data.type === "outbox-sync") sync();
    });
    return navigator.serviceWorker.register(data.sw, {scope: "/"}).catch(function () { return null; });
  }

  // A different officer signed in on this phone: drop the pages and data kept for the last one
  // (never the outbox: a filing waits for its own officer).
  function forgetOtherUser() {
    var last = null;
    try {  // Safari's private mode refuses localStorage writes
      last = localStorage.getItem("gw-user");
      localStorage.setItem("gw-user", user);
    } catch (error) {
      return Promise.resolve();
    }
    if (last === user || !window.caches) return Promise.resolve();
    stamp(0);
    return Promise.all([caches.delete(PAGES_CACHE), caches.delete(DATA_CACHE)]);
  }

  // Background work in flight; <html data-offline-idle="yes"> once there is none (for tests,
  // which must not end while the page still talks to the server).
  var pending = 0;
  function busy(promise) {
    pending += 1;
    document.documentElement.dataset.offlineIdle = "no";
    var done = function () {
      pending -= 1;
      if (!pending) document.documentElement.dataset.offlineIdle = "yes";
    };
    promise.then(done, done);
    return promise;
  }

  function stamp(value) {
    try {
      if (value === undefined) return parseInt(localStorage.getItem("gw-refreshed") || "0", 10);
      localStorage.setItem("gw-refreshed", String(value));
    } catch (error) { /* private mode: refresh every time */ }
    return 0;
  }

  // At most every 10 minutes, and always on My premises (where a round starts) and when the
  // signal returns. The bundle is revalidated with its ETag: unchanged costs a 304.
  function refreshOfflineData(force) {
    if (!data.bundle || !window.caches || !navigator.onLine) return Promise.resolve(false);
    return caches.match(data.bundle).then(function (kept) {
      var due = force || !kept || location.pathname === data.premises ||
        Date.now() - stamp() > 600000;
      if (!due) {
        document.documentElement.dataset.offlineReady = "yes";
        return true;
      }
      return busy(fetchOfflineData()).then(function (ok) {
        if (ok) stamp(Date.now());
        return ok;
      });
    });
  }

  function fetchOfflineData() {
    return fetch(data.bundle, {credentials: "same-origin", cache: "no-cache"}).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("bundle " + response.status);
      return response.clone().json().then(function (bundle) {
        return caches.open(DATA_CACHE).then(function (cache) {
          return cache.put(data.bundle, response).then(function () {
            return cache.match(data.shell).then(function (shell) {
              if (shell && shell.headers.get("X-Shell-Version") === bundle.checklist) return null;
              return fetch(bundle.shell, {credentials: "same-origin"}).then(function (page) {
                if (!page.ok || page.redirected) throw new Error("shell " + page.status);
                return cache.put(data.shell, page);
              });
            });
          });
        });
      });
    }).then(function () {
      document.documentElement.dataset.offlineReady = "yes";
      return true;
    }).catch(function () { return false; });
  }

  function forgetOnLogout() {
    document.querySelectorAll("form[action='" + data.logout + "']").forEach(function (form) {
      form.addEventListener("submit", function () {
        try {
          localStorage.removeItem("gw-user");
          localStorage.removeItem("gw-refreshed");
        } catch (error) { /* private mode */ }
        Outbox.setMeta("user", null).catch(function () {});
        if (window.caches) {
          caches.delete(PAGES_CACHE);
          caches.delete(DATA_CACHE);
        }
      });
    });
  }

  // Badge and outbox page -----------------------------------------------------------------

  function mine(entries) {
    return entries.filter(function (e) { return String(e.user) === String(user); });
  }

  function renderBadge(entries) {
    var badge = document.querySelector("[data-outbox-badge]");
    if (!badge) return;
    var own = mine(entries);
    var trouble = own.some(function (e) { return e.status !== "waiting"; });
    badge.classList.toggle("d-none", own.length === 0);
    badge.classList.toggle("btn-warning", !trouble);
    badge.classList.toggle("btn-danger", trouble);
    badge.querySelector("[data-outbox-count]").textContent = String(own.length);
    badge.querySelector("[data-outbox-label]").textContent = t(trouble ? "badgeAttention" : "badgeWaiting");
    badge.title = t(trouble ? "attention" : "waiting");
  }

  function summary(entry) {
    var hazards = entry.fields.filter(function (pair) {
      return (/^item-\d+-answer$/.test(pair[0]) && pair[1] === "fail") ||
        (/^extra-\d+-description$/.test(pair[0]) && pair[1].trim());
    }).length;
    return [t("savedAt", {time: when(entry.savedAt)}), t("hazards", {n: hazards}),
      t("photos", {n: entry.files.length})].join(" · ");
  }

  // A refusal by HTTP status alone (outbox.js): the server's own "refused" conflicts carry a
  // message instead, and keep their wording.
  function refusedAsSent(problem) {
    return problem.reason === "refused" && !!problem.status && !problem.message;
  }

  // Conflicts the officer may settle by opening the form with the kept answers and saving again.
  function correctable(problem) {
    return problem.reason === "invalid" || problem.reason === "server_error" || refusedAsSent(problem);
  }

  function problemText(entry) {
    var problem = entry.problem || {};
    if (entry.status === "signin") return [t("signin"), ""];
    if (refusedAsSent(problem)) {
      return [t("refused", {status: problem.status}), t("refusedTodo")];
    }
    if (problem.reason === "server_error") {
      return [t("serverError", {n: Outbox.MAX_SERVER_ERRORS, status: problem.status}),
        t("serverErrorTodo")];
    }
    if (problem.reason === "invalid") {
      var lines = (problem.problems || []).slice();
      Object.keys(problem.errors || {}).forEach(function (name) {
        var label = entry.labels && entry.labels[name.replace(/-[a-z_]+$/, "")];
        problem.errors[name].forEach(function (message) {
          lines.push((label ? label + ": " : "") + message);
        });
      });
      return [t("invalid") + " " + lines.join(" "), t("invalidTodo")];
    }
    var message = problem.reason === "not_found" ? t("notFound") : problem.message || "";
    return [message, t("keptContact")];
  }

  function button(className, text, onClick) {
    var node = el("button", "btn btn-touch " + className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function entryCard(entry) {
    var conflict = entry.status !== "waiting";
    var card = el("div", "card mb-2 " + (conflict ? "border-danger" : "border-warning"));
    card.dataset.outboxEntry = entry.key;
    card.dataset.outboxStatus = entry.status;
    var body = el("div", "card-body p-2 p-sm-3");
    var head = el("div", "d-flex justify-content-between align-items-start gap-2");
    head.appendChild(el("div", "fw-semibold", entry.title));
    head.appendChild(el("span", "badge " + (conflict ? "text-bg-danger" : "text-bg-warning"),
      t(conflict ? "attention" : "waiting")));
    body.appendChild(head);
    body.appendChild(el("div", "small text-body-secondary", summary(entry)));
    if (String(entry.user) !== String(user)) {
      body.appendChild(el("div", "small mt-1", t("otherUser")));
    } else if (conflict) {
      var text = problemText(entry);
      var alert = el("div", "alert alert-danger small mt-2 mb-2");
      alert.setAttribute("data-outbox-problem", (entry.problem || {}).reason || entry.status);
      alert.appendChild(el("div", "", text[0]));
      if (text[1]) alert.appendChild(el("div", "fw-semibold mt-1", text[1]));
      body.appendChild(alert);
    }
    var actions = el("div", "d-flex flex-wrap gap-2 mt-2");
    var own = String(entry.user) === String(user);
    var problem = entry.problem || {};
    var open = null;
    var again = null;
    if (own && entry.status === "conflict" && correctable(problem)) {
      open = el("a", "btn btn-touch", t("openForm"));
      open.href = entry.action + "?restore=" + encodeURIComponent(entry.key);
      open.setAttribute("data-outbox-restore", "");
    }
    if (own && entry.status !== "waiting" && !(entry.status === "conflict" && problem.reason === "invalid")) {
      // The leader reopened the premises, it is back in the officer's grids, or the server is
      // well again: send again, with a fresh count of server errors.
      again = button("", t("tryAgain"), function () {
        entry.status = "waiting";
        entry.problem = null;
        entry.serverErrors = 0;
        Outbox.put(entry).then(sync);
      });
      again.setAttribute("data-outbox-retry", "");
    }
    // A server that failed may simply work again; a refused filing needs changing first.
    var first = problem.reason === "server_error" ? again : open || again;
    [first, first === open ? again : open].forEach(function (node) {
      if (!node) return;
      node.classList.add(node === first ? "btn-primary" : "btn-outline-primary");
      actions.appendChild(node);
    });
    if (own) {  // another officer's filing waits for them, untouched
      actions.appendChild(button("btn-outline-secondary", t("download"), function () {
        download(entry);
      }));
      actions.appendChild(button("btn-outline-danger", t("discard"), function () {
        if (window.confirm(t("confirmDiscard"))) Outbox.remove(entry.key).then(refresh);
      }));
    }
    body.appendChild(actions);
    card.appendChild(body);
    return card;
  }

  function renderOutbox(entries) {
    var list = document.querySelector("[data-outbox-list]");
    if (!list) return;
    list.replaceChildren.apply(list, entries.map(entryCard));
    var empty = document.querySelector("[data-outbox-empty]");
    if (empty) empty.classList.toggle("d-none", entries.length > 0);
  }

  function refresh() {
    return storage.then(function (ok) {
      if (!ok) return [];
      return Outbox.all().then(function (entries) {
        renderBadge(entries);
        renderOutbox(entries);
        return entries;
      });
    });
  }

  function setStatus(text) {
    document.querySelectorAll("[data-outbox-status]").forEach(function (node) {
      node.textContent = text;
    });
  }

  // A copy the officer keeps: one HTML file with the answers and the photos in it.
  function download(entry) {
    var escape = function (s) {
      return String(s).replace(/[&<>"]/g, function (c) {
        return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c];
      });
    };
    var rows = entry.fields.filter(function (pair) {
      return pair[1] && !/(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$|_kept$/.test(pair[0]);
    }).map(function (pair) {
      var label = entry.labels && entry.labels[pair[0].replace(/-[a-z_]+$/, "")];
      return "<tr><th>" + escape(pair[0]) + (label ? "<br><small>" + escape(label) + "</small>" : "") +
        "</th><td>" + escape(pair[1]) + "</td></tr>";
    });
    var photos = entry.files.map(function (file) {
      return new Promise(function (resolve) {
        var reader = new FileReader();
        reader.onload = function () {
          resolve("<figure><img src=\"" + reader.result + "\" style=\"max-width:100%\"><figcaption>" +
            escape(file.field + " " + file.name) + "</figcaption></figure>");
        };
        reader.readAsDataURL(new Blob([file.data], {type: file.type}));
      });
    });
    Promise.all(photos).then(function (figures) {
      var problem = entry.status === "waiting" ? "" : "<p>" + escape(problemText(entry).join(" ")) + "</p>";
      var html = "<!doctype html><meta charset=\"utf-8\"><title>" + escape(entry.title) + "</title>" +
        "<h1>" + escape(entry.title) + "</h1><p>" + escape(summary(entry)) + "<br>" +
        escape(entry.key) + "</p>" + problem + "<table border=\"1\" cellpadding=\"4\">" +
        rows.join("") + "</table>" + figures.join("");
      var link = el("a");
      link.href = URL.createObjectURL(new Blob([html], {type: "text/html"}));
      link.download = "gridwatch-" + entry.savedAt.slice(0, 10) + "-" + entry.key.slice(0, 8) + ".html";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  // Sending -------------------------------------------------------------------------------

  function scheduleRetry() {
    if (retryTimer || !navigator.onLine) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      sync();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 300000);
  }

  function registerBackgroundSync() {
    if (!("serviceWorker" in navigator) || !window.SyncManager) return;
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync.register(Outbox.SYNC_TAG);
    }).catch(function () {});
  }

  var syncing = null;
  function sync() {
    if (syncing) return syncing;
    syncing = busy(storage.then(function (ok) {
      if (!ok || !navigator.onLine) return null;
      return Outbox.all().then(function (entries) {
        if (!mine(entries).length) return null;
        setStatus(t("sending"));
        return Outbox.syncAll(options()).then(function (result) {
          if (result.retry) {
            scheduleRetry();
            registerBackgroundSync();
          } else {
            retryDelay = 10000;
          }
          setStatus(result.signin ? t("signin") : result.serverError ? t("serverBusy") :
            result.retry ? t("retry") :
            result.sent.length ? t("sent", {n: result.sent.length}) : "");
          result.sent.forEach(function (sent) { markSent(sent.key, sent.url); });
          return result;
        });
      });
    }).then(function (result) {
      syncing = null;
      return refresh().then(function () { return result; });
    }, function () {
      syncing = null;
    }));
    return syncing;
  }

  // The inspection form -------------------------------------------------------------------

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function decode(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  // A phone photo of 4-12 MB becomes a JPEG of at most 2048 px (~0.5 MB): it fits the phone's
  // storage and a weak signal. An <img> applies the EXIF orientation before it is drawn. What
  // the browser cannot decode (HEIC on some phones) is kept as it is; the server converts it.
  function shrink(file) {
    return decode(file).then(function (img) {
      var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      var canvas = el("canvas");
      canvas.width = Math.round(img.naturalWidth * scale);
      canvas.height = Math.round(img.naturalHeight * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).then(function (blob) {
      if (!blob || (blob.size >= file.size && /jpe?g$/i.test(file.type))) return file;
      return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg"});
    }).catch(function () { return file; });
  }

  function photo(field, file) {
    return shrink(file).then(function (small) {
      return small.arrayBuffer().then(function (buffer) {
        return {field: field, name: small.name, type: small.type || "application/octet-stream", data: buffer};
      });
    });
  }

  function entryFromForm(form) {
    // A deadline left at the default is sent empty, so the server counts it from the day the
    // filing arrives: a form kept overnight must not carry a deadline that is now in the past.
    var unchanged = {};
    form.querySelectorAll("input[type=date]").forEach(function (input) {
      if (input.name && input.value === input.defaultValue) unchanged[input.name] = true;
    });
    var labels = {};
    form.querySelectorAll(".checklist-item[id]").forEach(function (card) {
      var text = card.querySelector(".item-text");
      var code = card.querySelector(".small span");
      labels[card.id] = ((code ? code.textContent + " " : "") + (text ? text.textContent : "")).trim();
    });
    var fields = [];
    var files = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (typeof value === "string") fields.push([name, unchanged[name] ? "" : value]);
      else if (value && value.size) files.push([name, value]);
    });
    var title = form.dataset.title || (document.querySelector("h1") || {}).textContent || "";
    var action = new URL(form.getAttribute("action") || location.pathname, location.href).pathname;
    // One photo at a time: decoding several 12-megapixel photos at once can exhaust a cheap phone.
    return files.reduce(function (chain, pair) {
      return chain.then(function (done) {
        return photo(pair[0], pair[1]).then(function (p) { return done.concat([p]); });
      });
    }, Promise.resolve([])).then(function (photos) {
      return {
        key: form.querySelector("input[name=idempotency_key]").value,
        user: user,
        action: action,
        title: title.trim(),
        fields: fields,
        files: photos,
        labels: labels,
        savedAt: new Date().toISOString(),
        status: "waiting",
        problem: null,
        attempts: 0,
      };
    });
  }

  function formNotice(form, className, lines, withActions) {
    var box = form.parentNode.querySelector("[data-offline-form-notice]");
    if (!box) {
      box = el("div");
      box.setAttribute("data-offline-form-notice", "");
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form);
    }
    box.className = "alert " + className;
    box.replaceChildren();
    lines.forEach(function (line, i) { box.appendChild(el("div", i ? "mt-1" : "fw-semibold", line)); });
    if (withActions) {
      var actions = el("div", "d-flex flex-wrap gap-2 mt-2");
      actions.appendChild(button("btn-primary", t("sendNow"), function () { sync(); }));
      var back = el("a", "btn btn-outline-secondary btn-touch", t("myPremises"));
      back.href = data.premises;
      actions.appendChild(back);
      box.appendChild(actions);
    }
    box.scrollIntoView({block: "start"});
    return box;
  }

  function markErrors(form, problem) {
    form.querySelectorAll("[data-offline-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".border-danger").forEach(function (node) { node.classList.remove("border-danger"); });
    Object.keys(problem.errors || {}).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      var card = field && field.closest(".card");
      var anchor = field && (field.closest(".mb-3, .answer-group, .photo-input") || field);
      problem.errors[name].forEach(function (message) {
        var note = el("div", "invalid-feedback d-block", message);
        note.setAttribute("data-offline-error", "");
        if (anchor) anchor.insertAdjacentElement("afterend", note);
      });
      if (card) card.classList.add("border-danger");
    });
  }

  function enable(form, on) {
    var submit = form.querySelector("[data-submit]");
    if (submit) {
      submit.disabled = !on;
      submit.classList.toggle("disabled", !on);
    }
  }

  function afterSend(form, entry, result) {
    if (result.outcome === "filed") {
      location.assign(result.url);
      return;
    }
    enable(form, true);
    if (result.outcome === "conflict" && result.problem.reason === "invalid") {
      markErrors(form, result.problem);
      formNotice(form, "alert-danger", [t("fixErrors")].concat(result.problem.problems || []));
    } else if (result.outcome === "conflict") {
      entry.problem = result.problem;
      entry.status = "conflict";
      var text = problemText(entry);
      var box = formNotice(form, "alert-danger", text);
      var link = el("a", "btn btn-outline-danger btn-touch mt-2", t("attention"));
      link.href = data.outbox;
      box.appendChild(link);
      form.classList.add("d-none");
    } else {
      var more = result.outcome === "signin" ? t("signin") : result.serverError ? t("serverBusy") : "";
      formNotice(form, "alert-warning", [t("savedOffline"), more], true);
      form.classList.add("d-none");
      if (result.outcome === "retry") scheduleRetry();
    }
  }

  // Called by inspection.js from the form's submit event. Returns false to let the browser
  // post the form as usual (no IndexedDB here).
  function takeOver(form, event) {
    if (document.documentElement.dataset.offlineStorage !== "yes") return false;
    event.preventDefault();
    formNotice(form, "alert-secondary", [t("saving")]);
    entryFromForm(form).then(function (entry) {
      return Outbox.put(entry).then(function () {
        if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
        refresh();
        if (!navigator.onLine) {
          registerBackgroundSync();
          return afterSend(form, entry, {outcome: "retry"});
        }
        formNotice(form, "alert-secondary", [t("sending")]);
        return Outbox.sendOne(entry, options()).then(function (result) {
          if (result.outcome === "retry") registerBackgroundSync();
          refresh();
          afterSend(form, entry, result);
        });
      });
    }).catch(function () {
      // The phone could not keep it (storage full or refused): post the form the usual way.
      document.documentElement.dataset.offlineStorage = "no";
      form.submit();
    });
    return true;
  }

  function markSent(key, url) {
    var form = document.querySelector("[data-inspection-form]");
    var keyInput = form && form.querySelector("input[name=idempotency_key]");
    if (!keyInput || keyInput.value !== key) return;
    var box = formNotice(form, "alert-success", [t("sent", {n: 1})]);
    var link = el("a", "btn btn-success btn-touch mt-2", t("open"));
    link.href = url;
    box.appendChild(link);
  }

  // Filling the current form again from a kept filing ("open the current form") ------------

  function setField(form, name, value) {
    var field = form.elements.namedItem(name);
    if (!field) return false;
    if (field instanceof RadioNodeList) {
      Array.prototype.forEach.call(field, function (input) {
        if (input.type === "radio" || input.type === "checkbox") input.checked = input.value === value;
      });
      if (field[0] && field[0].type !== "radio" && field[0].type !== "checkbox") field[0].value = value;
    } else if (field.type === "checkbox") {
      field.checked = true;
    } else if (field.type !== "file") {
      field.value = value;
    }
    return true;
  }

  function setFiles(input, files) {
    if (!input || !window.DataTransfer) return false;
    try {
      var transfer = new DataTransfer();
      files.forEach(function (f) { transfer.items.add(new File([f.data], f.name, {type: f.type})); });
      input.files = transfer.files;
      return true;
    } catch (error) {
      return false;
    }
  }

  function addExtra(form) {
    var add = form.querySelector("[data-add-extra]");
    if (add) add.click();
    var cards = form.querySelectorAll("[data-extra-list] .extra-hazard");
    return cards.length ? cards[cards.length - 1] : null;
  }

  // Findings of items no longer on the form become "other hazards", with their photos.
  function keepLeftovers(form, entry, leftovers) {
    Object.keys(leftovers).forEach(function (prefix) {
      var left = leftovers[prefix];
      if (left.answer !== "fail" && !left.files.length) return;
      var card = addExtra(form);
      if (!card) return;
      var extra = card.querySelector("[name$='-description']").name.replace(/-description$/, "");
      var label = t("leftover", {item: (entry.labels || {})[prefix] || prefix});
      setField(form, extra + "-description", label + (left.description ? " — " + left.description : ""));
      if (left.location) setField(form, extra + "-location", left.location);
      setFiles(form.querySelector("[name='" + extra + "-photos']"), left.files);
    });
  }

  function restore(form, entry) {
    var extras = entry.fields.filter(function (p) { return p[0] === "extra-TOTAL_FORMS"; })[0];
    var wanted = extras ? parseInt(extras[1], 10) : 0;
    while (form.querySelectorAll("[data-extra-list] .extra-hazard").length < wanted) {
      if (!addExtra(form)) break;
    }
    var leftovers = {};
    var leftover = function (name) {
      var prefix = name.replace(/-[a-z_]+$/, "");
      leftovers[prefix] = leftovers[prefix] || {files: []};
      return leftovers[prefix];
    };
    entry.fields.forEach(function (pair) {
      if (pair[0] === "idempotency_key" || !pair[1]) return;
      if (!setField(form, pair[0], pair[1]) && /^item-\d+-/.test(pair[0])) {
        leftover(pair[0])[pair[0].split("-").pop()] = pair[1];
      }
    });
    var byField = {};
    entry.files.forEach(function (f) { (byField[f.field] = byField[f.field] || []).push(f); });
    Object.keys(byField).forEach(function (name) {
      if (!setFiles(form.querySelector("input[type=file][name='" + name + "']"), byField[name])) {
        leftover(name).files = leftover(name).files.concat(byField[name]);
      }
    });
    keepLeftovers(form, entry, leftovers);
    // The same key: if the first send did reach the server after all, this files nothing twice.
    form.querySelector("input[name=idempotency_key]").value = entry.key;
    form.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
      radio.dispatchEvent(new Event("change", {bubbles: true}));
    });
    var problem = entry.problem || {};
    if (problem.reason === "invalid") markErrors(form, problem);
    // Why it came back, when the server gave no errors by field to mark.
    var why = correctable(problem) && problem.reason !== "invalid" ? [problemText(entry)[0]] : [];
    formNotice(form, "alert-info", [t("restored")].concat(why));
  }

  // The shell (offline-shell.js) calls this once it has drawn the form; a server page at once.
  function formReady(form) {
    var key = new URLSearchParams(location.search).get("restore");
    if (!key) return;
    storage.then(function (ok) { return ok ? Outbox.get(key) : null; }).then(function (entry) {
      if (entry && String(entry.user) === String(user)) restore(form, entry);
    });
  }

  window.GridwatchOffline = {takeOver: takeOver, formReady: formReady, sync: sync, uuid4: uuid4};

  // Start ---------------------------------------------------------------------------------

  document.documentElement.dataset.offlineIdle = "no";
  pending += 1;  // the start below
  var started = detect().then(function (ok) {
    if (ok) {
      Outbox.setMeta("user", user).catch(function () {});
      Outbox.setMeta("login", data.login).catch(function () {});
    }
    return refresh();
  }).then(function () {
    return sync();
  });
  // After the page's own files have loaded, so the worker's precache finds them in the HTTP
  // cache instead of fetching them a second time. Without a worker no page opens offline, so
  // there is no offline data to keep either.
  var loaded = new Promise(function (resolve) {
    if (document.readyState === "complete") resolve(); else window.addEventListener("load", resolve);
  });
  var prepared = Promise.all([forgetOtherUser(), loaded]).then(register).then(function (registration) {
    return registration ? navigator.serviceWorker.ready.then(function () {
      return refreshOfflineData(false);
    }) : null;
  });
  busy(Promise.all([started, prepared]));
  pending -= 1;
  forgetOnLogout();
  window.addEventListener("online", function () {
    retryDelay = 10000;
    sync();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) refreshOfflineData(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") sync();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-outbox-send]")) sync();
  });
  var form = document.querySelector("[data-inspection-form]:not([data-shell-form])");
  if (form) formReady(form);
})();
