// The Settings tab: retention, encryption, capacity mode, tags, enhanced
// monitoring, maximum record size and the resource policy. Each section
// saves on its own and reloads what the API then reports.
import {
  AddTagsToStreamCommand, DecreaseStreamRetentionPeriodCommand, DeleteResourcePolicyCommand, DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand, EnableEnhancedMonitoringCommand, GetResourcePolicyCommand, IncreaseStreamRetentionPeriodCommand,
  ListTagsForStreamCommand, PutResourcePolicyCommand, RemoveTagsFromStreamCommand, StartStreamEncryptionCommand,
  StopStreamEncryptionCommand, UpdateMaxRecordSizeCommand, UpdateStreamModeCommand,
} from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { attempt, field, h, showError, showInfo } from './dom.js';

const METRICS = ['IncomingBytes', 'IncomingRecords', 'OutgoingBytes', 'OutgoingRecords', 'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded', 'IteratorAgeMilliseconds'];

function section(title, ...children) {
  return h('section', { class: 'setting', 'aria-label': title }, h('h2', {}, title), ...children);
}

export function settingsTab(streamName, { refreshSummary }) {
  let summary = null;
  let loading = null;
  // The forms are disabled until the first load has filled them. A field the
  // user has changed, or is in, keeps the user's value when the stream's
  // settings reload; a save reloads every other field from what the API reports.
  const edited = new Set();
  const show = (input, value) => { if (!edited.has(input) && document.activeElement !== input) input.value = value; };
  const saved = (message) => { showInfo(message); edited.clear(); loading = load(); refreshSummary(); };
  // The summary the forms compare against: a submit before the first load
  // waits for it; one after a failed load loads again.
  async function current() {
    if (!summary) await loading;
    if (!summary) await (loading = load());
    if (!summary) throw new Error('The stream\'s settings could not be loaded.');
    return summary;
  }

  // Retention
  const retention = h('input', { name: 'RetentionPeriodHours', type: 'number', min: 24, max: 8760, required: true });
  const retentionButton = h('button', { type: 'submit' }, 'Save retention');
  const retentionForm = h('form', { class: 'inline-form' }, field('Retention (hours, 24–8760)', retention), retentionButton);
  retentionForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const hours = Number(retention.value);
    const done = await attempt(async () => {
      const hoursNow = (await current()).RetentionPeriodHours;
      if (hours === hoursNow) return 'unchanged';
      const Command = hours > hoursNow ? IncreaseStreamRetentionPeriodCommand : DecreaseStreamRetentionPeriodCommand;
      await call(new Command({ StreamName: streamName, RetentionPeriodHours: hours }));
      return 'saved';
    }, retentionButton);
    if (done === 'unchanged') showInfo('Retention unchanged.');
    else if (done) saved(`Retention is now ${hours} hours.`);
  });

  // Encryption
  const encryptionState = h('p', {});
  const keyId = h('input', { name: 'KeyId', value: 'alias/aws/kinesis', size: 40, spellcheck: 'false' });
  const encryptButton = h('button', { type: 'submit' }, 'Start encryption');
  const decryptButton = h('button', { type: 'button', class: 'secondary' }, 'Stop encryption');
  const encryptionForm = h('form', { class: 'inline-form' }, field('KMS key ID', keyId), encryptButton, decryptButton);
  encryptionForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(() => call(new StartStreamEncryptionCommand({ StreamName: streamName, EncryptionType: 'KMS', KeyId: keyId.value.trim() })), encryptButton)) saved('Encryption started.');
  });
  decryptButton.addEventListener('click', async () => {
    if (await attempt(() => call(new StopStreamEncryptionCommand({ StreamName: streamName, EncryptionType: 'KMS', KeyId: keyId.value.trim() })), decryptButton)) saved('Encryption stopped.');
  });

  // Capacity mode
  const mode = h('select', { name: 'StreamMode' }, h('option', { value: 'PROVISIONED' }, 'Provisioned'), h('option', { value: 'ON_DEMAND' }, 'On-demand'));
  const modeButton = h('button', { type: 'submit' }, 'Save mode');
  const modeForm = h('form', { class: 'inline-form' }, field('Capacity mode', mode), modeButton);
  modeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(async () => call(new UpdateStreamModeCommand({ StreamARN: (await current()).StreamARN, StreamModeDetails: { StreamMode: mode.value } })), modeButton)) saved(`Mode is now ${mode.value}.`);
  });

  // Tags
  const tagsBody = h('tbody');
  const tagKey = h('input', { name: 'TagKey', required: true, spellcheck: 'false' });
  const tagValue = h('input', { name: 'TagValue', spellcheck: 'false' });
  const tagButton = h('button', { type: 'submit' }, 'Add tag');
  const tagForm = h('form', { class: 'inline-form' }, field('Tag key', tagKey), field('Tag value', tagValue), tagButton);
  tagForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(() => call(new AddTagsToStreamCommand({ StreamName: streamName, Tags: { [tagKey.value]: tagValue.value } })), tagButton)) {
      tagKey.value = '';
      tagValue.value = '';
      saved('Tag added.');
    }
  });

  // Enhanced monitoring
  const boxes = METRICS.map((m) => h('input', { type: 'checkbox', name: m, value: m }));
  const monitoringButton = h('button', { type: 'submit' }, 'Save monitoring');
  const monitoringForm = h('form', {}, h('fieldset', { class: 'checks' }, h('legend', {}, 'Shard-level metrics'),
    ...boxes.map((b) => h('label', {}, b, ` ${b.value}`))), monitoringButton);
  monitoringForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const done = await attempt(async () => {
      const enabled = new Set((((await current()).EnhancedMonitoring || [])[0]?.ShardLevelMetrics) || []);
      const enable = boxes.filter((b) => b.checked && !enabled.has(b.value)).map((b) => b.value);
      const disable = boxes.filter((b) => !b.checked && enabled.has(b.value)).map((b) => b.value);
      if (enable.length) await call(new EnableEnhancedMonitoringCommand({ StreamName: streamName, ShardLevelMetrics: enable }));
      if (disable.length) await call(new DisableEnhancedMonitoringCommand({ StreamName: streamName, ShardLevelMetrics: disable }));
      return true;
    }, monitoringButton);
    if (done) saved('Enhanced monitoring saved.');
  });

  // Maximum record size
  const recordSize = h('input', { name: 'MaxRecordSizeInKiB', type: 'number', min: 1024, max: 10240, required: true });
  const recordSizeButton = h('button', { type: 'submit' }, 'Save record size');
  const recordSizeForm = h('form', { class: 'inline-form' }, field('Maximum record size (KiB, 1024–10240)', recordSize), recordSizeButton);
  recordSizeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(async () => call(new UpdateMaxRecordSizeCommand({ StreamARN: (await current()).StreamARN, MaxRecordSizeInKiB: Number(recordSize.value) })), recordSizeButton)) saved(`Maximum record size is now ${recordSize.value} KiB.`);
  });

  // Resource policy
  const policy = h('textarea', { name: 'Policy', rows: 8, cols: 70, spellcheck: 'false' });
  const policyButton = h('button', { type: 'submit' }, 'Save policy');
  const deletePolicyButton = h('button', { type: 'button', class: 'secondary' }, 'Delete policy');
  const policyForm = h('form', {}, field('Policy (JSON)', policy), h('div', { class: 'actions' }, deletePolicyButton, policyButton));
  policyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(async () => call(new PutResourcePolicyCommand({ ResourceARN: (await current()).StreamARN, Policy: policy.value })), policyButton)) saved('Policy saved.');
  });
  deletePolicyButton.addEventListener('click', async () => {
    if (await attempt(async () => call(new DeleteResourcePolicyCommand({ ResourceARN: (await current()).StreamARN })), deletePolicyButton)) saved('Policy deleted.');
  });

  const element = h('div', { class: 'settings' },
    section('Retention', retentionForm),
    section('Encryption', encryptionState, encryptionForm),
    section('Capacity mode', modeForm),
    section('Tags', h('div', { class: 'scroll' }, h('table', { 'aria-label': 'Tags' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Value'), h('th', {}, ''))), tagsBody)), tagForm),
    section('Enhanced monitoring', monitoringForm),
    section('Maximum record size', recordSizeForm),
    section('Resource policy', policyForm));

  let stopped = false;
  let loads = 0;  // a load that a newer one overtook shows nothing
  async function load() {
    const mine = ++loads;
    try {
      const s = (await call(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary;
      const tags = await call(new ListTagsForStreamCommand({ StreamName: streamName }));
      const resourcePolicy = await call(new GetResourcePolicyCommand({ ResourceARN: s.StreamARN }));
      if (stopped || mine !== loads) return;
      summary = s;
      show(retention, String(s.RetentionPeriodHours));
      encryptionState.textContent = s.EncryptionType === 'KMS' ? `Encrypted with KMS key ${s.KeyId}.` : 'Not encrypted.';
      if (s.KeyId) show(keyId, s.KeyId);
      show(mode, s.StreamModeDetails ? s.StreamModeDetails.StreamMode : 'PROVISIONED');
      const metrics = new Set(((s.EnhancedMonitoring || [])[0]?.ShardLevelMetrics) || []);
      for (const b of boxes) if (!edited.has(b)) b.checked = metrics.has(b.value) || metrics.has('ALL');
      show(recordSize, String(s.MaxRecordSizeInKiB || 1024));
      tagsBody.replaceChildren(...(tags.Tags || []).map((t) => {
        const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': `Remove tag ${t.Key}` }, 'Remove');
        remove.addEventListener('click', async () => {
          if (await attempt(() => call(new RemoveTagsFromStreamCommand({ StreamName: streamName, TagKeys: [t.Key] })), remove)) saved('Tag removed.');
        });
        return h('tr', {}, h('th', { scope: 'row' }, t.Key), h('td', {}, t.Value || ''), h('td', {}, remove));
      }));
      let text = resourcePolicy.Policy || '';
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as stored */ }
      show(policy, text);
    } catch (error) {
      if (!stopped) showError(error);
    }
  }
  for (const input of [retention, keyId, mode, recordSize, policy, ...boxes]) {
    input.addEventListener(input.type === 'checkbox' || input.tagName === 'SELECT' ? 'change' : 'input', () => edited.add(input));
  }
  const controls = [...element.querySelectorAll('input, select, textarea, button')];
  for (const control of controls) control.disabled = true;
  element.setAttribute('aria-busy', 'true');
  loading = load().finally(() => {
    for (const control of controls) control.disabled = false;
    element.removeAttribute('aria-busy');
  });
  return { element, stop() { stopped = true; } };
}
