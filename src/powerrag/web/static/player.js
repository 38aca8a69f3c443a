// The replay's clock: the session's real time (µs) mapped onto playback time, where
// "skip idle gaps" shortens every silence between turns to IDLE_CAP_US; latency within a
// turn always plays at its real length.
export const IDLE_CAP_US = 2_000_000;

export class Axis {
  constructor(timeline, skipIdle) {
    const first = timeline.length ? Math.min(...timeline.map((t) => t.startUs)) : 0;
    let busyEnd = first;
    let shift = 0;
    this.knots = [[first, 0]]; // [real, play] points, linear in between
    for (const turn of timeline) {
      const gap = turn.startUs - busyEnd;
      if (skipIdle && gap > IDLE_CAP_US) {
        this.knots.push([busyEnd, busyEnd - first - shift]);
        shift += gap - IDLE_CAP_US;
        this.knots.push([turn.startUs, turn.startUs - first - shift]);
      }
      busyEnd = Math.max(busyEnd, turn.endUs);
    }
    this.start = first;
    this.end = busyEnd;
    this.total = busyEnd - first - shift;
    this.knots.push([busyEnd, this.total]);
  }

  toPlay(real) {
    return interpolate(this.knots, real, 0, 1);
  }

  toReal(play) {
    return interpolate(this.knots, play, 1, 0);
  }
}

function interpolate(knots, value, from, to) {
  if (value <= knots[0][from]) return knots[0][to];
  for (let i = 1; i < knots.length; i += 1) {
    const [a, b] = [knots[i - 1], knots[i]];
    if (value <= b[from]) {
      const span = b[from] - a[from];
      return span ? a[to] + ((value - a[from]) * (b[to] - a[to])) / span : b[to];
    }
  }
  return knots.at(-1)[to];
}

function minutes(us) {
  const total = Math.max(Math.floor(us / 1e6), 0);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// "0:37 / 1:30": time into the session and its length.
export function clockText(elapsedUs, totalUs) {
  return `${minutes(elapsedUs)} / ${minutes(totalUs)}`;
}
