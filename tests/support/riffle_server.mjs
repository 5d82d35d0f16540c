// Start and stop a riffle server for Node client tests (the counterpart of
// riffle_server.py): `riffle serve --in-memory` on free ports, optionally
// with https from a `riffle cert` certificate in `tlsDir`.
//
//   const server = await startRiffle({ tlsDir });  // server.http, server.https
//   ...
//   assert.equal(await server.stop(), 0, server.stderr());
//
// With env RIFFLE_CLUSTER=1 the server is a whole cluster behind one endpoint
// (cluster_endpoint.py: 3 nats-server, 3 Riffle nodes with `args`, a proxy);
// HTTP/2 connections are spread over the nodes per connection, so each new
// client object may talk to another node (docs/cluster-tests.md). There is
// no https then: `server.https` is undefined and TLS tests skip
// (`clusterSkip`).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const clusterMode = !['', '0', undefined].includes(process.env.RIFFLE_CLUSTER);
// For node:test's `skip` option: a reason when running against a cluster.
export const clusterSkip = (why) => (clusterMode ? `not against a cluster: ${why}` : false);

const clusterEndpoint = join(dirname(fileURLToPath(import.meta.url)), 'cluster_endpoint.py');

export async function startRiffle({ bin = process.env.RIFFLE_BIN, tlsDir, args = [] } = {}) {
  if (!bin) throw new Error('set RIFFLE_BIN to the riffle binary');
  if (clusterMode) tlsDir = undefined;
  const flags = ['serve', '--in-memory', '--host', '127.0.0.1', '--port', '0'];
  if (tlsDir) {
    const cert = spawnSync(bin, ['cert', '--out-dir', tlsDir], { encoding: 'utf8' });
    if (cert.status !== 0) throw new Error(`riffle cert failed: ${cert.stderr}`);
    flags.push('--tls-cert', join(tlsDir, 'riffle.crt'), '--tls-key', join(tlsDir, 'riffle.key'), '--tls-port', '0');
  }
  // The cluster harness stops everything when its stdin closes (this process died).
  const child = clusterMode
    ? spawn(process.env.RIFFLE_PYTHON || 'python3', [clusterEndpoint, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(bin, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  // One "Riffle ready at URL" line per listener.
  const lines = await new Promise((resolve, reject) => {
    const want = tlsDir ? 2 : 1;
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`riffle not ready: ${stderr}`)), clusterMode ? 90000 : 20000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      seen.push(line.replace('Riffle ready at ', '').trim());
      if (seen.length === want) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    child.on('exit', (code) => reject(new Error(`riffle exited ${code}: ${stderr}`)));
  });
  return {
    http: lines[0],
    https: lines[1],
    stderr: () => stderr,
    // SIGTERM; resolves to the exit code (0 after a clean stop).
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
