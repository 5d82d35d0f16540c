// The Records tab: read from one shard or all from TRIM_HORIZON, LATEST, a
// timestamp or a sequence number; show each record's sequence number,
// partition key, arrival time, size and data (pretty JSON, UTF-8 text or
// hex); page forward; Live follows new records once a second (and into the
// children of a shard that closes); put a test record.
import { GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { attempt, field, h, showError, showInfo } from './dom.js';
import { describeData, formatBytes, formatTime, shortShardId } from './format.js';
import { listAllShards } from './streams.js';

const MAX_ROWS = 1000;

export function recordsTab(streamName) {
  const shardSelect = h('select', { name: 'ShardId' }, h('option', { value: '' }, 'All shards'));
  const position = h('select', { name: 'ShardIteratorType' },
    ...['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'].map((t) => h('option', { value: t }, t)));
  const timestamp = h('input', { name: 'Timestamp', type: 'datetime-local', step: '1' });
  const sequence = h('input', { name: 'StartingSequenceNumber', inputmode: 'numeric', spellcheck: 'false', size: 58 });
  const limit = h('input', { name: 'Limit', type: 'number', min: 1, max: 10000, value: 100 });
  const timestampField = field('Timestamp (local time)', timestamp);
  const sequenceField = field('Sequence number', sequence);
  const readButton = h('button', { type: 'submit' }, 'Read');
  const nextButton = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Next page');
  const live = h('input', { type: 'checkbox', role: 'switch', name: 'Live' });
  const liveLabel = h('label', { class: 'switch' }, live, ' Live');
  const clearButton = h('button', { type: 'button', class: 'secondary' }, 'Clear');
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Choose where to start and press Read, or switch Live on to follow new records.');
  const tbody = h('tbody');
  const table = h('div', { class: 'scroll' }, h('table', { class: 'records', 'aria-label': 'Records' },
    h('thead', {}, h('tr', {}, ['Shard', 'Sequence number', 'Partition key', 'Arrival time', 'Size', 'Data'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody));

  const showPositionFields = () => {
    timestampField.hidden = position.value !== 'AT_TIMESTAMP';
    sequenceField.hidden = !position.value.endsWith('SEQUENCE_NUMBER');
  };
  position.addEventListener('change', showPositionFields);
  showPositionFields();

  const readForm = h('form', { class: 'inline-form', 'aria-label': 'Read records' },
    field('Shard', shardSelect), field('Start at', position), timestampField, sequenceField, field('Records per page', limit),
    readButton, nextButton, liveLabel, clearButton);

  // Put a test record.
  const partitionKey = h('input', { name: 'PartitionKey', value: 'console', required: true, spellcheck: 'false' });
  const data = h('textarea', { name: 'Data', rows: 2, cols: 40, spellcheck: 'false' }, '{"hello": "from the console"}');
  const hashKey = h('input', { name: 'ExplicitHashKey', inputmode: 'numeric', spellcheck: 'false', placeholder: 'optional' });
  const putButton = h('button', { type: 'submit' }, 'Put record');
  const putForm = h('form', { class: 'inline-form', 'aria-label': 'Put a test record' },
    field('Partition key', partitionKey), field('Data (UTF-8)', data), field('Explicit hash key', hashKey), putButton);
  putForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = { StreamName: streamName, PartitionKey: partitionKey.value, Data: new TextEncoder().encode(data.value) };
    if (hashKey.value.trim()) input.ExplicitHashKey = hashKey.value.trim();
    const done = await attempt(() => call(new PutRecordCommand(input)), putButton);
    if (done) showInfo(`Put to ${done.ShardId}, sequence number ${done.SequenceNumber}.`);
  });

  const element = h('div', {}, readForm, summary, table, h('h2', {}, 'Put a test record'), putForm);

  // Reading state: the next iterator of each shard being read.
  let iterators = new Map();
  let seen = new Set();
  let rowCount = 0;
  let stopped = false;
  let liveTimer = null;
  let busy = false;

  async function iteratorFor(shardId, type) {
    const input = { StreamName: streamName, ShardId: shardId, ShardIteratorType: type };
    if (type === 'AT_TIMESTAMP') {
      if (!timestamp.value) throw new Error('Enter a timestamp to start at.');
      input.Timestamp = new Date(timestamp.value);
    }
    if (type.endsWith('SEQUENCE_NUMBER')) input.StartingSequenceNumber = sequence.value.trim();
    return (await call(new GetShardIteratorCommand(input))).ShardIterator;
  }

  async function start(type) {
    const all = await listAllShards(streamName);
    refreshShardChoices(all);
    let targets = shardSelect.value ? [shardSelect.value] : all.map((s) => s.ShardId);
    if (!shardSelect.value && type.endsWith('SEQUENCE_NUMBER')) {
      throw new Error('A sequence number belongs to one shard: choose that shard.');
    }
    if (!shardSelect.value && type === 'LATEST') {
      targets = all.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber).map((s) => s.ShardId);
    }
    const pairs = await Promise.all(targets.map(async (id) => [id, await iteratorFor(id, type)]));
    iterators = new Map(pairs);
    seen = new Set(shardSelect.value ? targets : all.map((s) => s.ShardId));
  }

  // One GetRecords per shard being read; records are added in arrival order.
  async function page(retries) {
    const found = [];
    for (const [shardId, iterator] of [...iterators]) {
      let it = iterator;
      for (let attemptNo = 0; attemptNo <= retries && it; ++attemptNo) {
        const out = await call(new GetRecordsCommand({ ShardIterator: it, Limit: Number(limit.value) || 100 }));
        for (const r of out.Records || []) found.push({ shardId, r });
        it = out.NextShardIterator;
        if (!it) {
          iterators.delete(shardId);
          // Past a closed shard's end, Live goes on in its children.
          for (const child of out.ChildShards || []) {
            if (seen.has(child.ShardId)) continue;
            seen.add(child.ShardId);
            iterators.set(child.ShardId, await iteratorFor(child.ShardId, 'TRIM_HORIZON'));
          }
          break;
        }
        iterators.set(shardId, it);
        if ((out.Records || []).length > 0 || !out.MillisBehindLatest) break;
      }
    }
    found.sort((a, b) => a.r.ApproximateArrivalTimestamp - b.r.ApproximateArrivalTimestamp);
    for (const { shardId, r } of found) addRow(shardId, r);
    nextButton.disabled = iterators.size === 0;
    return found.length;
  }

  function addRow(shardId, r) {
    const bytes = r.Data || new Uint8Array();
    const shown = describeData(bytes);
    tbody.append(h('tr', { 'data-sequence-number': r.SequenceNumber, 'data-kind': shown.kind },
      h('td', { title: shardId }, shortShardId(shardId)),
      h('td', { class: 'mono' }, r.SequenceNumber),
      h('td', {}, r.PartitionKey),
      h('td', {}, formatTime(r.ApproximateArrivalTimestamp)),
      h('td', {}, formatBytes(bytes.length)),
      h('td', {}, h('span', { class: `kind ${shown.kind}` }, shown.kind), h('pre', { class: 'data' }, shown.text))));
    rowCount += 1;
    while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(0);
  }

  function describeState(added) {
    const reading = iterators.size;
    summary.textContent = `${rowCount} record${rowCount === 1 ? '' : 's'} read` +
      (added !== undefined ? `, ${added} in the last page` : '') +
      (live.checked ? ` — live on ${reading} shard${reading === 1 ? '' : 's'}` : '') +
      (reading === 0 && !live.checked ? ' — no more records to page through' : '');
  }

  async function guarded(action, button) {
    if (busy) return;
    busy = true;
    try {
      await attempt(action, button);
    } finally {
      busy = false;
    }
  }

  readForm.addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(async () => {
      tbody.replaceChildren();
      rowCount = 0;
      await start(position.value);
      describeState(await page(4));
    }, readButton);
  });
  nextButton.addEventListener('click', () => guarded(async () => describeState(await page(4)), nextButton));
  clearButton.addEventListener('click', () => {
    tbody.replaceChildren();
    rowCount = 0;
    describeState();
  });

  async function tick() {
    if (stopped || !live.checked) return;
    if (!busy) {
      busy = true;
      try {
        const added = await page(0);
        describeState(added);
      } catch (error) {
        showError(error);
        live.checked = false;
      } finally {
        busy = false;
      }
    }
    if (!stopped && live.checked) liveTimer = setTimeout(tick, 1000);
  }

  live.addEventListener('change', () => {
    clearTimeout(liveTimer);
    if (!live.checked) return describeState();
    guarded(async () => {
      if (iterators.size === 0) await start('LATEST');
      describeState();
    }).then(() => { liveTimer = setTimeout(tick, 1000); });
  });

  function refreshShardChoices(all) {
    const keep = shardSelect.value;
    shardSelect.replaceChildren(h('option', { value: '' }, 'All shards'),
      ...all.map((s) => h('option', { value: s.ShardId }, `${s.ShardId}${s.SequenceNumberRange.EndingSequenceNumber ? ' (closed)' : ''}`)));
    shardSelect.value = all.some((s) => s.ShardId === keep) ? keep : '';
  }

  listAllShards(streamName).then((all) => { if (!stopped) refreshShardChoices(all); }).catch((error) => { if (!stopped) showError(error); });
  return { element, stop() { stopped = true; clearTimeout(liveTimer); } };
}
