// The outbox: filings kept on the phone (IndexedDB) until the server has them, exactly once
// (issue: field work without signal). Used by the page (static/js/offline.js) and by the
// service worker (Background Sync), so it touches neither the DOM nor `document`.
//
// An entry: {key (the form's idempotency key), user, action (the form's URL), premises,
// title, fields: [[name, value]...], files: [{field, name, type, data: ArrayBuffer}],
// labels: {prefix: text}, savedAt (ISO), status: "waiting" | "conflict" | "signin",
// problem: {reason, message, errors, problems} | null, attempts}.
// Photos are kept as ArrayBuffers: older Safari cannot store Blobs in IndexedDB.
(function (root) {
  "use strict";

  var DB_NAME = "gridwatch";
  var STORE = "outbox";
  var META = "meta";
  var SYNC_TAG = "gridwatch-outbox";
  var SEND_TIMEOUT_MS = 120000;
  var dbPromise = null;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
        var req = root.indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore(STORE, {keyPath: "key"});
          req.result.createObjectStore(META, {keyPath: "name"});
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
        req.onblocked = function () { reject(new Error("IndexedDB blocked")); };
      });
      dbPromise.catch(function () { dbPromise = null; });
    }
    return dbPromise;
  }

  function withStore(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        Promise.resolve(work(tx.objectStore(name))).then(function (value) { result = value; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function all() {
    return withStore(STORE, "readonly", function (store) { return request(store.getAll()); })
      .then(function (entries) {
        return entries.sort(function (a, b) { return a.savedAt < b.savedAt ? -1 : 1; });
      });
  }

  function get(key) {
    return withStore(STORE, "readonly", function (store) { return request(store.get(key)); });
  }

  function put(entry) {
    return withStore(STORE, "readwrite", function (store) { return request(store.put(entry)); });
  }

  function remove(key) {
    return withStore(STORE, "readwrite", function (store) { return request(store.delete(key)); });
  }

  function getMeta(name) {
    return withStore(META, "readonly", function (store) { return request(store.get(name)); })
      .then(function (row) { return row ? row.value : null; });
  }

  function setMeta(name, value) {
    return withStore(META, "readwrite", function (store) {
      return request(value === null ? store.delete(name) : store.put({name: name, value: value}));
    });
  }

  function formData(entry) {
    var data = new FormData();
    entry.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    entry.files.forEach(function (file) {
      data.append(file.field, new Blob([file.data], {type: file.type}), file.name);
    });
    // When the phone kept it: the server records the visit at that time (within a week).
    data.append("visited_at", entry.savedAt);
    return data;
  }

  function json(response) {
    var type = response.headers.get("Content-Type") || "";
    return type.indexOf("application/json") === 0 ? response.json() : Promise.resolve(null);
  }

  // One POST. Resolves {outcome: "filed"|"conflict"|"signin"|"retry", url, problem}; never
  // rejects. The server answers a key it has already filed with "filed", so sending twice after
  // a lost answer files once.
  function send(entry, options) {
    var controller = root.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    return fetch(entry.action, {
      method: "POST",
      body: formData(entry),
      credentials: "same-origin",
      headers: {"X-CSRFToken": options.csrf || "", "Accept": "application/json"},
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      var path = new URL(response.url, root.location.href).pathname;
      if (response.redirected && options.login && path.indexOf(options.login) === 0) {
        return {outcome: "signin"};
      }
      return json(response).then(function (body) {
        if (response.ok && body && body.status === "filed") {
          return {outcome: "filed", url: body.inspection};
        }
        if (response.status === 400 && body) {
          return {outcome: "conflict", problem: {
            reason: "invalid", errors: body.errors || {}, problems: body.problems || [],
          }};
        }
        if (body && body.status === "conflict") {
          return {outcome: "conflict", problem: {reason: body.reason, message: body.message}};
        }
        if (response.status === 404) {
          return {outcome: "conflict", problem: {reason: "not_found"}};
        }
        // 403 without JSON is Django's CSRF refusal: the session ended or the token changed.
        if (response.status === 403) return {outcome: "signin"};
        return {outcome: "retry", status: response.status};
      });
    }).catch(function () {
      return {outcome: "retry"};
    }).then(function (result) {
      if (timer) clearTimeout(timer);
      return result;
    });
  }

  function record(entry, result) {
    if (result.outcome === "filed") return remove(entry.key);
    entry.attempts = (entry.attempts || 0) + 1;
    if (result.outcome === "conflict") {
      entry.status = "conflict";
      entry.problem = result.problem;
    } else if (result.outcome === "signin") {
      entry.status = "signin";
    } else {
      entry.status = "waiting";
    }
    return put(entry);
  }

  function locked(work) {
    var locks = root.navigator && root.navigator.locks;
    if (locks && locks.request) return locks.request("gridwatch-outbox", work);
    return work();
  }

  // Send one filing now (the form just saved), under the same lock as syncAll.
  function sendOne(entry, options) {
    return locked(function () {
      return send(entry, options).then(function (result) {
        return record(entry, result).then(function () { return result; });
      });
    });
  }

  // Send every waiting filing of this user, one at a time, under a lock shared by the tabs and
  // the service worker. Stops at the first network failure: the signal is gone.
  // Resolves {sent: [{key, url}], conflicts, retry: bool, signin: bool}.
  function syncAll(options) {
    return locked(function () {
      return all().then(function (entries) {
        var mine = entries.filter(function (e) {
          return String(e.user) === String(options.user) && e.status !== "conflict";
        });
        var summary = {sent: [], conflicts: 0, retry: false, signin: false};
        return mine.reduce(function (chain, entry) {
          return chain.then(function () {
            if (summary.retry || summary.signin) return null;
            return get(entry.key).then(function (current) {
              if (!current || current.status === "conflict") return null;  // gone meanwhile
              return send(current, options).then(function (result) {
                if (result.outcome === "filed") summary.sent.push({key: current.key, url: result.url});
                if (result.outcome === "conflict") summary.conflicts += 1;
                if (result.outcome === "retry") summary.retry = true;
                if (result.outcome === "signin") summary.signin = true;
                return record(current, result);
              });
            });
          });
        }, Promise.resolve()).then(function () { return summary; });
      });
    });
  }

  function csrfFromCookieStore() {
    var store = root.cookieStore;
    if (!store || !store.get) return Promise.resolve(null);
    return store.get("csrftoken").then(function (c) { return c ? c.value : null; })
      .catch(function () { return null; });
  }

  // The service worker's send: the page records who is signed in and where the login page is.
  function syncFromWorker() {
    return Promise.all([getMeta("user"), getMeta("login"), csrfFromCookieStore()])
      .then(function (found) {
        if (!found[0] || !found[2]) return {sent: [], retry: false};
        return syncAll({user: found[0], login: found[1], csrf: found[2]});
      });
  }

  root.GridwatchOutbox = {
    SYNC_TAG: SYNC_TAG,
    open: open,
    all: all,
    get: get,
    put: put,
    remove: remove,
    getMeta: getMeta,
    setMeta: setMeta,
    send: send,
    record: record,
    sendOne: sendOne,
    syncAll: syncAll,
    syncFromWorker: syncFromWorker,
  };
})(self);
