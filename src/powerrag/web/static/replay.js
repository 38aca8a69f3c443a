// Session Replay: progressive loading, live turns over server-sent events, and playback
// of the conversation at its real relative timing with a scrubber.
import { layout } from "./common.js";

const IDLE_CAP_US = 2_000_000; // "skip idle gaps": no pause between turns longer than this
const IDLE_MARK_US = 300_000_000; // a silence of 5 minutes or more is marked between turns
const replay = document.getElementById("replay");
const list = document.getElementById("turns");
const moreButton = document.getElementById("load-more");
const player = document.getElementById("player");
const playButton = document.getElementById("play-button");
const speedSelect = document.getElementById("play-speed");
const skipIdle = document.getElementById("skip-idle");
const scrubber = document.getElementById("scrubber");
const clock = document.getElementById("play-clock");
const timeline = JSON.parse(document.getElementById("timeline-data").textContent);
const base = replay.dataset.base;
let playing = null; // {index, timer}

function loadedTurns() {
  return [...list.querySelectorAll(":scope > li.turn")];
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered, every value escaped
  layout(template.content);
  return [...template.content.querySelectorAll("li.turn")];
}

async function loadMore() {
  const offset = loadedTurns().length;
  if (offset >= timeline.length) return false;
  const response = await fetch(`${base}/turns?offset=${offset}`, { headers: { Accept: "text/html" } });
  if (!response.ok) return false;
  const items = fragment(await response.text());
  for (const li of items) {
    if (!document.getElementById(li.id)) list.append(li);
  }
  moreButton.hidden = loadedTurns().length >= timeline.length;
  markIdleGaps();
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
      mark.textContent = `${list.dataset.idleLabel} ${Math.round(gap / 60_000_000)} min`;
      li.before(mark);
    }
    previous = li;
  }
}

// ---- live ----
function placeTurn(li) {
  const existing = document.getElementById(li.id);
  if (existing) {
    li.className = existing.className.includes("future") ? `${li.className} future` : li.className;
    existing.replaceWith(li);
    return;
  }
  const start = Number(li.dataset.start);
  const after = loadedTurns().find((el) => Number(el.dataset.start) > start);
  if (after) after.before(li);
  else if (moreButton.hidden) list.append(li);
  if (!timeline.some((t) => t.id === li.dataset.trace)) {
    timeline.push({ id: li.dataset.trace, startUs: start, endUs: Number(li.dataset.end) });
    timeline.sort((a, b) => a.startUs - b.startUs);
    document.getElementById("fig-traces").textContent = String(timeline.length);
  }
}

async function refreshTurns(ids) {
  const response = await fetch(`${base}/turns?ids=${ids.map(encodeURIComponent).join(",")}`);
  if (!response.ok) return;
  for (const li of fragment(await response.text())) placeTurn(li);
  markIdleGaps();
}

if (replay.dataset.live === "1" && window.EventSource) {
  const status = document.getElementById("live-status");
  const source = new EventSource(`${base}/events`);
  source.addEventListener("open", () => { status.hidden = false; replay.dataset.liveState = "open"; });
  source.addEventListener("error", () => { status.hidden = true; replay.dataset.liveState = "retrying"; });
  source.addEventListener("turns", (event) => refreshTurns(JSON.parse(event.data).ids));
  source.addEventListener("resync", () => window.location.reload());
}

// ---- playback ----
function positions() {
  const pos = [];
  timeline.forEach((turn, i) => {
    if (i === 0) { pos.push(0); return; }
    const gap = Math.max(turn.startUs - timeline[i - 1].startUs, 0);
    pos.push(pos[i - 1] + (skipIdle.checked ? Math.min(gap, IDLE_CAP_US) : gap));
  });
  return pos;
}

function show(count) {
  const visible = new Set(timeline.slice(0, count).map((t) => t.id));
  for (const li of loadedTurns()) {
    li.classList.toggle("future", !visible.has(li.dataset.trace));
    li.classList.toggle("current", li.dataset.trace === timeline[count - 1]?.id);
  }
  clock.textContent = `${count} / ${timeline.length}`;
  player.dataset.step = String(count);
}

async function ensureLoaded(count) {
  while (loadedTurns().length < count && (await loadMore())) { /* keep loading */ }
}

function stop(state) {
  if (playing) clearTimeout(playing.timer);
  playing = null;
  player.dataset.state = state;
  playButton.textContent = `▶ ${playButton.dataset.play}`;
}

function schedule(index) {
  const pos = positions();
  const delayMs = (pos[index] - pos[index - 1]) / 1000 / Number(speedSelect.value);
  playing.timer = setTimeout(() => step(index), delayMs);
}

async function step(index) {
  if (!playing) return;
  await ensureLoaded(index + 1);
  show(index + 1);
  const pos = positions();
  scrubber.value = String(pos.at(-1) ? Math.round((pos[index] / pos.at(-1)) * 1000) : 1000);
  document.getElementById(`turn-${timeline[index].id}`)?.scrollIntoView({ block: "nearest" });
  if (index + 1 >= timeline.length) stop("done");
  else schedule(index + 1);
}

function play() {
  if (!timeline.length) return;
  const shown = player.dataset.state === "paused" ? Number(player.dataset.step || 0) : 0;
  playing = { timer: 0 };
  player.dataset.state = "playing";
  playButton.textContent = `❚❚ ${playButton.dataset.pause}`;
  // Resuming waits the real gap before the next turn; a fresh start shows the first at once.
  if (shown > 0 && shown < timeline.length) schedule(shown);
  else step(0);
}

playButton.addEventListener("click", () => (playing ? stop("paused") : play()));
scrubber.addEventListener("input", async () => {
  if (playing) stop("paused");
  const pos = positions();
  const at = (Number(scrubber.value) / 1000) * (pos.at(-1) || 0);
  const count = Math.max(pos.filter((p) => p <= at).length, 1);
  await ensureLoaded(count);
  show(count);
  player.dataset.state = count >= timeline.length ? "done" : "paused";
});

markIdleGaps();
player.hidden = false;
player.dataset.state = "idle";
clock.textContent = `${timeline.length} / ${timeline.length}`;
