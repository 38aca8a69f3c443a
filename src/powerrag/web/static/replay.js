// Session Replay: progressive loading, live turns and figures over server-sent events, the
// steps toggle, and playback at the session's real timing (player.js holds the clock maths).
import { layout } from "./common.js";
import { Axis, clockText } from "./player.js";

const IDLE_MARK_US = 300_000_000; // a silence of 5 minutes or more is marked between turns
const TICK_MS = 50;
const STEPS_KEY = "powerrag.replay.showSteps";
const replay = document.getElementById("replay");
const list = document.getElementById("turns");
const moreButton = document.getElementById("load-more");
const player = document.getElementById("player");
const playButton = document.getElementById("play-button");
const speedSelect = document.getElementById("play-speed");
const skipIdle = document.getElementById("skip-idle");
const scrubber = document.getElementById("scrubber");
const clock = document.getElementById("play-clock");
const showSteps = document.getElementById("show-steps");
const timeline = JSON.parse(document.getElementById("timeline-data").textContent);
// The server builds every address (powerrag/urls.py); the session id is in their query.
const partUrl = (name, params = {}) => {
  const url = new URL(replay.dataset[name], window.location.href);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
};
// The moment shown (µs on the session's clock), or null: the whole session, as loaded.
let now = null;
let playing = null; // {timer, wall}
let busy = false; // a tick is loading turns
let lastShown = null;

const axis = () => new Axis(timeline, skipIdle.checked);
const loadedTurns = () => [...list.querySelectorAll(":scope > li.turn")];

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered, every value escaped
  layout(template.content);
  return template.content;
}

async function loadMore() {
  const offset = loadedTurns().length;
  if (offset >= timeline.length) return false;
  const response = await fetch(partUrl("turnsUrl", { offset }), { headers: { Accept: "text/html" } });
  if (!response.ok) return false;
  const items = [...fragment(await response.text()).querySelectorAll("li.turn")];
  for (const li of items) {
    if (!document.getElementById(li.id)) list.append(li);
  }
  moreButton.hidden = loadedTurns().length >= timeline.length;
  markIdleGaps();
  render();
  return items.length > 0;
}

moreButton.addEventListener("click", () => loadMore());
new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting) && !moreButton.hidden && !playing) loadMore();
}).observe(moreButton);

// Separators for long silences, recomputed whenever turns are added.
function markIdleGaps() {
  for (const el of list.querySelectorAll(":scope > li.idle-gap")) el.remove();
  let previous = null;
  for (const li of loadedTurns()) {
    const gap = previous ? Number(li.dataset.start) - Number(previous.dataset.end) : 0;
    if (gap >= IDLE_MARK_US) {
      const mark = document.createElement("li");
      mark.className = "idle-gap";
      const minutes = list.dataset.minutes.replace("{n}", String(Math.round(gap / 60_000_000)));
      mark.textContent = `${list.dataset.idleLabel} ${minutes}`;
      li.before(mark);
    }
    previous = li;
  }
}

// ---- steps toggle (remembered in this browser) ----
function applySteps() {
  replay.classList.toggle("hide-steps", !showSteps.checked);
}
showSteps.checked = localStorage.getItem(STEPS_KEY) !== "0";
applySteps();
showSteps.addEventListener("change", () => {
  localStorage.setItem(STEPS_KEY, showSteps.checked ? "1" : "0");
  applySteps();
});

// ---- the moment shown ----
function render() {
  const a = axis();
  const at = now ?? a.end;
  const turns = loadedTurns();
  const current = turns.filter((li) => Number(li.dataset.start) <= at).at(-1);
  for (const li of turns) {
    li.classList.toggle("future", now !== null && Number(li.dataset.start) > at);
    li.classList.toggle("current", now !== null && li === current);
    for (const el of li.querySelectorAll(".step[data-start], .turn-output[data-start]")) {
      el.classList.toggle("future", now !== null && Number(el.dataset.start) > at);
      el.classList.toggle("in-progress", now !== null && el.classList.contains("step")
        && Number(el.dataset.start) <= at && at < Number(el.dataset.end));
    }
  }
  clock.textContent = clockText(at - a.start, a.end - a.start);
  const fraction = a.total ? a.toPlay(at) / a.total : 1;
  scrubber.value = String(Math.round(fraction * 1000));
  player.dataset.t = ((at - a.start) / 1e6).toFixed(1);
  placeTimeline(a, fraction);
}

function placeTimeline(a, fraction) {
  for (const bar of document.querySelectorAll("#tl-track .tl-turn")) {
    const left = a.total ? a.toPlay(Number(bar.dataset.start)) / a.total : 0;
    const right = a.total ? a.toPlay(Number(bar.dataset.end)) / a.total : 1;
    bar.style.left = `${left * 100}%`;
    bar.style.width = `${Math.max((right - left) * 100, 0.5)}%`;
    for (const seg of bar.querySelectorAll(".tl-seg")) {
      seg.style.left = `${seg.dataset.offset}%`;
      seg.style.width = `${seg.dataset.width}%`;
    }
  }
  const head = document.getElementById("tl-head");
  if (head) head.style.left = `${fraction * 100}%`;
}

// The newest thing visible at the moment: the answer, the last step begun, or the turn.
function momentElement() {
  const at = now ?? axis().end;
  const turn = loadedTurns().filter((li) => Number(li.dataset.start) <= at).at(-1);
  if (!turn) return null;
  const shown = [...turn.querySelectorAll(".step[data-start], .turn-output[data-start]")]
    .filter((el) => Number(el.dataset.start) <= at);
  const visible = shown.filter((el) => el.offsetParent !== null);
  return visible.at(-1) ?? turn;
}

function scrollToMoment(force) {
  const el = momentElement();
  if (el && (force || el !== lastShown)) el.scrollIntoView({ block: force ? "center" : "nearest" });
  lastShown = el;
}

async function ensureLoaded() {
  const at = now ?? Infinity;
  const needed = timeline.filter((t) => t.startUs <= at).length;
  while (loadedTurns().length < needed && (await loadMore())) { /* keep loading */ }
}

function pinUrl() {
  const url = new URL(window.location.href);
  if (now === null) url.searchParams.delete("t");
  else url.searchParams.set("t", ((now - axis().start) / 1e6).toFixed(1).replace(/\.0$/, ""));
  window.history.replaceState(null, "", url);
}

async function seek(at, { scroll = true } = {}) {
  const a = axis();
  now = Math.min(Math.max(at, a.start), a.end);
  await ensureLoaded();
  render();
  if (scroll) scrollToMoment(true);
  if (!playing) {
    player.dataset.state = now >= a.end ? "done" : "paused";
    pinUrl();
  }
}

// ---- playback ----
function stop(state) {
  if (playing) clearInterval(playing.timer);
  playing = null;
  player.dataset.state = state;
  playButton.textContent = `▶ ${playButton.dataset.play}`;
  pinUrl();
}

async function tick() {
  if (!playing || busy) return;
  const wall = performance.now();
  const a = axis();
  const played = a.toPlay(now) + (wall - playing.wall) * 1000 * Number(speedSelect.value);
  playing.wall = wall;
  now = played >= a.total ? a.end : a.toReal(played);
  busy = true;
  try {
    await ensureLoaded();
  } finally {
    busy = false;
  }
  render();
  scrollToMoment(false);
  if (now >= a.end) stop("done");
}

function play() {
  if (!timeline.length) return;
  const a = axis();
  if (now === null || now >= a.end) now = a.start;
  playing = { timer: setInterval(tick, TICK_MS), wall: performance.now() };
  player.dataset.state = "playing";
  playButton.textContent = `❚❚ ${playButton.dataset.pause}`;
  tick();
}

function toggle() {
  if (playing) stop("paused");
  else play();
}

// Moments worth stopping at: each turn's start and end and each loaded step's start.
function moments() {
  const found = new Set();
  for (const t of timeline) { found.add(t.startUs); found.add(t.endUs); }
  for (const el of list.querySelectorAll(".step[data-start]")) found.add(Number(el.dataset.start));
  return [...found].sort((x, y) => x - y);
}

function stepBy(direction) {
  if (playing) stop("paused");
  const at = now ?? axis().end;
  const all = moments();
  const target = direction > 0 ? all.find((m) => m > at) : all.filter((m) => m < at).at(-1);
  if (target !== undefined) seek(target);
}

playButton.addEventListener("click", toggle);
scrubber.addEventListener("input", () => {
  if (playing) stop("paused");
  const a = axis();
  seek(a.toReal((Number(scrubber.value) / 1000) * a.total));
});
skipIdle.addEventListener("change", () => render());
document.getElementById("session-timeline")?.parentElement.addEventListener("click", (event) => {
  const bar = event.target.closest(".tl-turn");
  if (!bar) return;
  if (playing) stop("paused");
  seek(Number(bar.dataset.start));
});
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (target.closest("input, select, textarea, [contenteditable]")) return;
  if (event.key === " " && !target.closest("button, a, summary")) {
    event.preventDefault();
    toggle();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    stepBy(event.key === "ArrowRight" ? 1 : -1);
  }
});

// ---- live ----
// A turn fetched again replaces the one shown; what the reader is doing in it carries over:
// the annotation forms' typed values (matched by their action, which names the turn, score
// or comment), the edit forms and observation tree they opened, the focus and the cursor.
function keepTyping(shown, fresh) {
  const forms = new Map([...fresh.querySelectorAll("form.annotate-form")].map((f) => [f.getAttribute("action"), f]));
  let focus = null;
  for (const old of shown.querySelectorAll("form.annotate-form")) {
    const twin = forms.get(old.getAttribute("action"));
    if (!twin) continue;
    if (old.closest("details")?.open) twin.closest("details")?.setAttribute("open", "");
    for (const field of old.elements) {
      const copy = field.name && field.type !== "hidden" ? twin.elements.namedItem(field.name) : null;
      if (!copy) continue;
      copy.value = field.value;
      if (field === document.activeElement) focus = [copy, field.selectionStart, field.selectionEnd];
    }
  }
  if (shown.querySelector(":scope > details.turn-tree")?.open) {
    fresh.querySelector(":scope > details.turn-tree")?.setAttribute("open", "");
  }
  return focus;
}

function placeTurn(li) {
  const existing = document.getElementById(li.id);
  if (existing) {
    const focus = keepTyping(existing, li);
    existing.replaceWith(li);
    if (focus) {
      const [field, start, end] = focus;
      field.focus({ preventScroll: true });
      if (start !== null && field.setSelectionRange) field.setSelectionRange(start, end);
    }
    return;
  }
  const start = Number(li.dataset.start);
  const after = loadedTurns().find((el) => Number(el.dataset.start) > start);
  if (after) after.before(li);
  else if (moreButton.hidden) list.append(li);
}

async function refreshTurns(ids) {
  const url = partUrl("turnsUrl");
  for (const id of ids) url.searchParams.append("id", id); // ids may hold commas
  const response = await fetch(url);
  if (!response.ok) return;
  for (const li of fragment(await response.text()).querySelectorAll("li.turn")) placeTurn(li);
}

// The header's figures and the timeline as they are now (duration, tokens, cost, errors).
async function refreshFigures() {
  const response = await fetch(partUrl("figuresUrl"));
  if (!response.ok) return;
  const fresh = fragment(await response.text());
  for (const id of ["session-figures", "session-lifecycle", "session-timeline"]) {
    const el = fresh.getElementById(id);
    if (el) document.getElementById(id)?.replaceWith(el);
  }
  const data = fresh.getElementById("timeline-data");
  if (data) timeline.splice(0, timeline.length, ...JSON.parse(data.textContent));
}

async function refresh(ids) {
  await Promise.all([refreshTurns(ids), refreshFigures()]);
  moreButton.hidden = loadedTurns().length >= timeline.length;
  markIdleGaps();
  render();
  replay.dataset.refreshed = String(Number(replay.dataset.refreshed || 0) + 1);
}

if (replay.dataset.live === "1" && window.EventSource) {
  // data-live-state shows the lifecycle badge's dot while the stream is open (replay.css).
  const source = new EventSource(partUrl("eventsUrl"));
  source.addEventListener("open", () => { replay.dataset.liveState = "open"; });
  source.addEventListener("error", () => { replay.dataset.liveState = "retrying"; });
  source.addEventListener("turns", (event) => refresh(JSON.parse(event.data).ids));
  source.addEventListener("resync", () => window.location.reload());
}

markIdleGaps();
player.hidden = false;
player.dataset.state = "idle";
const pinned = new URLSearchParams(window.location.search).get("t");
if (pinned !== null && timeline.length && Number.isFinite(Number(pinned))) {
  seek(axis().start + Number(pinned) * 1e6);
} else {
  render();
}
