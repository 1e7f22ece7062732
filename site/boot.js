// Boot owns the page until Python draws: it shows progress by stage, starts PyScript, and turns any
// failure to start (a 404, a blocked CDN, an exception in Python) into a plain-words error with a Retry button.

const STAGES = {
  runtime: { text: "Loading Python runtime…", step: 1, failure: "Could not load the Python runtime" },
  numpy: { text: "Loading numpy…", step: 2, failure: "Could not load numpy" },
  app: { text: "Starting the app…", step: 3, failure: "Could not start the app" },
};

const body = document.body;
const status = document.getElementById("boot-status");
const bar = document.getElementById("boot-bar");
const errorPanel = document.getElementById("boot-error");
const errorMessage = document.getElementById("boot-error-message");
const retry = document.getElementById("boot-retry");

function setStage(stage) {
  const { text, step } = STAGES[stage];
  body.dataset.stage = stage;
  status.textContent = text;
  bar.value = step;
}

// The first failure is the cause; anything after it is an echo, so it only goes to the console.
function fail(message) {
  console.error(`gradcanvas: ${message}`);
  if (body.dataset.state === "error") return;
  body.dataset.state = "error";
  errorMessage.textContent = message;
  errorPanel.hidden = false;
}

// The controls exist from the first paint, but do nothing until Python is there to answer them.
function ready() {
  if (body.dataset.state !== "loading") return;
  body.dataset.state = "ready";
  // Python is up: its controls work, except those the app holds disabled on purpose (data-held).
  for (const control of document.querySelectorAll("[data-action], [data-setting], [data-file]")) {
    if (!control.hasAttribute("data-held")) control.disabled = false;
  }
  keepOffline();
}

// A visit that started leaves an offline copy (offline.js): the worker is registered now, and told every file
// this visit loaded before it was there. body's data-offline says "kept" once the copy is whole.
async function keepOffline() {
  if (!("serviceWorker" in navigator)) return;
  try {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data?.kept) body.dataset.offline = "kept";
    });
    await navigator.serviceWorker.register("./offline.js");
    const { active } = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    active.postMessage({ keep: [location.href, ...loaded] });
  } catch (error) {
    console.info(`gradcanvas: no offline copy (${error})`);  // the page works as it is; only later visits miss it
  }
}

// The page says when it runs with no network: everything comes from this browser's copy.
function showOffline() {
  document.getElementById("offline-note").hidden = navigator.onLine;
}
addEventListener("online", showOffline);
addEventListener("offline", showOffline);
showOffline();

// Browsers report a failed download as a bare "Failed to fetch"; remembering the first one that failed
// (Pyodide and PyScript download everything with fetch) lets the error say which file it was.
let failedDownload = "";
const browserFetch = window.fetch;
window.fetch = async (resource, options) => {
  const url = new URL(resource instanceof Request ? resource.url : resource, location.href).href;
  try {
    const response = await browserFetch(resource, options);
    if (!response.ok) failedDownload ||= `${url} (HTTP ${response.status})`;
    return response;
  } catch (error) {
    failedDownload ||= url;
    throw error;
  }
};

function describe(reason) {
  const message = reason instanceof Error ? reason.message : String(reason);
  const importedURL = message.match(/Failed to fetch dynamically imported module: (\S+)/)?.[1];
  const download = failedDownload || importedURL;
  return download ? `could not download ${download}. Check your connection, then press Retry.` : message;
}

// Before the first frame, an uncaught error can only mean the page failed to start; after it, the app
// reports its own errors through fail(), so a stray error elsewhere does not hide a working picture.
function failWhileLoading(reason) {
  if (body.dataset.state === "loading") fail(`${STAGES[body.dataset.stage].failure}: ${describe(reason)}`);
}

// After the first frame the app reports its own errors, unless the interpreter itself died (Pyodide marks
// that error with pyodide_fatal_error and refuses every later call): then no Python can run again, and
// only a reload helps.
function failIfPythonDied(reason) {
  const text = String(reason?.message ?? reason);
  if (reason?.pyodide_fatal_error || /Pyodide already (fatally failed|exited)/.test(text)) {
    fail(`Python stopped with a fatal error and cannot continue (${text.split("\n")[0]}). Press Retry to start again.`);
  }
}

// PyScript hands an uncaught Python exception (or a main.py it could not download) to its stderr as an
// Error; plain text there is Python writing to sys.stderr (a warning, say), which is not a failure.
function reportPythonErrors(wrap) {
  const stderr = wrap.io.stderr;
  wrap.io.stderr = (output, ...rest) => {
    if (output instanceof Error) {
      const lastLine = output.message.trim().split("\n").pop();
      const reason = output.name === "PythonError" ? `Python stopped with ${lastLine}` : describe(output);
      fail(`Could not start the app: ${reason}`);
    }
    return stderr(output, ...rest);
  };
}

// A Path2D through flat x, y coordinates (a Float64Array), for the Python painters' curves: a loop here
// costs a fifth of formatting the points as SVG path data in Python and parsing that here.
function polyline(coordinates) {
  const path = new Path2D();
  path.moveTo(coordinates[0], coordinates[1]);
  for (let i = 2; i < coordinates.length; i += 2) path.lineTo(coordinates[i], coordinates[i + 1]);
  return path;
}

window.gradcanvas = { setStage, fail, ready, polyline, frameTimes: [] };
body.dataset.state = "loading";
setStage("runtime");
retry.addEventListener("click", () => location.reload());
addEventListener("error", (event) => {
  failWhileLoading(event.error ?? event.message);
  failIfPythonDied(event.error ?? event.message);
});
addEventListener("unhandledrejection", (event) => {
  // Shown on the page and logged by fail(): the browser's "Uncaught (in promise)" would only repeat it.
  if (body.dataset.state === "loading") event.preventDefault();
  failWhileLoading(event.reason);
  failIfPythonDied(event.reason);
});

// Some browsers refuse IndexedDB to a page embedded from another site (Chrome's incognito windows, Safari, Firefox
// with strict privacy). PyScript keeps its package cache there and cannot start without it, so when the browser
// refuses, PyScript gets a database kept in memory for this visit instead: nothing is cached between visits, and
// everything else works. It answers the calls PyScript makes (its IDBMap: open, then one object store's count,
// clear, delete, get, getKey, getAllKeys and put), each asynchronously, as IndexedDB does.
function memoryIndexedDB() {
  const databases = new Map();
  const answer = (result) => {
    const request = { result };
    setTimeout(() => request.onsuccess?.({ target: request }));
    return request;
  };
  const store = (entries) => ({
    count: () => answer(entries.size),
    clear: () => answer(entries.clear()),
    delete: (key) => answer(entries.delete(key)),
    get: (key) => answer(entries.get(key)),
    getKey: (key) => answer(entries.has(key) ? key : undefined),
    getAllKeys: () => answer([...entries.keys()]),
    put: (value, key) => answer((entries.set(key, value), key)),
  });
  return {
    open(name) {
      if (!databases.has(name)) databases.set(name, new Map());
      const entries = databases.get(name);
      return answer({
        objectStoreNames: { length: 1 },
        close() {},
        transaction: () => ({ objectStore: () => store(entries) }),
      });
    },
  };
}

// Whether IndexedDB answers: a refusal comes as an error, or (in a frame of about:blank's page) as no answer at all.
async function indexedDBWorks() {
  try {
    await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("IndexedDB did not answer")), 2000);
      const request = indexedDB.open("gradcanvas-probe");
      request.onsuccess = () => { request.result.close(); indexedDB.deleteDatabase("gradcanvas-probe"); resolve(); };
      request.onerror = (event) => { event.preventDefault(); reject(request.error); };
    });
    return true;
  } catch {
    return false;
  }
}

if (!(await indexedDBWorks())) {
  Object.defineProperty(globalThis, "indexedDB", { value: memoryIndexedDB(), configurable: true });
  console.info("gradcanvas: this browser keeps no IndexedDB for an embedded page; PyScript caches in memory");
}

try {
  // Importing PyScript here, not from a <script> tag, lets boot see it fail and hook it before Python runs.
  const { hooks, config } = await import("./pyscript/core.js");
  // A settings file PyScript could not read leaves no config and starts nothing, silently.
  if (!config.py) failWhileLoading("PyScript could not read its settings, ./pyscript.json");
  hooks.main.onReady.add(reportPythonErrors);
} catch (error) {
  failWhileLoading(error);
}
