// The outbox: filings kept on the phone (IndexedDB) until the server has them, exactly once
// (docs/workflow.md, Offline). Used by the page (static/js/offline.js) and by the
// service worker (Background Sync), so it touches neither the DOM nor `document`.
//
// An entry: {key (the form's idempotency key), user, action (the form's URL), premises,
// title, fields: [[name, value]...], files: [{field, name, type, data: ArrayBuffer}],
// labels: {prefix: text}, savedAt (ISO), status: "waiting" | "conflict" | "signin",
// problem: {reason, message, errors, problems, status} | null, attempts, serverErrors}.
// Photos are kept as ArrayBuffers: older Safari cannot store Blobs in IndexedDB.
//
// Nothing is sent again and again for ever: an answer that will be the same for the same body
// (a 4xx, or a 5xx that keeps coming back) makes the entry a conflict the officer sees and
// settles (correct, try again or discard). Only a missing signal waits without limit.
(function (root) {
  "use strict";

  var DB_NAME = "gridwatch";
  var STORE = "outbox";
  var META = "meta";
  var SYNC_TAG = "gridwatch-outbox";
  var SEND_TIMEOUT_MS = 120000;
  // A server error can pass (a deploy, an overloaded moment) or be caused by this very filing,
  // and then repeats: after this many in a row the officer decides instead of the phone.
  var MAX_SERVER_ERRORS = 3;
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

  // One POST. Resolves {outcome: "filed"|"conflict"|"signin"|"retry", url, problem, status,
  // serverError, network}; never rejects. The server answers a key it has already filed with
  // "filed", so sending twice after a lost answer files once.
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
        // A timeout or "too many requests" says nothing about the filing: send it later.
        if (response.status === 408 || response.status === 429) {
          return {outcome: "retry", status: response.status};
        }
        // Any other 4xx refuses the body itself (Django's 400 for a request over its limits, a
        // proxy's 413): the same body would be refused again, so only the officer can help.
        if (response.status >= 400 && response.status < 500) {
          return {outcome: "conflict", problem: {reason: "refused", status: response.status}};
        }
        if (response.status >= 500) {
          return {outcome: "retry", status: response.status, serverError: true};
        }
        return {outcome: "retry", status: response.status};
      });
    }).catch(function () {
      // No answer at all: the signal is gone, which says nothing about the filing.
      return {outcome: "retry", network: true};
    }).then(function (result) {
      if (timer) clearTimeout(timer);
      return result;
    });
  }

  // Counts server errors in a row on the entry; the last one allowed turns the result into a
  // conflict, which no automatic send picks up again (syncAll skips conflicts). Any other
  // answer ends the run; a network failure is no answer and leaves the count as it is.
  function judge(entry, result) {
    if (result.serverError) {
      entry.serverErrors = (entry.serverErrors || 0) + 1;
      if (entry.serverErrors < MAX_SERVER_ERRORS) return result;
      return {outcome: "conflict", problem: {reason: "server_error", status: result.status}};
    }
    if (!result.network) entry.serverErrors = 0;
    return result;
  }

  // Keeps the outcome of a send on the entry. Resolves the result as recorded: a repeated
  // server error comes back as the conflict it became.
  function record(entry, result) {
    if (result.outcome === "filed") return remove(entry.key).then(function () { return result; });
    result = judge(entry, result);
    entry.attempts = (entry.attempts || 0) + 1;
    if (result.outcome === "conflict") {
      entry.status = "conflict";
      entry.problem = result.problem;
    } else if (result.outcome === "signin") {
      entry.status = "signin";
    } else {
      entry.status = "waiting";
    }
    return put(entry).then(function () { return result; });
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
        return record(entry, result);
      });
    });
  }

  // Send every waiting filing of this user, one at a time, under a lock shared by the tabs and
  // the service worker. Stops at the first network failure: the signal is gone. Stops at a
  // server error too: while the server itself is down, only the first filing in line counts
  // errors, instead of every filing running out of them together.
  // Resolves {sent: [{key, url}], conflicts, retry: bool, serverError: bool, signin: bool}.
  function syncAll(options) {
    return locked(function () {
      return all().then(function (entries) {
        var mine = entries.filter(function (e) {
          return String(e.user) === String(options.user) && e.status !== "conflict";
        });
        var summary = {sent: [], conflicts: 0, retry: false, serverError: false, signin: false};
        return mine.reduce(function (chain, entry) {
          return chain.then(function () {
            if (summary.retry || summary.signin) return null;
            return get(entry.key).then(function (current) {
              if (!current || current.status === "conflict") return null;  // gone meanwhile
              return send(current, options).then(function (result) {
                return record(current, result);
              }).then(function (result) {
                if (result.outcome === "filed") summary.sent.push({key: current.key, url: result.url});
                if (result.outcome === "conflict") summary.conflicts += 1;
                if (result.outcome === "retry") summary.retry = true;
                if (result.outcome === "retry" && result.serverError) summary.serverError = true;
                if (result.outcome === "signin") summary.signin = true;
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
    MAX_SERVER_ERRORS: MAX_SERVER_ERRORS,
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
