// Live traffic rates from the server's own counters (GET /console/api/rates):
// polled once a second while a view listens; each listener gets the map of
// stream name -> points ([endMs, recordsIn, bytesIn, recordsOut, bytesOut],
// oldest first, one per second of the last minute).
import { fetchRates } from './api.js';

const listeners = new Set();
let timer = null;
let latest = new Map();
let lastError = null;

async function poll() {
  try {
    const body = await fetchRates();
    // The server counts per interval; the views want per-second rates.
    latest = new Map(body.streams.map((s) => [s.name, s.points.map(([end, duration, ...counts]) => {
      const perSecond = 1000 / Math.max(1, duration);
      return [end, ...counts.map((n) => n * perSecond)];
    })]));
    lastError = null;
  } catch (error) {
    lastError = error;
  }
  for (const listener of listeners) listener(latest, lastError);
}

// Calls `listener(rates, error)` now and after every poll; returns the
// function that stops listening.
export function watchRates(listener) {
  listeners.add(listener);
  if (!timer) {
    poll();
    timer = setInterval(poll, 1000);
  } else {
    listener(latest, lastError);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

// The last second's rates of a stream, or zeros.
export function currentRates(points) {
  const p = points && points.length ? points[points.length - 1] : null;
  return { recordsIn: p ? p[1] : 0, bytesIn: p ? p[2] : 0, recordsOut: p ? p[3] : 0, bytesOut: p ? p[4] : 0 };
}
