// Pictures and clips of the playground: draws canvases side by side with a caption under them, and turns
// that into a PNG (canvas.toBlob), a video (MediaRecorder on a canvas stream) or a GIF (gifenc, vendored
// from npm by build.py), downloaded through an <a download>. Python decides which canvases, what the
// caption says and when a clip starts and stops (app/capture/, through app/browser/); this module only
// moves pixels and writes files.
import { GIFEncoder, applyPalette, quantize } from "gifenc";

const GAP = 12;          // CSS pixels around and between the canvases
const FONT = 13;         // the caption's font size and line height, in CSS pixels
const LINE = 18;
const MAX_WIDTH = { video: 1280, gif: 640 };  // pixels; encoders slow down, and GIFs grow, with the area
const GIF_FRAME_MS = 100;                     // 10 frames a second keeps a GIF small and still smooth
const VIDEO_FPS = 30;
// On a busy machine Chromium's recorder runs behind, and stop() drops the frames it has not taken in yet (a
// 3 s clip came out 0.7 s long on a loaded 2-core machine). A second with no new frames before stopping let
// it catch up in some runs, not all: recording is real-time.
const VIDEO_DRAIN_MS = 1000;
// Chromium and Firefox record WebM; Safari only MP4, which is better than nothing.
const VIDEO_TYPES = [["video/webm;codecs=vp8", "webm"], ["video/webm", "webm"], ["video/mp4", "mp4"]];

let clip = null;  // the video or GIF under way

// The composed picture's size in pixels when each source keeps `factor` of its own pixels: the sources
// side by side with a gap around them, then room for the caption's lines (wrapped to the width).
function arrange(context, sources, lines, factor) {
  const unit = (sources[0].width / Math.max(1, sources[0].clientWidth)) * factor;  // pixels per CSS pixel
  const gap = Math.round(GAP * unit);
  const slots = [];
  let x = gap;
  for (const source of sources) {
    const width = Math.floor(source.width * factor), height = Math.floor(source.height * factor);
    slots.push({ source, x, width, height });
    x += width + gap;
  }
  context.font = `${FONT * unit}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  const wrapped = lines.map((line) => wrap(context, line, x - 2 * gap));
  const top = gap + Math.max(...slots.map((slot) => slot.height)) + gap;
  return { unit, gap, slots, wrapped, width: x, height: top + wrapped.flat().length * Math.round(LINE * unit) + gap, top };
}

// Words of `text` in lines no wider than `width` pixels in the context's font.
function wrap(context, text, width) {
  const lines = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && context.measureText(`${lines[last]} ${word}`).width <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

// Draws the sources and the caption into `target`, sized to fit; returns the target.
function compose(target, sources, lines, factor) {
  const context = target.getContext("2d");
  const plan = arrange(context, sources, lines, factor);
  if (target.width !== plan.width || target.height !== plan.height) {
    target.width = plan.width;
    target.height = plan.height;
  }
  const page = getComputedStyle(sources[0].closest(".panel") ?? document.body);
  context.fillStyle = page.backgroundColor;
  context.fillRect(0, 0, plan.width, plan.height);
  for (const { source, x, width, height } of plan.slots) {
    context.fillStyle = getComputedStyle(source).backgroundColor;  // what shows through the canvas's clear pixels
    context.fillRect(x, plan.gap, width, height);
    context.drawImage(source, x, plan.gap, width, height);
  }
  context.font = `${FONT * plan.unit}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  context.textBaseline = "top";
  let y = plan.top;
  plan.wrapped.forEach((rows, index) => {
    // The settings in the text colour, the progress below them in the muted one, as on the page.
    context.fillStyle = index === 0 ? page.color : page.getPropertyValue("--muted").trim() || page.color;
    for (const row of rows) {
      context.fillText(row, plan.gap, y);
      y += Math.round(LINE * plan.unit);
    }
  });
  return target;
}

function canvases(ids) {
  return Array.from(ids, (id) => document.getElementById(id));
}

// The share of the sources' pixels that keeps the composed picture within `maxWidth` pixels (the slots round
// down, the gaps to the nearest pixel: the two spare pixels absorb that).
function fitting(sources, lines, maxWidth) {
  const natural = arrange(document.createElement("canvas").getContext("2d"), sources, lines, 1).width;
  return natural <= maxWidth ? 1 : (maxWidth - 2) / natural;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// Saves a PNG of the canvases (each at its own pixel density) with the caption; returns [width, height].
function saveImage(ids, lines, name) {
  const picture = compose(document.createElement("canvas"), canvases(ids), Array.from(lines), 1);
  picture.toBlob((blob) => blob && download(blob, name), "image/png");
  return [picture.width, picture.height];
}

// Starts a clip of the canvases: "video" or "gif". Returns the file's extension, or "" when this browser
// cannot record that kind (no MediaRecorder, or none of its formats).
function startClip(kind, ids, stem) {
  finishClip();
  const sources = canvases(ids);
  const target = document.createElement("canvas");
  target.getContext("2d", { willReadFrequently: kind === "gif" });  // a GIF reads every frame back
  clip = { kind, sources, target, scratch: document.createElement("canvas"), stem, frames: 0, factor: null };
  if (kind === "gif") {
    Object.assign(clip, { encoder: GIFEncoder(), pending: null, extension: "gif" });
    return clip.extension;
  }
  const [type, extension] = VIDEO_TYPES.find(([type]) => window.MediaRecorder?.isTypeSupported(type)) ?? [];
  if (!type || !target.captureStream) {
    clip = null;
    return "";
  }
  const chunks = [];
  // A frame enters the stream each time the composed canvas is drawn (once per frame Python paints), at
  // most VIDEO_FPS a second: more would only load the encoder.
  const stream = target.captureStream(VIDEO_FPS);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 5_000_000 });
  recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
  recorder.onstop = () => download(new Blob(chunks, { type }), `${stem}.${extension}`);
  Object.assign(clip, { recorder, extension });
  return extension;
}

// One frame of the clip under way, with its caption: called after each frame the page paints.
function addFrame(lines) {
  if (!clip) return;
  const now = performance.now();
  if (clip.kind === "gif" && clip.pending && now - clip.pending.time < GIF_FRAME_MS) return;
  lines = Array.from(lines);
  // The first frame fixes the clip's size: a video cannot change it, and a GIF's frames share it. A page
  // resized mid-clip is scaled into that size.
  clip.factor ??= fitting(clip.sources, lines, MAX_WIDTH[clip.kind]);
  const frame = compose(clip.scratch, clip.sources, lines, clip.factor);
  const { target } = clip;
  if (clip.frames === 0) {
    target.width = frame.width - (frame.width % 2);  // video encoders want even sizes
    target.height = frame.height - (frame.height % 2);
    clip.recorder?.start(1000);
  }
  const cropped = frame.width - target.width <= 1 && frame.height - target.height <= 1;  // the odd pixel is gap
  target.getContext("2d").drawImage(frame, 0, 0, ...(cropped ? [] : [target.width, target.height]));
  clip.frames += 1;
  if (clip.kind === "gif") addGifFrame(clip, now);
}

// The GIF's frames are written one behind, so each gets the real time it stayed on screen as its delay.
function addGifFrame(gif, now) {
  const { data, width, height } = gif.target.getContext("2d").getImageData(0, 0, gif.target.width, gif.target.height);
  const palette = quantize(data, 256);
  writePending(gif, now);
  gif.pending = { index: applyPalette(data, palette), palette, width, height, time: now };
}

function writePending(gif, now) {
  const frame = gif.pending;
  if (!frame) return;
  const delay = Math.max(GIF_FRAME_MS, now - frame.time);
  gif.encoder.writeFrame(frame.index, frame.width, frame.height, { palette: frame.palette, delay });
}

// Ends the clip under way and downloads it (a video once the recorder hands over its last data).
// Returns how many frames were drawn for it (all of them in a GIF; a video keeps at most VIDEO_FPS a second).
function finishClip() {
  if (!clip) return 0;
  const ended = clip;
  clip = null;
  if (ended.kind === "gif" && ended.pending) {
    writePending(ended, performance.now());
    ended.encoder.finish();
    download(new Blob([ended.encoder.bytes()], { type: "image/gif" }), `${ended.stem}.gif`);
  } else if (ended.recorder?.state === "recording") {
    setTimeout(() => ended.recorder.stop(), VIDEO_DRAIN_MS);
  }
  return ended.frames;
}

window.gradcanvasCapture = { saveImage, startClip, addFrame, finishClip };
