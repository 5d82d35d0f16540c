#!/usr/bin/env python3
"""RSS of a durable Riffle during a long ingest of maximum-size records (`make bench-rss`).

Starts build/riffle on a fresh data directory in /tmp, then runs `riffle-bench put-records`
(maximum-size records: 1 MiB with their 19-byte partition keys, 5 per request, 16 shards, 4 connections) in rounds until the target volume
is ingested. Each round uses its own stream, which riffle-bench deletes at its end, so the
disk holds about one round at a time. VmRSS of the server is sampled every 0.5 s throughout.
Prints one line per round and a summary (GiB ingested, peak and final RSS); --json writes
the summary and the samples to a file.

Knobs (flags, or the environment for `make bench-rss`): --gib (RSS_GIB, default 10),
--round-seconds (RSS_ROUND_S, 20), --shards (RSS_SHARDS, 16), --connections (RSS_CONNECTIONS, 4),
--record-size (1048557), --batch (5), extra server flags after `--`.

Before starting, the free space of the data directory's disk is checked: a round needs room
for its data, the write-ahead log and compaction (3 x the bytes one round can write at
PutRecords' best rate, 150 MiB/s); with less, rounds are shortened, and below 1 GiB of free
space the run stops with a message.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1 << 20
GIB = 1 << 30
BEST_RATE = 150 * MIB  # bytes/s: above what PutRecords reaches on the development machine


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def rss_kib(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def dir_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


class Sampler(threading.Thread):
    """Samples the server's VmRSS every `interval` seconds until stopped."""

    def __init__(self, pid, interval=0.5):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples = []  # (seconds since start, KiB)
        self.stopped = threading.Event()
        self.start_time = time.monotonic()

    def run(self):
        while not self.stopped.is_set():
            kib = rss_kib(self.pid)
            if kib is not None:
                self.samples.append((round(time.monotonic() - self.start_time, 2), kib))
            self.stopped.wait(self.interval)

    def peak(self):
        return max((k for _, k in self.samples), default=0)


def main():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--build', default=env('BUILD', os.path.join(ROOT, 'build')))
    parser.add_argument('--gib', type=float, default=float(env('RSS_GIB', '10')))
    parser.add_argument('--round-seconds', type=float, default=float(env('RSS_ROUND_S', '20')))
    parser.add_argument('--shards', type=int, default=int(env('RSS_SHARDS', '16')))
    parser.add_argument('--connections', type=int, default=int(env('RSS_CONNECTIONS', '4')))
    parser.add_argument('--record-size', type=int, default=MIB - 19, help="data bytes per record (riffle-bench's keys are 19 bytes)")
    parser.add_argument('--batch', type=int, default=5)
    parser.add_argument('--json', help='write the summary and the RSS samples to this file')
    parser.add_argument('server_args', nargs='*', help='extra `riffle serve` flags (after --)')
    args = parser.parse_args()

    riffle = os.path.join(args.build, 'riffle')
    bench = os.path.join(args.build, 'riffle-bench')
    for path in (riffle, bench):
        if not os.access(path, os.X_OK):
            sys.exit('ingest_rss: build first (%s missing)' % path)

    work = tempfile.mkdtemp(prefix='riffle-rss.')
    data_dir = os.path.join(work, 'data')
    free = shutil.disk_usage(work).free
    round_seconds = args.round_seconds
    if free < GIB:
        shutil.rmtree(work, ignore_errors=True)
        sys.exit('ingest_rss: only %.2f GiB free under %s; at least 1 GiB is needed' % (free / GIB, work))
    if 3 * BEST_RATE * round_seconds > free:
        round_seconds = max(1.0, free / (3 * BEST_RATE))
        print('ingest_rss: %.1f GiB free under %s: rounds shortened to %.1f s so that one round fits'
              % (free / GIB, work, round_seconds), flush=True)
    target = int(args.gib * GIB)

    port = free_port()
    log = open(os.path.join(work, 'riffle.log'), 'wb')
    command = [riffle, 'serve', '--port', str(port), '--data-dir', data_dir, '--log-level', 'warn'] + args.server_args
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
    ready = server.stdout.readline().decode()
    if not ready.startswith('Riffle ready'):
        server.kill()
        sys.exit('ingest_rss: riffle did not start: %s' % open(log.name).read()[-2000:])
    # The rest of stdout (spdlog's console sink) goes to the log: a full pipe would stall the server.
    threading.Thread(target=lambda: shutil.copyfileobj(server.stdout, log), daemon=True).start()
    time.sleep(1)
    idle_kib = rss_kib(server.pid)
    sampler = Sampler(server.pid)
    sampler.start()
    print('ingest_rss: riffle pid %d on port %d, idle RSS %.1f MiB; target %.1f GiB of %d-byte records, '
          'batch %d, %d shards, %d connections, rounds of %.1f s'
          % (server.pid, port, idle_kib / 1024, target / GIB, args.record_size, args.batch, args.shards,
             args.connections, round_seconds), flush=True)

    ingested = 0
    rounds = []
    failure = None
    started = time.monotonic()
    try:
        while ingested < target:
            n = len(rounds) + 1
            bench_cmd = [bench, 'put-records', '--endpoint', 'http://127.0.0.1:%d' % port,
                         '--record-size', str(args.record_size), '--batch', str(args.batch),
                         '--shards', str(args.shards), '--connections', str(args.connections),
                         '--duration', str(round_seconds), '--stream', 'ingest-rss-%d' % n, '--json']
            result = subprocess.run(bench_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    timeout=round_seconds + 600)
            if result.returncode != 0 or server.poll() is not None:
                failure = 'round %d failed (riffle-bench exit %d, server %s): %s' % (
                    n, result.returncode, 'running' if server.poll() is None else 'exited',
                    result.stderr.decode()[-1000:])
                break
            summary = json.loads(result.stdout.decode().strip().splitlines()[-1])
            ingested += summary['bytes']
            row = {'round': n, 'bytes': summary['bytes'], 'mib_per_s': summary['mib_per_s'],
                   'errors': summary['errors'], 'rss_mib': round(rss_kib(server.pid) / 1024, 1),
                   'peak_mib': round(sampler.peak() / 1024, 1), 'data_dir_mib': round(dir_bytes(data_dir) / MIB)}
            rounds.append(row)
            print('ingest_rss: round %d: %.2f GiB at %.0f MiB/s (%d errors); total %.2f GiB; RSS now %.1f MiB, '
                  'peak so far %.1f MiB; data dir %d MiB'
                  % (n, summary['bytes'] / GIB, summary['mib_per_s'], summary['errors'], ingested / GIB,
                     row['rss_mib'], row['peak_mib'], row['data_dir_mib']), flush=True)
    finally:
        elapsed = time.monotonic() - started
        time.sleep(2)  # RSS once the last requests are done
        sampler.stopped.set()
        sampler.join()
        final_kib = rss_kib(server.pid) or 0
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)

    report = {'gib_ingested': round(ingested / GIB, 2), 'seconds': round(elapsed, 1),
              'mib_per_s': round(ingested / MIB / max(elapsed, 1e-9), 1),
              'idle_rss_mib': round(idle_kib / 1024, 1), 'peak_rss_mib': round(sampler.peak() / 1024, 1),
              'final_rss_mib': round(final_kib / 1024, 1), 'samples': len(sampler.samples),
              'record_size': args.record_size, 'batch': args.batch, 'shards': args.shards,
              'connections': args.connections, 'server_args': args.server_args, 'rounds': rounds}
    print('ingest_rss: %.2f GiB ingested in %.0f s (%.0f MiB/s); RSS idle %.1f MiB, peak %.1f MiB, final %.1f MiB '
          '(%d samples every 0.5 s)'
          % (ingested / GIB, elapsed, report['mib_per_s'], report['idle_rss_mib'], report['peak_rss_mib'],
             report['final_rss_mib'], len(sampler.samples)), flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(report, rss_samples=sampler.samples), f)
    if failure:
        sys.exit('ingest_rss: ' + failure)


if __name__ == '__main__':
    main()
