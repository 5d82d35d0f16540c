#!/usr/bin/env python3
"""`make bench-scale`: how Riffle's cost grows with the amount of work it holds.

Each curve starts its own durable `riffle serve` (fresh --data-dir in /tmp, default --sync,
--shard-limit 100000) and stops it at its end:
  streams        PutRecord (riffle-bench put-record, 1 KiB, 32 connections) into one 1-shard stream
                 while the server holds 1, 100, 10,000 streams: requests/s, p50/p99, ratio to 1.
  shards         the same into one stream of 4, 100, 2,000 shards.
  getrecords     GetRecords (Limit 1000) of the oldest (TRIM_HORIZON) and of the newest 1000 records
                 of one shard of 50,000,000 100-byte records: p50/p99 ms of 50 calls each.
  startup        restart time (spawn -> "Riffle ready") and RSS after 5 s idle, 0 and 10,000 streams.
  connections    RSS before/after 1,000 idle HTTP/1.1 keep-alive connections (one ListStreams each).
  subscriptions  RSS before/after 500 idle SubscribeToShard subscriptions (boto3, HTTP/1.1).
Prints a Markdown table per curve on stdout (progress on stderr), appends the raw figures as one
JSON line to BUILD/bench-scale/results.json, and draws BUILD/bench-scale/<curve>.png with gnuplot
if it is on PATH (the .dat and .gp files are written either way).

Run: `make bench-scale`, or `BUILD=build python3 bench/scale.py`. Knobs: SCALE_FACTOR (default 1.0,
scales every count), SCALE_SECONDS (10, per throughput point), SCALE_ONLY (comma list of curves),
SCALE_GET_IN_MEMORY=1 (run the getrecords curve on an --in-memory server, should the durable fill be too slow).
"""
import base64
import http.client
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get('BUILD', os.path.join(ROOT, 'build')))
FACTOR = float(os.environ.get('SCALE_FACTOR', '1.0'))
SECONDS = float(os.environ.get('SCALE_SECONDS', '10'))
GET_IN_MEMORY = os.environ.get('SCALE_GET_IN_MEMORY', '') not in ('', '0')
CURVES = ['streams', 'shards', 'getrecords', 'startup', 'connections', 'subscriptions']
ONLY = [c for c in os.environ.get('SCALE_ONLY', ','.join(CURVES)).replace(' ', '').split(',') if c]
OUT = os.path.join(BUILD, 'bench-scale')
RIFFLE, BENCH = os.path.join(BUILD, 'riffle'), os.path.join(BUILD, 'riffle-bench')
PUT_CONNECTIONS = 32
KEYS_PER_CONNECTION = 16  # riffle-bench put-record cycles through <= 16 prepared bodies per connection
SETTLE = 3.0  # seconds of quiet before an RSS reading
GNUPLOT = shutil.which('gnuplot')


def log(msg):
    print('scale: ' + msg, file=sys.stderr, flush=True)


def scaled(full):
    return max(1, int(round(full * FACTOR)))


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))] if s else 0.0


class Server:
    """One `riffle serve --port 0` (a context manager: stopped, its data dir removed at the end)."""

    def __init__(self, work, name, in_memory=False, extra=()):
        self.data_dir, self.log_path = os.path.join(work, name), os.path.join(work, name + '.log')
        store = ['--in-memory'] if in_memory else ['--data-dir', self.data_dir]
        self.args = store + ['--shard-limit', '100000', '--log-level', 'warn'] + list(extra)
        self.proc = None

    def start(self):
        """Returns the seconds from the spawn to the ready line."""
        log_file = open(self.log_path, 'ab')
        t0 = time.monotonic()
        self.proc = subprocess.Popen([RIFFLE, 'serve', '--port', '0'] + self.args, stdout=subprocess.PIPE,
                                     stderr=log_file, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        ready_s = time.monotonic() - t0
        m = re.match(r'Riffle ready at (http://(\S+):(\d+))', line)
        if not m:
            self.stop()
            raise RuntimeError('riffle did not start: %r; log: %s' % (line, open(self.log_path).read()[-1500:]))
        self.endpoint, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
        # The rest of stdout goes to the log: a full pipe would stall the server.
        threading.Thread(target=shutil.copyfileobj, args=(self.proc.stdout, log_file), daemon=True).start()
        log('riffle pid %d at %s (%s)' % (self.proc.pid, self.endpoint, ' '.join(self.args)))
        return ready_s

    def fds(self):
        return len(os.listdir('/proc/%d/fd' % self.proc.pid))

    def rss(self):
        """VmRSS in MiB."""
        with open('/proc/%d/status' % self.proc.pid) as f:
            return next(round(int(l.split()[1]) / 1024.0, 1) for l in f if l.startswith('VmRSS:'))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def kinesis(endpoint, pool=32):
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='bench',
                        aws_secret_access_key='bench',
                        config=Config(max_pool_connections=pool, retries={'max_attempts': 8, 'mode': 'standard'}))


def create_streams(client, names, shards=1, threads=16):
    """CreateStream (PROVISIONED) of every name from `threads` threads; waits until the last one is ACTIVE."""
    if not names:
        return
    t0 = time.monotonic()
    mode = {'StreamMode': 'PROVISIONED'}
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda n: client.create_stream(StreamName=n, ShardCount=shards, StreamModeDetails=mode), names))
    client.get_waiter('stream_exists').wait(StreamName=names[-1], WaiterConfig={'Delay': 0.2, 'MaxAttempts': 600})
    log('created %d stream(s) of %d shard(s) in %.1f s' % (len(names), shards, time.monotonic() - t0))


def count_streams(client):
    """(streams, ACTIVE streams) by ListStreams."""
    summaries = [s for page in client.get_paginator('list_streams').paginate() for s in page['StreamSummaries']]
    return len(summaries), sum(s['StreamStatus'] == 'ACTIVE' for s in summaries)


def riffle_bench(endpoint, scenario, *args):
    cmd = [BENCH, scenario, '--endpoint', endpoint, '--json'] + [str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError('riffle-bench failed (%d): %s' % (out.returncode, out.stderr[-1000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def put_point(endpoint, stream):
    r = riffle_bench(endpoint, 'put-record', '--no-setup', '--stream', stream, '--record-size', 1024,
                     '-c', PUT_CONNECTIONS, '--duration', SECONDS)
    if r['errors']:
        log('  %d errors: %s' % (r['errors'], r['error_types']))
    return dict(requests_per_s=r['requests_per_s'], p50_ms=r['latency_ms']['p50'], p99_ms=r['latency_ms']['p99'],
                errors=r['errors'])


# Without --credentials Riffle checks the shape of the SigV4 header, not the signature.
HEADERS = {'Authorization': 'AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/kinesis/aws4_request, '
                            'SignedHeaders=host;x-amz-date, Signature=0', 'X-Amz-Date': '20250101T000000Z',
           'Content-Type': 'application/x-amz-json-1.1'}


def api(conn, op, body):
    """One awsJson 1.1 call on a keep-alive http.client connection; the raw response body."""
    conn.request('POST', '/', json.dumps(body).encode(), dict(HEADERS, **{'X-Amz-Target': 'Kinesis_20131202.' + op}))
    r = conn.getresponse()
    payload = r.read()
    if r.status != 200:
        raise RuntimeError('%s: HTTP %d %s' % (op, r.status, payload[:300]))
    return payload


def chart(name, title, rows, plots, settings):
    """OUT/name.dat (rows) and OUT/name.gp; OUT/name.png if gnuplot is on PATH. DAT in plots is the data file."""
    dat, gp = os.path.join(OUT, name + '.dat'), os.path.join(OUT, name + '.gp')
    with open(dat, 'w') as f:
        f.writelines(' '.join('"%s"' % v if isinstance(v, str) else '%g' % v for v in row) + '\n' for row in rows)
    cairo = GNUPLOT and 'pngcairo' in subprocess.run('gnuplot -e "set terminal" 2>&1 </dev/null', shell=True,
                                                     capture_output=True, text=True).stdout
    script = ["set terminal pngcairo size 900,520 font ',10'" if cairo else 'set terminal png size 900,520',
              "set output '%s'" % os.path.join(OUT, name + '.png'), "set title '%s'" % title, 'set grid',
              'set yrange [0:*]'] + settings + ['plot ' + ', '.join(p.replace('DAT', "'%s'" % dat) for p in plots)]
    with open(gp, 'w') as f:
        f.write('\n'.join(script) + '\n')
    if GNUPLOT:
        subprocess.run(['gnuplot', gp], check=False)


def line_chart(name, title, xkey, xlabel, rows):
    chart(name, title, [(r[xkey], r['requests_per_s'], r['p99_ms']) for r in rows],
          ['DAT using 1:2 with linespoints lw 2 title "PutRecord requests/s" axes x1y1',
           'DAT using 1:3 with linespoints lw 2 title "p99 ms" axes x1y2'],
          ['set logscale x', "set xlabel '%s'" % xlabel, "set ylabel 'requests/s'", "set y2label 'p99 ms'",
           'set ytics nomirror', 'set y2tics', 'set y2range [0:*]', 'set key bottom left'])


def bar_chart(name, title, ylabel, labels, series):
    """series: [(title, [one value per label])], drawn as clustered bars."""
    chart(name, title, [(label,) + tuple(values[i] for _, values in series) for i, label in enumerate(labels)],
          ['DAT using %d:xtic(1) title "%s"' % (i + 2, t) for i, (t, _) in enumerate(series)],
          ["set ylabel '%s'" % ylabel, 'set style data histograms', 'set style histogram clustered gap 1',
           'set style fill solid 0.8 border -1', 'set boxwidth 0.9', 'set key top left'])


def throughput_table(rows, what):
    lines = ['| %s | requests/s | ratio to %s = %d | p50 ms | p99 ms | errors |' % (what, what, rows[0][what]),
             '|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        r['ratio'] = round(r['requests_per_s'] / (rows[0]['requests_per_s'] or 1.0), 3)
        lines.append('| %d | %.0f | %.2f | %.2f | %.2f | %d |' % (r[what], r['requests_per_s'], r['ratio'],
                                                                  r['p50_ms'], r['p99_ms'], r['errors']))
    return lines


def curve_streams(work):
    rows = []
    with Server(work, 'streams') as srv:
        client = kinesis(srv.endpoint)
        create_streams(client, ['target'])
        held = 1
        for n in sorted({scaled(x) for x in (1, 100, 10000)}):
            create_streams(client, ['idle-%05d' % i for i in range(held - 1, n - 1)])
            held = n
            total, active = count_streams(client)
            log('streams: %d streams (%d ACTIVE); put-record for %g s' % (total, active, SECONDS))
            rows.append(dict(streams=total, **put_point(srv.endpoint, 'target'), rss_mib=srv.rss()))
    line_chart('streams', 'PutRecord into one stream vs. streams on the server', 'streams', 'streams on the server',
               rows)
    return ['PutRecord 1 KiB, %d connections, %g s per point, into one 1-shard stream while the server holds N '
            '1-shard streams (added between the points):' % (PUT_CONNECTIONS, SECONDS), ''] + \
        throughput_table(rows, 'streams'), rows


def curve_shards(work):
    rows, keys = [], PUT_CONNECTIONS * KEYS_PER_CONNECTION
    with Server(work, 'shards') as srv:
        client = kinesis(srv.endpoint)
        for n in sorted({scaled(x) for x in (4, 100, 2000)}):
            create_streams(client, ['target-%d' % n], shards=n)
            log('shards: put-record into a stream of %d shards for %g s' % (n, SECONDS))
            rows.append(dict(shards=n, **put_point(srv.endpoint, 'target-%d' % n), rss_mib=srv.rss(),
                             shards_written_expected=round(n * (1 - (1 - 1.0 / n) ** keys))))
    line_chart('shards', 'PutRecord vs. shards of the target stream', 'shards', 'shards of the stream', rows)
    return ['PutRecord 1 KiB, %d connections, %g s per point, into one stream of N shards (a new stream per '
            'point; the smaller ones stay on the server):' % (PUT_CONNECTIONS, SECONDS), ''] + \
        throughput_table(rows, 'shards') + \
        ['', 'riffle-bench put-record gives each prepared request body a random partition key, but a connection '
         'cycles through at most %d bodies: %d connections send at most %d distinct keys, so the expected number of '
         'shards that receive writes is %s.' % (KEYS_PER_CONNECTION, PUT_CONNECTIONS, keys, ', '.join(
             '%d of %d' % (r['shards_written_expected'], r['shards']) for r in rows))], rows


def fill(srv, stream, target):
    """riffle-bench put-records (500 x 100 B, 8 connections) in rounds until `target` records: (records, s)."""
    done, elapsed, duration = 0, 0.0, 0.5
    while done < target:
        r = riffle_bench(srv.endpoint, 'put-records', '--keep-stream', '--stream', stream, '--shards', 1,
                         '--record-size', 100, '--batch', 500, '-c', 8, '--duration', '%.2f' % duration)
        done, elapsed = done + r['records'], elapsed + r['duration_s']
        rate = done / max(elapsed, 1e-9)
        log('getrecords: filled %d of %d records (%.0f records/s, %d errors)' % (done, target, rate, r['errors']))
        duration = min(600.0, max(0.2, (target - done) / rate * 1.02))
    return done, elapsed


def curve_getrecords(work):
    target, calls = max(2000, scaled(50_000_000)), 50
    store = '--in-memory (SCALE_GET_IN_MEMORY=1)' if GET_IN_MEMORY else 'durable (--data-dir, sync always)'
    srv = Server(work, 'getrecords', in_memory=GET_IN_MEMORY)
    srv.start()
    try:
        filled, fill_s = fill(srv, 'get', target)
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=120)
        shard = json.loads(api(conn, 'ListShards', {'StreamName': 'get'}))['Shards'][0]['ShardId']
        # The newest 1000 records: two more batches of 500, read from the first one's sequence number.
        data = base64.b64encode(b'x' * 100).decode()
        batch = {'StreamName': 'get', 'Records': [{'Data': data, 'PartitionKey': 'k%d' % i} for i in range(500)]}
        newest = json.loads(api(conn, 'PutRecords', batch))['Records'][0]['SequenceNumber']
        api(conn, 'PutRecords', batch)
        starts = {'tail (oldest, TRIM_HORIZON)': {'ShardIteratorType': 'TRIM_HORIZON'},
                  'head (newest, AT_SEQUENCE_NUMBER)': {'ShardIteratorType': 'AT_SEQUENCE_NUMBER',
                                                        'StartingSequenceNumber': newest}}
        times, got = {k: [] for k in starts}, {}
        log('getrecords: %d GetRecords each at the head and the tail of %d records' % (calls, filled + 1000))
        for _ in range(calls):
            for where, start in starts.items():
                it = json.loads(api(conn, 'GetShardIterator', dict(StreamName='get', ShardId=shard, **start)))
                t0 = time.perf_counter()
                body = api(conn, 'GetRecords', {'ShardIterator': it['ShardIterator'], 'Limit': 1000})
                times[where].append((time.perf_counter() - t0) * 1000)
                got[where] = len(json.loads(body)['Records'])
        conn.close()
    finally:
        srv.stop()
        shutil.rmtree(srv.data_dir, ignore_errors=True)
    rows = [{'where': k, 'p50_ms': round(pct(v, 0.5), 3), 'p99_ms': round(pct(v, 0.99), 3),
             'records_per_call': got[k], 'calls': calls} for k, v in times.items()]
    bar_chart('getrecords', 'GetRecords (Limit 1000) in a shard of %d records' % (filled + 1000), 'ms',
              [r['where'].split(' (')[0] for r in rows], [(q, [r[q + '_ms'] for r in rows]) for q in ('p50', 'p99')])
    lines = ['GetRecords (Limit 1000, one HTTP/1.1 connection, timed to the last byte of the answer) in one shard of '
             '%d 100-byte records (filled by riffle-bench put-records 500 x 100 B, 8 connections, at %.0f records/s); '
             'store: %s; %d calls each, interleaved, each on a fresh iterator (GetShardIterator not timed):'
             % (filled + 1000, filled / max(fill_s, 1e-9), store, calls), '',
             '| read | records per call | p50 ms | p99 ms |', '|---|---:|---:|---:|']
    lines += ['| %s | %d | %.2f | %.2f |' % (r['where'], r['records_per_call'], r['p50_ms'], r['p99_ms'])
              for r in rows]
    return lines, {'records': filled + 1000, 'fill_records_per_s': round(filled / max(fill_s, 1e-9)),
                   'store': store, 'reads': rows}


def curve_startup(work):
    rows, srv = [], Server(work, 'startup')
    try:
        for streams in (0, scaled(10000)):
            srv.start()
            create_streams(kinesis(srv.endpoint), ['s-%05d' % i for i in range(streams)])
            time.sleep(SETTLE)
            before = srv.rss()
            srv.stop()
            log('startup: restarting with %d streams' % streams)
            ready_s = srv.start()
            time.sleep(5)
            rss = srv.rss()
            total, _ = count_streams(kinesis(srv.endpoint))
            srv.stop()
            rows.append({'streams': total, 'startup_s': round(ready_s, 3), 'idle_rss_mib': rss,
                         'rss_before_restart_mib': before})
    finally:
        srv.stop()
        shutil.rmtree(srv.data_dir, ignore_errors=True)
    bar_chart('startup', 'RSS 5 s after a restart', 'MiB', ['%d streams' % r['streams'] for r in rows],
              [('idle RSS MiB', [r['idle_rss_mib'] for r in rows])])
    lines = ['Restart (SIGTERM, then `riffle serve` on the same data dir): seconds from spawn to the ready line, '
             'and VmRSS after 5 s idle (streams counted by ListStreams after the restart):', '',
             '| streams | start-up s | idle RSS MiB | RSS before the restart MiB |', '|---:|---:|---:|---:|']
    lines += ['| %d | %.3f | %.1f | %.1f |' % (r['streams'], r['startup_s'], r['idle_rss_mib'],
                                              r['rss_before_restart_mib']) for r in rows]
    return lines, rows


def held_rss(srv, name, n, open_all):
    """Server RSS (and open fds) before, while the n things open_all() returns are open, and after closing them."""
    time.sleep(SETTLE)
    before, fds_before = srv.rss(), srv.fds()
    log('%s: opening %d' % (name, n))
    held = open_all()
    time.sleep(SETTLE)
    after, fds_open = srv.rss(), srv.fds()
    for h in held:
        h.close()
    t0 = time.monotonic()  # the server may notice a closed connection only when it next writes to it
    while srv.fds() > fds_before and time.monotonic() - t0 < 30:
        time.sleep(0.1)
    released_s = time.monotonic() - t0
    time.sleep(SETTLE)
    closed, fds_closed = srv.rss(), srv.fds()
    delta = after - before
    bar_chart(name, '%d idle %s' % (n, name), 'RSS MiB', ['before', 'open', 'closed'], [('RSS MiB', [before, after,
                                                                                                      closed])])
    return (['| | RSS MiB | server fds |', '|---|---:|---:|', '| before | %.1f | %d |' % (before, fds_before),
             '| %d %s open | %.1f | %d |' % (n, name, after, fds_open),
             '| delta | %.1f (%.1f KiB each) | %+d |' % (delta, delta * 1024 / n, fds_open - fds_before),
             '| after closing them (fds released in %.1f s) | %.1f | %d |' % (released_s, closed, fds_closed)],
            {name: n, 'rss_before_mib': before, 'rss_open_mib': after, 'rss_closed_mib': closed,
             'delta_mib': round(delta, 1), 'kib_each': round(delta * 1024 / n, 1),
             'server_fds': [fds_before, fds_open, fds_closed], 'fds_released_s': round(released_s, 1)})


def curve_connections(work):
    n = scaled(1000)

    def open_all():
        conns = [http.client.HTTPConnection(srv.host, srv.port, timeout=30) for _ in range(n)]
        for c in conns:
            api(c, 'ListStreams', {})
        return conns

    with Server(work, 'connections', extra=['--max-connections', str(max(1024, n + 64))]) as srv:
        table, raw = held_rss(srv, 'connections', n, open_all)
    return ['%d HTTP/1.1 keep-alive connections from one process, each after one ListStreams (POST /, body {}, '
            'a well-formed unverified SigV4 header) and then idle; VmRSS %g s after each step:' % (n, SETTLE),
            ''] + table, raw


def curve_subscriptions(work):
    n, shards = scaled(500), scaled(100)
    consumers = math.ceil(n / shards)  # a consumer holds one subscription per shard
    with Server(work, 'subscriptions') as srv:
        client, subscriber = kinesis(srv.endpoint), kinesis(srv.endpoint, pool=n + 16)  # a new connection each
        create_streams(client, ['subs'], shards=shards)
        arn = client.describe_stream_summary(StreamName='subs')['StreamDescriptionSummary']['StreamARN']
        shard_ids = [s['ShardId'] for s in client.list_shards(StreamName='subs')['Shards']]
        arns = [client.register_stream_consumer(StreamARN=arn, ConsumerName='c%d' % i)['Consumer']['ConsumerARN']
                for i in range(consumers)]
        for a in arns:
            while client.describe_stream_consumer(ConsumerARN=a)['ConsumerDescription']['ConsumerStatus'] != 'ACTIVE':
                time.sleep(0.2)

        def open_all():
            return [subscriber.subscribe_to_shard(ConsumerARN=arns[i // shards], ShardId=shard_ids[i % shards],
                                              StartingPosition={'Type': 'LATEST'})['EventStream'] for i in range(n)]

        table, raw = held_rss(srv, 'subscriptions', n, open_all)
    raw.update(consumers=consumers, shards=shards)
    return ['%d SubscribeToShard subscriptions (%d registered consumers x %d shards of one stream, LATEST), opened '
            'one after another by boto3 from one thread over HTTP/1.1, a connection each; the event streams are '
            'held open, not read. VmRSS %g s after each step (the delta includes the connections):'
            % (n, consumers, shards, SETTLE), ''] + table + \
        ['', 'Riffle notices that a subscriber has gone only when it next writes an event to it: hence the time '
         'until the server released the closed connections.'], raw


def main():
    unknown = [c for c in ONLY if c not in CURVES]
    if unknown:
        sys.exit('scale: unknown curve(s) %s; choose from %s' % (', '.join(unknown), ', '.join(CURVES)))
    for path in (RIFFLE, BENCH):
        if not os.access(path, os.X_OK):
            sys.exit('scale: build first (%s missing)' % path)
    os.makedirs(OUT, exist_ok=True)
    if not GNUPLOT:
        log('gnuplot is not on PATH (bench/setup installs it): no PNG charts, only their .dat/.gp files in ' + OUT)
    loadavg = lambda: ' '.join(open('/proc/loadavg').read().split()[:3])  # noqa: E731
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
    facts = {'nproc': len(os.sched_getaffinity(0)), 'cpu': cpu, 'kernel': os.uname().release,
             'load_before': loadavg()}
    command = 'SCALE_FACTOR=%g SCALE_SECONDS=%g%s make bench-scale' % (
        FACTOR, SECONDS, ' SCALE_ONLY=%s' % ','.join(ONLY) if ONLY != CURVES else '')
    result = {'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'command': command,
              'scale_factor': FACTOR, 'seconds': SECONDS, 'machine': facts, 'curves': {}}
    sections, failed = [], []
    work = tempfile.mkdtemp(prefix='riffle-scale.')
    try:
        for name in ONLY:
            log('curve %s ...' % name)
            t0 = time.monotonic()
            try:
                lines, raw = globals()['curve_' + name](work)
                result['curves'][name] = {'seconds': round(time.monotonic() - t0, 1), 'results': raw}
                sections.append('### %s\n\n%s\n' % (name, '\n'.join(lines)))
            except Exception as e:  # report it and go on with the next curve
                log('curve %s failed: %r' % (name, e))
                failed.append(name)
                result['curves'][name] = {'error': repr(e)}
                sections.append('### %s\n\nfailed: `%r`\n' % (name, e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    facts['load_after'] = loadavg()
    print('Command: `%s` (started %s). Machine: %d cores (`nproc`), %s, Linux %s; load average before %s, after %s. '
          'Servers: `riffle serve --data-dir <fresh tmp dir> --shard-limit 100000` (sync always), the load generators '
          'on the same cores. Counts at %g x the full size.\n'
          % (command, result['started'], facts['nproc'], cpu, facts['kernel'], facts['load_before'],
             facts['load_after'], FACTOR))
    print('\n'.join(sections))
    with open(os.path.join(OUT, 'results.json'), 'a') as f:
        f.write(json.dumps(result) + '\n')
    log('results appended to %s; charts %s' % (os.path.join(OUT, 'results.json'),
                                                'in ' + OUT if GNUPLOT else 'skipped (no gnuplot)'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
