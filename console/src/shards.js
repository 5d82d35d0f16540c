// The Shards tab: the lineage as a picture (each shard a bar across the
// 128-bit hash-key space, parents above their children, open and closed
// shards told apart, each with its sequence-number range), the shard table,
// and split, merge and update-shard-count.
import { MergeShardsCommand, SplitShardCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { attempt, field, h, showError, showInfo } from './dom.js';
import { HASH_MAX, fraction, midpoint, shortShardId } from './format.js';
import { listAllShards } from './streams.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 1000;
const ROW = 58;
const BAR = 34;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

function isOpen(shard) {
  return !shard.SequenceNumberRange.EndingSequenceNumber;
}

function seqRange(shard) {
  const r = shard.SequenceNumberRange;
  return `${r.StartingSequenceNumber} – ${r.EndingSequenceNumber || '(open)'}`;
}

// Generation of each shard: 0 without parents, else one below its deepest parent.
function depths(shards) {
  const byId = new Map(shards.map((sh) => [sh.ShardId, sh]));
  const memo = new Map();
  const depth = (sh) => {
    if (memo.has(sh.ShardId)) return memo.get(sh.ShardId);
    memo.set(sh.ShardId, 0);
    let d = 0;
    for (const p of [sh.ParentShardId, sh.AdjacentParentShardId]) {
      if (p && byId.has(p)) d = Math.max(d, depth(byId.get(p)) + 1);
    }
    memo.set(sh.ShardId, d);
    return d;
  };
  shards.forEach(depth);
  return memo;
}

export function lineagePicture(shards, onSelect) {
  const depth = depths(shards);
  const rows = Math.max(1, ...[...depth.values()].map((d) => d + 1));
  const height = rows * ROW + 26;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'lineage', role: 'group', 'aria-label': 'Shard lineage across the hash-key space' });
  const geometry = new Map();
  for (const sh of shards) {
    const r = sh.HashKeyRange;
    const x = fraction(r.StartingHashKey) * WIDTH;
    const end = BigInt(r.EndingHashKey) === HASH_MAX ? WIDTH : fraction((BigInt(r.EndingHashKey) + 1n).toString()) * WIDTH;
    geometry.set(sh.ShardId, { x, w: Math.max(3, end - x), y: depth.get(sh.ShardId) * ROW + 4 });
  }
  // Lines from each parent to its children first, so bars cover their ends.
  for (const sh of shards) {
    const g = geometry.get(sh.ShardId);
    for (const p of [sh.ParentShardId, sh.AdjacentParentShardId]) {
      const pg = p && geometry.get(p);
      if (!pg) continue;
      svg.append(s('line', { x1: pg.x + pg.w / 2, y1: pg.y + BAR, x2: g.x + g.w / 2, y2: g.y, class: 'edge' }));
    }
  }
  for (const sh of shards) {
    const g = geometry.get(sh.ShardId);
    const open = isOpen(sh);
    const label = `${sh.ShardId}, ${open ? 'open' : 'closed'}, hash keys ${sh.HashKeyRange.StartingHashKey} to ${sh.HashKeyRange.EndingHashKey}, sequence numbers ${seqRange(sh)}` +
      (sh.ParentShardId ? `, parent ${sh.ParentShardId}` : '') + (sh.AdjacentParentShardId ? `, adjacent parent ${sh.AdjacentParentShardId}` : '');
    const bar = s('g', {
      class: `shard ${open ? 'open' : 'closed'}`, tabindex: open ? '0' : '-1', role: open ? 'button' : 'img', 'aria-label': label,
      'data-shard': sh.ShardId, 'data-state': open ? 'open' : 'closed',
      'data-parent': sh.ParentShardId, 'data-adjacent-parent': sh.AdjacentParentShardId,
    }, s('title', {}, label), s('rect', { x: g.x + 1, y: g.y, width: Math.max(1, g.w - 2), height: BAR, rx: 4 }));
    if (g.w > 40) {
      bar.append(s('text', { x: g.x + 8, y: g.y + 14, class: 'id' }, `#${shortShardId(sh.ShardId)} ${open ? 'open' : 'closed'}`));
      if (g.w > 150) {
        const r = sh.SequenceNumberRange;
        const tail = (n) => (n ? `…${n.slice(-6)}` : 'open');
        bar.append(s('text', { x: g.x + 8, y: g.y + 28, class: 'seq' }, `seq ${tail(r.StartingSequenceNumber)} – ${tail(r.EndingSequenceNumber)}`));
      }
    }
    if (open && onSelect) {
      bar.addEventListener('click', () => onSelect(sh));
      bar.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(sh); } });
    }
    svg.append(bar);
  }
  const axisY = rows * ROW + 18;
  svg.append(s('text', { x: 0, y: axisY, class: 'axis' }, '0'),
    s('text', { x: WIDTH / 2, y: axisY, class: 'axis', 'text-anchor': 'middle' }, '2^127'),
    s('text', { x: WIDTH, y: axisY, class: 'axis', 'text-anchor': 'end' }, '2^128 − 1'));
  return svg;
}

export function shardsTab(streamName, { refreshSummary }) {
  let shards = [];
  const picture = h('div', { class: 'lineage-holder' });
  const tbody = h('tbody');
  const table = h('div', { class: 'scroll' }, h('table', { 'aria-label': 'Shards' },
    h('thead', {}, h('tr', {}, ['Shard', 'State', 'Parent', 'Adjacent parent', 'Hash keys', 'Sequence numbers'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody));

  // Split
  const splitShard = h('select', { name: 'ShardToSplit' });
  const splitKey = h('input', { name: 'NewStartingHashKey', inputmode: 'numeric', spellcheck: 'false', required: true, pattern: '\\d{1,39}', size: 40 });
  const splitButton = h('button', { type: 'submit' }, 'Split shard');
  splitShard.addEventListener('change', () => {
    const sh = shards.find((x) => x.ShardId === splitShard.value);
    if (sh) splitKey.value = midpoint(sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey);
  });
  const splitForm = h('form', { class: 'inline-form', 'aria-label': 'Split a shard' },
    field('Shard to split', splitShard), field('New starting hash key', splitKey), splitButton);
  splitForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const done = await attempt(() => call(new SplitShardCommand({ StreamName: streamName, ShardToSplit: splitShard.value, NewStartingHashKey: splitKey.value.trim() })), splitButton);
    if (done) after(`Split ${splitShard.value} at ${splitKey.value.trim()}.`);
  });

  // Merge
  const mergePair = h('select', { name: 'ShardsToMerge' });
  const mergeButton = h('button', { type: 'submit' }, 'Merge shards');
  const mergeForm = h('form', { class: 'inline-form', 'aria-label': 'Merge two adjacent shards' },
    field('Adjacent open shards', mergePair), mergeButton);
  mergeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const [first, second] = mergePair.value.split(' ');
    if (!second) return showError(new Error('There are no two adjacent open shards to merge.'));
    const done = await attempt(() => call(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: first, AdjacentShardToMerge: second })), mergeButton);
    if (done) after(`Merged ${first} and ${second}.`);
  });

  // Update shard count
  const target = h('input', { name: 'TargetShardCount', type: 'number', min: 1, required: true });
  const scaleButton = h('button', { type: 'submit' }, 'Update shard count');
  const scaleForm = h('form', { class: 'inline-form', 'aria-label': 'Update the shard count' },
    field('Target open shards', target), scaleButton);
  scaleForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const done = await attempt(() => call(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: Number(target.value), ScalingType: 'UNIFORM_SCALING' })), scaleButton);
    if (done) after(`Scaling to ${target.value} open shards.`);
  });

  const element = h('div', {},
    h('h2', {}, 'Lineage'),
    h('p', { class: 'muted legend' }, h('span', { class: 'key open' }), 'open ', h('span', { class: 'key closed' }), 'closed — each bar is a shard’s share of the hash-key space; parents sit above their children. Select an open shard to split it.'),
    picture,
    h('div', { class: 'actions-grid' }, splitForm, mergeForm, scaleForm),
    h('h2', {}, 'Shards'), table);

  function after(message) {
    showInfo(message);
    load();
    refreshSummary();
  }

  function select(sh) {
    splitShard.value = sh.ShardId;
    splitKey.value = midpoint(sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey);
    splitKey.focus();
  }

  let stopped = false;
  let loads = 0;  // a load that a newer one overtook shows nothing
  async function load() {
    const mine = ++loads;
    try {
      const list = await listAllShards(streamName);
      if (stopped || mine !== loads) return;
      shards = list;
      render();
    } catch (error) {
      if (!stopped) showError(error);
    }
  }

  function render() {
    picture.replaceChildren(lineagePicture(shards, select));
    tbody.replaceChildren(...shards.map((sh) => h('tr', { 'data-shard': sh.ShardId },
      h('th', { scope: 'row' }, sh.ShardId),
      h('td', {}, h('span', { class: `badge ${isOpen(sh) ? 'active' : 'closed'}` }, isOpen(sh) ? 'open' : 'closed')),
      h('td', {}, sh.ParentShardId || '—'), h('td', {}, sh.AdjacentParentShardId || '—'),
      h('td', { class: 'mono' }, `${sh.HashKeyRange.StartingHashKey} – ${sh.HashKeyRange.EndingHashKey}`),
      h('td', { class: 'mono' }, seqRange(sh)))));
    const open = shards.filter(isOpen).sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    const keep = splitShard.value;
    splitShard.replaceChildren(...open.map((sh) => h('option', { value: sh.ShardId }, sh.ShardId)));
    if (open.some((sh) => sh.ShardId === keep)) splitShard.value = keep;
    if (!splitKey.value || keep !== splitShard.value) splitShard.dispatchEvent(new Event('change'));
    const pairs = [];
    for (let i = 0; i + 1 < open.length; ++i) {
      if (BigInt(open[i].HashKeyRange.EndingHashKey) + 1n === BigInt(open[i + 1].HashKeyRange.StartingHashKey)) pairs.push([open[i].ShardId, open[i + 1].ShardId]);
    }
    const keepPair = mergePair.value;
    mergePair.replaceChildren(...pairs.map(([a, b]) => h('option', { value: `${a} ${b}` }, `${shortShardId(a)} + ${shortShardId(b)}`)));
    if (pairs.some(([a, b]) => `${a} ${b}` === keepPair)) mergePair.value = keepPair;
    if (document.activeElement !== target) target.value = String(open.length);
  }

  load();
  const timer = setInterval(load, 5000);
  return { element, stop() { stopped = true; clearInterval(timer); } };
}
