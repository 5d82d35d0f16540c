// A stream's page: its summary, live rate charts, and the tabs Shards,
// Records, Consumers and Settings (role="tablist"; arrow keys move between
// tabs).
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { rateChart } from './charts.js';
import { h, showError } from './dom.js';
import { formatHours } from './format.js';
import { watchRates } from './rates.js';
import { shardsTab } from './shards.js';
import { recordsTab } from './records.js';
import { consumersTab } from './consumers.js';
import { settingsTab } from './settings.js';

let focusTab = null;

const TABS = [
  ['shards', 'Shards', shardsTab],
  ['records', 'Records', recordsTab],
  ['consumers', 'Consumers', consumersTab],
  ['settings', 'Settings', settingsTab],
];

export function streamView(name, tabName) {
  const selected = TABS.find((t) => t[0] === tabName) || TABS[0];
  const facts = h('dl', { class: 'facts' });
  const recordsChart = rateChart('Records per second', [1, 3], false);
  const bytesChart = rateChart('Bytes per second', [2, 4], true);
  const tablist = h('div', { role: 'tablist', 'aria-label': `Stream ${name}` });
  const panel = h('div', { role: 'tabpanel', id: 'tab-panel', 'aria-labelledby': `tab-${selected[0]}`, tabindex: '0' });
  TABS.forEach(([key, label], i) => {
    const tab = h('a', {
      role: 'tab', id: `tab-${key}`, href: `#/streams/${encodeURIComponent(name)}/${key}`,
      'aria-selected': key === selected[0] ? 'true' : 'false', 'aria-controls': 'tab-panel',
      tabindex: key === selected[0] ? '0' : '-1',
    }, label);
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      const next = TABS[(i + step + TABS.length) % TABS.length][0];
      focusTab = `tab-${next}`;  // the new page takes the focus once shown
      window.location.hash = `#/streams/${encodeURIComponent(name)}/${next}`;
    });
    tablist.append(tab);
  });

  const element = h('section', { class: 'view' },
    h('div', { class: 'toolbar' }, h('h1', {}, name), facts),
    h('div', { class: 'charts' }, recordsChart.element, bytesChart.element),
    tablist, panel);

  let stopped = false;
  let loads = 0;  // a load that a newer one overtook shows nothing
  async function loadSummary() {
    const mine = ++loads;
    try {
      const s = (await call(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
      if (stopped || mine !== loads) return;
      const item = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
      facts.replaceChildren(
        ...item('Status', h('span', { class: `badge ${s.StreamStatus.toLowerCase()}` }, s.StreamStatus)),
        ...item('Mode', s.StreamModeDetails ? s.StreamModeDetails.StreamMode : 'PROVISIONED'),
        ...item('Open shards', String(s.OpenShardCount)),
        ...item('Retention', formatHours(s.RetentionPeriodHours)),
        ...item('Consumers', String(s.ConsumerCount ?? 0)));
    } catch (error) {
      if (!stopped) showError(error);
    }
  }

  const tab = selected[2](name, { refreshSummary: loadSummary });
  panel.append(tab.element);
  const unwatch = watchRates((rates) => {
    const points = rates.get(name);
    recordsChart.update(points);
    bytesChart.update(points);
  });
  loadSummary();
  const timer = setInterval(loadSummary, 5000);
  return {
    element,
    mounted() {
      if (focusTab) document.getElementById(focusTab)?.focus();
      focusTab = null;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      unwatch();
      tab.stop();
    },
  };
}
