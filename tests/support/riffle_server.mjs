// Start and stop a riffle server for Node client tests (the counterpart of
// riffle_server.py): `riffle serve --in-memory` on free ports, optionally
// with https from a `riffle cert` certificate in `tlsDir`.
//
//   const server = await startRiffle({ tlsDir });  // server.http, server.https
//   ...
//   assert.equal(await server.stop(), 0, server.stderr());
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startRiffle({ bin = process.env.RIFFLE_BIN, tlsDir, args = [] } = {}) {
  if (!bin) throw new Error('set RIFFLE_BIN to the riffle binary');
  const flags = ['serve', '--in-memory', '--host', '127.0.0.1', '--port', '0'];
  if (tlsDir) {
    const cert = spawnSync(bin, ['cert', '--out-dir', tlsDir], { encoding: 'utf8' });
    if (cert.status !== 0) throw new Error(`riffle cert failed: ${cert.stderr}`);
    flags.push('--tls-cert', join(tlsDir, 'riffle.crt'), '--tls-key', join(tlsDir, 'riffle.key'), '--tls-port', '0');
  }
  const child = spawn(bin, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  // One "Riffle ready at URL" line per listener.
  const lines = await new Promise((resolve, reject) => {
    const want = tlsDir ? 2 : 1;
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`riffle not ready: ${stderr}`)), 20000);
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
