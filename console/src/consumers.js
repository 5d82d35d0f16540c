// The Consumers tab: the stream's registered (enhanced fan-out) consumers
// with their status; register and deregister.
import { DeregisterStreamConsumerCommand, DescribeStreamSummaryCommand, ListStreamConsumersCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { call } from './api.js';
import { attempt, confirmDialog, field, h, showError, showInfo } from './dom.js';
import { formatTime } from './format.js';

export async function streamArn(streamName) {
  return (await call(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary.StreamARN;
}

export function consumersTab(streamName, { refreshSummary }) {
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, 'No consumers registered.');
  const table = h('div', { class: 'scroll' }, h('table', { 'aria-label': 'Consumers' },
    h('thead', {}, h('tr', {}, ['Name', 'Status', 'Registered', 'ARN', ''].map((t) => h('th', { scope: 'col' }, t)))), tbody));
  const name = h('input', { name: 'ConsumerName', required: true, pattern: '[a-zA-Z0-9_.\\-]{1,128}', spellcheck: 'false' });
  const registerButton = h('button', { type: 'submit' }, 'Register consumer');
  const form = h('form', { class: 'inline-form', 'aria-label': 'Register a consumer' }, field('Consumer name', name), registerButton);
  let arn = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const done = await attempt(async () => {
      arn = arn || await streamArn(streamName);
      return call(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name.value.trim() }));
    }, registerButton);
    if (done) {
      showInfo(`Registered consumer ${done.Consumer.ConsumerName}.`);
      name.value = '';
      load();
      refreshSummary();
    }
  });
  const element = h('div', {}, h('h2', {}, 'Consumers'), table, empty, h('h2', {}, 'Register a consumer'), form);

  let stopped = false;
  let loads = 0;  // a load that a newer one overtook shows nothing
  async function load() {
    const mine = ++loads;
    try {
      arn = arn || await streamArn(streamName);
      const consumers = [];
      let token;
      do {
        const page = await call(new ListStreamConsumersCommand(token ? { StreamARN: arn, NextToken: token } : { StreamARN: arn }));
        consumers.push(...(page.Consumers || []));
        token = page.NextToken;
      } while (token);
      if (stopped || mine !== loads) return;
      empty.hidden = consumers.length > 0;
      tbody.replaceChildren(...consumers.map((c) => {
        const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': `Deregister consumer ${c.ConsumerName}` }, 'Deregister');
        remove.addEventListener('click', async () => {
          if (!await confirmDialog(`Deregister consumer ${c.ConsumerName}?`, 'Deregister')) return;
          const done = await attempt(() => call(new DeregisterStreamConsumerCommand({ ConsumerARN: c.ConsumerARN })), remove);
          if (done) {
            showInfo(`Deregistering consumer ${c.ConsumerName}.`);
            load();
            refreshSummary();
          }
        });
        return h('tr', { 'data-consumer': c.ConsumerName },
          h('th', { scope: 'row' }, c.ConsumerName),
          h('td', {}, h('span', { class: `badge ${c.ConsumerStatus.toLowerCase()}` }, c.ConsumerStatus)),
          h('td', {}, formatTime(c.ConsumerCreationTimestamp)),
          h('td', { class: 'mono' }, c.ConsumerARN), h('td', {}, remove));
      }));
    } catch (error) {
      if (!stopped) showError(error);
    }
  }
  load();
  const timer = setInterval(load, 5000);
  return { element, stop() { stopped = true; clearInterval(timer); } };
}
