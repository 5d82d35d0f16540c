#!/usr/bin/env python3
"""`make bench-cluster`: Riffle nodes over a 3-node JetStream cluster against raw JetStream, in one run.

1. Raw JetStream (R3, 3 local nats-server): `riffle-jetstream-bench` publishes 500 x 1 KiB
   messages and single 1 KiB messages with js_PublishAsync, and drains a stream with a pull
   consumer.
2. Riffle: 3 nats-server + 3 Riffle nodes (tests/support/riffle_cluster.py); one stream of one
   shard; `riffle-bench` put-records (500 x 1 KiB) and put-record (1 KiB) run against all three
   nodes at once (one process per node, records/s summed), then one get-records drain.
3. Latency across nodes at light load: `riffle-bench produce-consume --via subscribe --rate 200`
   puts through node 1 while the SubscribeToShard subscriber reads through node 2 (and, to compare,
   through node 1): put -> event p50/p99 (the cluster's goal: p99 <= 50 ms).
Prints the tables and writes them to docs/performance-cluster.md
(which `make bench` includes in docs/performance.md). Knobs: BENCH_CLUSTER_SECONDS (default 10),
BENCH_CLUSTER_CONNECTIONS (PutRecords connections per node, default 8),
BENCH_CLUSTER_PUT_CONNECTIONS (PutRecord connections per node, default 64), BENCH_CLUSTER_ROUNDS (default 3:
steps 1 and 2 alternate that many times, each round on fresh servers, and the tables give the medians
and every round's ratio, since this shared machine moves single figures by 2x). Not a test: nothing is
asserted.
"""

import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'support'))

from riffle_cluster import RiffleCluster  # noqa: E402

BUILD = os.environ.get('BUILD', os.path.join(HERE, '..', 'build'))
SECONDS = float(os.environ.get('BENCH_CLUSTER_SECONDS', '10'))
CONNECTIONS = int(os.environ.get('BENCH_CLUSTER_CONNECTIONS', '8'))
# PutRecord waits for one quorum write per request: it needs many in flight (raw: 1024).
PUT_CONNECTIONS = int(os.environ.get('BENCH_CLUSTER_PUT_CONNECTIONS', '64'))
ROUNDS = max(1, int(os.environ.get('BENCH_CLUSTER_ROUNDS', '3')))


def raw_jetstream():
    out = subprocess.run([os.path.join(BUILD, 'riffle-jetstream-bench'), str(SECONDS)], check=True,
                         capture_output=True, text=True).stdout
    figures = {}
    for line in out.splitlines():
        m = re.match(r'(.*?)\s+(\d+) records/s\s+([\d.]+) MB/s', line)
        if m:
            figures[m.group(1).strip()] = float(m.group(2))
    return figures


def riffle_bench(endpoint, scenario, *args):
    cmd = [os.path.join(BUILD, 'riffle-bench'), scenario, '--endpoint', endpoint, '--json',
           '--duration', str(SECONDS)] + list(args)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def summed(procs):
    total = 0.0
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise RuntimeError('riffle-bench failed (exit %s)' % p.returncode)
        result = json.loads(out.strip().splitlines()[-1])
        if result['errors']:
            print('  note: %d errors %s' % (result['errors'], result['error_types']), file=sys.stderr)
        total += result['records_per_s']
    return total


def push_latency(write_endpoint, read_endpoint):
    """put -> SubscribeToShard event percentiles (ms) at light load."""
    cmd = [os.path.join(BUILD, 'riffle-bench'), 'produce-consume', '--via', 'subscribe', '--rate', '200',
           '-c', '4', '--endpoint', write_endpoint, '--read-endpoint', read_endpoint, '--json',
           '--duration', str(SECONDS)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result['errors']:
        print('  note: %d errors %s' % (result['errors'], result['error_types']), file=sys.stderr)
    return result['e2e_latency_ms']


def create_stream(endpoint, name):
    import boto3
    kinesis = boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1',
                           aws_access_key_id='bench', aws_secret_access_key='bench')
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.2, 'MaxAttempts': 300})


def _load():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def riffle_round():
    """One round of step 2 on a fresh cluster: records/s per row."""
    rows = []
    with RiffleCluster(nodes=3) as cluster:
        endpoints = cluster.endpoints
        for scenario, connections, args in (
                ('put-records', CONNECTIONS, ['--batch', '500', '--record-size', '1024']),
                ('put-record', PUT_CONNECTIONS, ['--record-size', '1024'])):
            stream = 'bench-cluster-%s-%d' % (scenario, int(time.time()))
            create_stream(endpoints[0], stream)
            print('Riffle %s through %d nodes ...' % (scenario, len(endpoints)), flush=True)
            procs = [riffle_bench(e, scenario, '--no-setup', '--stream', stream, '-c', str(connections), *args)
                     for e in endpoints]
            rows.append(summed(procs))
        print('Riffle get-records drain ...', flush=True)
        drain = riffle_bench(endpoints[1], 'get-records', '--prefill-mib', '256', '-c', '1')
        rows.append(summed([drain]))
    return rows


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main():
    started = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    load_before = _load()
    os.environ.setdefault('RIFFLE_BIN', os.path.join(BUILD, 'riffle'))
    labels = [('put-records 1 KiB, 3 nodes x %d connections' % CONNECTIONS, 'raw js_PublishAsync 500 x 1 KiB'),
              ('put-record 1 KiB, 3 nodes x %d connections' % PUT_CONNECTIONS, 'raw js_PublishAsync 1 x 1 KiB'),
              ('get-records drain, one consumer', 'raw pull consumer drain (500-record messages)')]
    rounds = []  # per round: [(riffle, raw) per row]
    for r in range(ROUNDS):
        print('round %d of %d: raw JetStream (riffle-jetstream-bench, %g s per scenario) ...' % (r + 1, ROUNDS, SECONDS),
              flush=True)
        raw = raw_jetstream()
        riffle = riffle_round()
        rounds.append([(riffle[i], raw.get(raw_key, 0.0)) for i, (_, raw_key) in enumerate(labels)])
    with RiffleCluster(nodes=3) as cluster:
        endpoints = cluster.endpoints
        print('put -> SubscribeToShard latency, across nodes and on one node ...', flush=True)
        across = push_latency(endpoints[0], endpoints[1])
        same = push_latency(endpoints[0], endpoints[0])
    lines = ['Run %s, load average before %s, after %s; command: `BENCH_CLUSTER_SECONDS=%g '
             'BENCH_CLUSTER_CONNECTIONS=%d BENCH_CLUSTER_PUT_CONNECTIONS=%d BENCH_CLUSTER_ROUNDS=%d make bench-cluster`. '
             '3 nats-server (R3) and 3 Riffle nodes on this machine\'s cores, with the load generators; raw '
             'JetStream and Riffle alternate, %d round(s), medians below.'
             % (started, load_before, _load(), SECONDS, CONNECTIONS, PUT_CONNECTIONS, ROUNDS, ROUNDS),
             '', '| | Riffle records/s | raw JetStream records/s | Riffle / raw (median) | each round |',
             '|---|---|---|---|---|']
    for i, (what, raw_key) in enumerate(labels):
        riffle = median([row[i][0] for row in rounds])
        base = median([row[i][1] for row in rounds])
        ratios = [100.0 * row[i][0] / row[i][1] for row in rounds if row[i][1]]
        ratio = '%.0f %%' % median(ratios) if ratios else 'n/a'
        each = ', '.join('%.0f %%' % x for x in ratios)
        lines.append('| %s | %.0f | %.0f (%s) | %s | %s |' % (what, riffle, base, raw_key, ratio, each))
    lines += ['', 'put -> SubscribeToShard event at 200 records/s (4 producers, one shard, 1 KiB records):', '',
              '| subscriber reads through | p50 ms | p99 ms | p99.9 ms | records |', '|---|---|---|---|---|']
    for what, figures in (('another node than the puts', across), ('the node of the puts', same)):
        lines.append('| %s | %.1f | %.1f | %.1f | %d |' % (what, figures['p50'], figures['p99'], figures['p999'],
                                                         figures['count']))
    text = '\n'.join(lines) + '\n'
    print()
    print(text)
    with open(os.path.join(HERE, '..', 'docs', 'performance-cluster.md'), 'w') as f:
        f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
