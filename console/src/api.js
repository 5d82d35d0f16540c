// The page's Kinesis client: the AWS SDK for JavaScript v3 against this
// origin, signing with the credentials the user entered (kept in this tab's
// session storage). Any credentials work against a Riffle that does not
// check signatures; with --credentials only the right secret does.
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';

const KEY = 'riffle-console-credentials';
export const DEFAULT_CREDENTIALS = { accessKeyId: 'riffle', secretAccessKey: 'riffle', sessionToken: '', region: 'us-east-1' };

export function loadCredentials() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && saved.accessKeyId && saved.secretAccessKey) return { ...DEFAULT_CREDENTIALS, ...saved };
  } catch { /* a damaged entry: use the default */ }
  return { ...DEFAULT_CREDENTIALS };
}

export function saveCredentials(credentials) {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
  client = null;
}

export function clearCredentials() {
  sessionStorage.removeItem(KEY);
  client = null;
}

function identity(c) {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken || undefined };
}

let client = null;

export function kinesis() {
  if (!client) {
    const c = loadCredentials();
    client = new KinesisClient({
      endpoint: window.location.origin,
      region: c.region || 'us-east-1',
      credentials: identity(c),
      maxAttempts: 1,  // show the API's answer, do not retry it
    });
  }
  return client;
}

// Sends one command: call(new ListStreamsCommand({...})).
export function call(command) {
  return kinesis().send(command);
}

// The server's per-second traffic of this account's streams in this region
// (GET /console/api/rates), signed like an API call.
export async function fetchRates() {
  const c = loadCredentials();
  const url = new URL('api/rates', window.location.href);
  const signer = new SignatureV4({ service: 'kinesis', region: c.region || 'us-east-1', credentials: identity(c), sha256: Sha256 });
  const signed = await signer.sign({
    method: 'GET', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined,
    path: url.pathname, query: {}, headers: { host: url.host },
  });
  const headers = { ...signed.headers };
  delete headers.host;  // the browser sets it
  const response = await fetch(url, { headers, cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body.message || `HTTP ${response.status}`);
    error.name = body.__type || 'Error';
    throw error;
  }
  return body;
}
