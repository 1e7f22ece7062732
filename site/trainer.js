// The training worker: a Python of its own (the Pyodide and numpy the page uses, and the app's code) running
// app/training/trainer.py beside the page, so training never waits for the drawing, nor the drawing for it.
// It reads the page's messages between slices of training; each message is {kind, data: bytes}.

const SLICE_MS = 8; // training between two looks at the page's messages: a stop is heard within about this

let pyodide = null;
let trainer = null;
let looping = false;
const pending = [];

// Python's bytes, copied out of its memory into a buffer of their own, which postMessage then hands over.
function send(kind, data) {
  const view = data.getBuffer("u8");
  const bytes = view.data.slice();
  view.release();
  postMessage({ kind, data: bytes }, [bytes.buffer]);
}

// A yield to the worker's message queue with no timer clamp (a message posted to ourselves), or, when the
// Speed control asks for fewer epochs than the worker could train, a rest until the next one is due.
const channel = new MessageChannel();
const yieldToMessages = () => new Promise((resolve) => {
  channel.port1.onmessage = resolve;
  channel.port2.postMessage(null);
});
const rest = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function train() {
  if (looping) return;
  looping = true;
  while (trainer.train_for(SLICE_MS)) {
    const due = trainer.rest_ms();
    await (due > 1 ? rest(due) : yieldToMessages());
  }
  looping = false;
}

onmessage = ({ data }) => {
  if (data.kind === "memory") { // for the benchmarks: this worker's interpreter's memory, in bytes
    postMessage({ kind: "memory", data: String(pyodide ? pyodide._module.HEAP8.length : 0) });
    return;
  }
  if (!trainer) {
    pending.push(data);
    return;
  }
  trainer.receive(data.kind, data.data);
  if (trainer.training) train();
};

try {
  const config = await (await fetch("./pyscript.json")).json();
  const interpreter = new URL(config.interpreter, location.href);
  const { loadPyodide } = await import(interpreter.href);
  pyodide = await loadPyodide({ indexURL: new URL(".", interpreter).href });
  await pyodide.loadPackage("numpy");
  const app = await fetch("./app.zip");
  if (!app.ok) throw new Error(`could not download app.zip (HTTP ${app.status})`);
  pyodide.unpackArchive(await app.arrayBuffer(), "zip");
  trainer = pyodide.pyimport("app.training.trainer").Trainer(send);
  postMessage({ kind: "ready", data: "" });
  for (const data of pending.splice(0)) onmessage({ data });
} catch (error) {
  postMessage({ kind: "failed", data: `the training worker could not start its Python: ${error.message ?? error}` });
}
