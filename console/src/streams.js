// The stream table: every stream of the signed-in account and region with
// its status, mode, shards, retention, encryption, consumers and live
// incoming rates; create, delete, filter by name.
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { sparkline } from './charts.js';
import { attempt, confirmDialog, field, h, showError, showInfo } from './dom.js';
import { formatHours, formatRate } from './format.js';
import { currentRates, watchRates } from './rates.js';

export async function listStreamNames() {
  const names = [];
  let token;
  for (;;) {
    const page = await call(new ListStreamsCommand(token ? { NextToken: token } : { Limit: 100 }));
    names.push(...(page.StreamNames || []));
    token = page.NextToken;
    if (!page.HasMoreStreams || !token) return names;
  }
}

export async function listAllShards(streamName) {
  const shards = [];
  let token;
  for (;;) {
    const page = await call(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }));
    shards.push(...(page.Shards || []));
    token = page.NextToken;
    if (!token) return shards;
  }
}

async function describe(name) {
  const [summary, shards] = await Promise.all([
    call(new DescribeStreamSummaryCommand({ StreamName: name })).then((r) => r.StreamDescriptionSummary),
    listAllShards(name).catch(() => null),
  ]);
  return { summary, totalShards: shards ? shards.length : null };
}

export function streamsView() {
  const rows = new Map();  // name -> { row, cells, spark }
  let rates = new Map();
  const filter = h('input', { type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter streams by name', oninput: applyFilter });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, 'No streams yet: create one below.');
  const table = h('div', { class: 'scroll' }, h('table', { class: 'streams', 'aria-label': 'Streams' },
    h('thead', {}, h('tr', {}, ['Name', 'Status', 'Mode', 'Shards (open / total)', 'Retention', 'Encryption',
      'Consumers', 'Records in', 'Bytes in', 'Last minute', ''].map((t) => h('th', { scope: 'col' }, t)))),
    tbody));

  const name = h('input', { name: 'StreamName', required: true, pattern: '[a-zA-Z0-9_.\\-]{1,128}', spellcheck: 'false' });
  const mode = h('select', { name: 'StreamMode' }, h('option', { value: 'PROVISIONED' }, 'Provisioned'), h('option', { value: 'ON_DEMAND' }, 'On-demand'));
  const shardCount = h('input', { name: 'ShardCount', type: 'number', min: 1, value: 1, required: true });
  mode.addEventListener('change', () => { shardCount.disabled = mode.value === 'ON_DEMAND'; });
  const createButton = h('button', { type: 'submit' }, 'Create stream');
  const form = h('form', { class: 'inline-form', 'aria-label': 'Create a stream' },
    field('Stream name', name), field('Capacity mode', mode), field('Shard count', shardCount), createButton);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { StreamName: name.value.trim() };
    if (mode.value === 'ON_DEMAND') input.StreamModeDetails = { StreamMode: 'ON_DEMAND' };
    else input.ShardCount = Number(shardCount.value);
    const done = await attempt(() => call(new CreateStreamCommand(input)), createButton);
    if (done) {
      showInfo(`Stream ${input.StreamName} is being created.`);
      name.value = '';
      refresh();
    }
  });

  const element = h('section', { class: 'view' },
    h('div', { class: 'toolbar' }, h('h1', {}, 'Streams'), filter, count),
    table, empty,
    h('h2', {}, 'Create a stream'), form);

  function applyFilter() {
    const needle = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const [streamName, entry] of rows) {
      entry.row.hidden = needle !== '' && !streamName.toLowerCase().includes(needle);
      if (!entry.row.hidden) shown += 1;
    }
    count.textContent = needle ? `${shown} of ${rows.size} streams` : `${rows.size} streams`;
  }

  function rowFor(streamName) {
    if (rows.has(streamName)) return rows.get(streamName);
    const cells = {};
    for (const key of ['status', 'mode', 'shards', 'retention', 'encryption', 'consumers', 'recordsIn', 'bytesIn']) cells[key] = h('td', {});
    const spark = sparkline(`Records in per second over the last minute, ${streamName}`);
    const deleteButton = h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete stream ${streamName}` }, 'Delete');
    deleteButton.addEventListener('click', async () => {
      if (!await confirmDialog(`Delete stream ${streamName}, its records and its consumers?`, 'Delete stream')) return;
      const done = await attempt(() => call(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true })), deleteButton);
      if (done) {
        showInfo(`Stream ${streamName} is being deleted.`);
        refresh();
      }
    });
    const row = h('tr', { 'data-stream': streamName },
      h('th', { scope: 'row' }, h('a', { href: `#/streams/${encodeURIComponent(streamName)}/shards` }, streamName)),
      cells.status, cells.mode, cells.shards, cells.retention, cells.encryption, cells.consumers,
      cells.recordsIn, cells.bytesIn, h('td', {}, spark.element), h('td', {}, deleteButton));
    const entry = { row, cells, spark };
    rows.set(streamName, entry);
    return entry;
  }

  function showRates(entry, streamName) {
    const points = rates.get(streamName);
    const now = currentRates(points);
    entry.cells.recordsIn.textContent = formatRate(now.recordsIn);
    entry.cells.bytesIn.textContent = formatRate(now.bytesIn, 'B');
    entry.spark.update(points);
  }

  let stopped = false;
  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    try {
      const names = await listStreamNames();
      const details = await Promise.all(names.map((n) => describe(n).catch((error) => ({ error }))));
      if (stopped) return;
      for (const gone of [...rows.keys()].filter((n) => !names.includes(n))) {
        rows.get(gone).row.remove();
        rows.delete(gone);
      }
      names.forEach((streamName, i) => {
        const entry = rowFor(streamName);
        const d = details[i];
        const s = d.summary;
        if (s) {
          entry.cells.status.replaceChildren(h('span', { class: `badge ${s.StreamStatus.toLowerCase()}` }, s.StreamStatus));
          entry.cells.mode.textContent = s.StreamModeDetails ? s.StreamModeDetails.StreamMode : 'PROVISIONED';
          entry.cells.shards.textContent = `${s.OpenShardCount} / ${d.totalShards ?? '—'}`;
          entry.cells.retention.textContent = formatHours(s.RetentionPeriodHours);
          entry.cells.encryption.textContent = s.EncryptionType === 'KMS' ? `KMS (${s.KeyId})` : 'None';
          entry.cells.consumers.textContent = String(s.ConsumerCount ?? 0);
        } else {
          entry.cells.status.textContent = d.error ? d.error.name : '—';
        }
        showRates(entry, streamName);
        tbody.append(entry.row);  // keeps the list's order
      });
      empty.hidden = names.length > 0;
      applyFilter();
    } catch (error) {
      if (!stopped) showError(error);
    }
    if (!stopped) timer = setTimeout(refresh, 5000);
  }

  const unwatch = watchRates((latest) => {
    rates = latest;
    for (const [streamName, entry] of rows) showRates(entry, streamName);
  });
  refresh();
  return {
    element,
    stop() {
      stopped = true;
      clearTimeout(timer);
      unwatch();
    },
  };
}
