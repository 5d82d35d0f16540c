// Formatting: record data as text, JSON or hex; sizes, rates, times; the
// 128-bit hash-key space as BigInt.

export const HASH_MAX = (1n << 128n) - 1n;

// How a record's data is shown: pretty JSON when it parses as an object or
// array, UTF-8 text when it decodes and has no control characters besides
// tab and line breaks, hex otherwise.
export function describeData(bytes) {
  let text = null;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch { /* not UTF-8 */ }
  if (text !== null) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
      } catch { /* not JSON: text below */ }
    }
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { kind: 'text', text };
  }
  return { kind: 'hex', text: hexDump(bytes) };
}

export function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.slice(i, i + 16), (b) => b.toString(16).padStart(2, '0'));
    lines.push(`${i.toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return lines.join('\n');
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function formatRate(n, unit) {
  if (n === null || n === undefined) return '—';
  if (unit === 'B') return `${formatBytes(n)}/s`;
  return `${n >= 100 ? Math.round(n) : Math.round(n * 10) / 10}/s`;
}

export function formatTime(date) {
  if (!date) return '—';
  const d = date instanceof Date ? date : new Date(date);
  return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function formatHours(hours) {
  if (hours % 24 === 0) return `${hours / 24} d`;
  return `${hours} h`;
}

// "shardId-000000000007" -> "7" (for labels in tight places).
export function shortShardId(id) {
  const m = /^shardId-0*(\d+)$/.exec(id);
  return m ? m[1] : id;
}

// The midpoint of a shard's hash-key range: where a split halves it.
export function midpoint(start, end) {
  return ((BigInt(start) + BigInt(end) + 1n) / 2n).toString();
}

// A hash key's place in the key space, 0..1.
export function fraction(key) {
  return Number((BigInt(key) * 1000000n) / (HASH_MAX + 1n)) / 1000000;
}
