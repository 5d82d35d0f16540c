// The Riffle console: a single page that is itself a Kinesis client.
// Routes (in the URL's hash): #/ the stream table; #/streams/NAME/TAB a
// stream's page (shards, records, consumers, settings).
import './style.css';
import { h, field, clearStatus, showInfo } from './dom.js';
import { loadCredentials, saveCredentials, clearCredentials, DEFAULT_CREDENTIALS } from './api.js';
import { streamsView } from './streams.js';
import { streamView } from './stream.js';

let current = null;  // the mounted view: { element, stop() }

function route() {
  const hash = decodeURIComponent(window.location.hash.replace(/^#/, '')) || '/';
  const parts = hash.split('/').filter(Boolean);
  if (current) current.stop();
  clearStatus();
  const crumbs = document.getElementById('crumbs');
  if (parts[0] === 'streams' && parts[1]) {
    const name = parts[1];
    const tab = parts[2] || 'shards';
    crumbs.replaceChildren(h('a', { href: '#/' }, 'Streams'), ' / ', h('span', { 'aria-current': 'page' }, name));
    current = streamView(name, tab);
  } else {
    crumbs.replaceChildren(h('span', { 'aria-current': 'page' }, 'Streams'));
    current = streamsView();
  }
  const app = document.getElementById('app');
  app.replaceChildren(current.element);
  if (current.mounted) current.mounted();
}

function credentialsDialog() {
  const c = loadCredentials();
  const accessKey = h('input', { name: 'accessKeyId', value: c.accessKeyId, autocomplete: 'off', required: true, spellcheck: 'false' });
  const secret = h('input', { name: 'secretAccessKey', type: 'password', value: c.secretAccessKey, autocomplete: 'off', required: true });
  const token = h('input', { name: 'sessionToken', value: c.sessionToken || '', autocomplete: 'off' });
  const region = h('input', { name: 'region', value: c.region, required: true, spellcheck: 'false' });
  const dialog = h('dialog', { class: 'credentials', 'aria-labelledby': 'credentials-title' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'credentials-title' }, 'Credentials'),
      h('p', { class: 'muted' }, 'The console signs its API calls with these, like any Kinesis client. ',
        'They are kept in this tab only (session storage). A Riffle that does not check signatures accepts any.'),
      field('Access key ID', accessKey), field('Secret access key', secret),
      field('Session token (optional)', token), field('Region', region),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', value: 'reset', class: 'secondary' }, 'Use the default'),
        h('button', { type: 'submit', value: 'cancel', class: 'secondary', formnovalidate: true }, 'Cancel'),
        h('button', { type: 'submit', value: 'save' }, 'Save'))));
  dialog.addEventListener('close', () => {
    const choice = dialog.returnValue;
    dialog.remove();
    if (choice === 'save') {
      saveCredentials({ accessKeyId: accessKey.value.trim(), secretAccessKey: secret.value,
        sessionToken: token.value.trim(), region: region.value.trim() || DEFAULT_CREDENTIALS.region });
    } else if (choice === 'reset') {
      clearCredentials();
    } else {
      return;
    }
    route();
    const now = loadCredentials();
    showInfo(`Signing as ${now.accessKeyId} in ${now.region}.`);
  });
  document.body.append(dialog);
  dialog.showModal();
}

document.getElementById('credentials-button').addEventListener('click', credentialsDialog);
window.addEventListener('hashchange', route);
route();
