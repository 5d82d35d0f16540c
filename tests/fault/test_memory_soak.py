"""Bounded memory (pip python3 + boto3): a sustained PutRecords load of maximum-size records over
several shards while a consumer reads everything back; the server's RSS, sampled from /proc, must
stay under a bound set by configuration (block cache, memtables, buffers), not by data volume.

Knobs (env): RIFFLE_SOAK_MIB (volume written, default 1024), RIFFLE_SOAK_RSS_MIB (bound, default 256, the
target the configuration promises: block cache 32 MiB + memtables 64 MiB (at most 88 MiB while flushes lag)
+ requests and responses in flight, here 2 producers' 4 MiB PutRecords and 4 consumers' GetRecords answers
of up to 10 MiB, base64-encoded, + code and allocator slack; docs/memory.md). Measured: peak ~165 MiB.
A memory bound, not a timing one: deadlines only guard against hangs.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_memory_soak.py -v
"""

import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active  # noqa: E402

VOLUME = int(os.environ.get('RIFFLE_SOAK_MIB', '1024')) << 20
RSS_BOUND = int(os.environ.get('RIFFLE_SOAK_RSS_MIB', '256')) << 20
RECORD = 1 << 20          # the maximum record size (data + partition key)
PER_REQUEST = 4           # 4 MiB per PutRecords (limit: 5 MiB)
SHARDS = 4
PRODUCERS = 2
DEADLINE = 600.0


def rss_bytes(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    return 0


class MemorySoak(unittest.TestCase):

    def setUp(self):
        require_own_server(self)
        self.server = RiffleServer().start()
        self.addCleanup(self.server.close)

    def test_rss_stays_bounded_under_sustained_load(self):
        kin = client(self.server.endpoint)
        name = unique_name('soak')
        create_active(kin, name, SHARDS)
        pid = self.server.proc.pid
        peak = [rss_bytes(pid)]
        done = threading.Event()
        errors = []
        produced = [0]
        consumed = [0]
        lock = threading.Lock()
        requests = VOLUME // (RECORD * PER_REQUEST)
        payload = os.urandom(RECORD - 16)

        half_peak = [0]

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                if not half_peak[0] and produced[0] * RECORD >= VOLUME // 2:
                    half_peak[0] = peak[0]  # for the report: flat means the second half adds little
                time.sleep(0.1)

        def produce(worker):
            try:
                k = client(self.server.endpoint)
                for n in range(worker, requests, PRODUCERS):
                    records = [{'Data': payload, 'PartitionKey': 'p%d-%d' % (n, j)} for j in range(PER_REQUEST)]
                    while records:
                        r = k.put_records(StreamName=name, Records=records)
                        ok = [rec for rec, res in zip(records, r['Records']) if 'SequenceNumber' in res]
                        with lock:
                            produced[0] += len(ok)
                        records = [rec for rec, res in zip(records, r['Records']) if 'SequenceNumber' not in res]
            except Exception as e:  # reported by the main thread
                errors.append(e)

        def consume(shard_id, all_produced):
            try:
                k = client(self.server.endpoint)
                it = k.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                          ShardIteratorType='TRIM_HORIZON')['ShardIterator']
                end = time.monotonic() + DEADLINE
                while time.monotonic() < end:
                    r = k.get_records(ShardIterator=it, Limit=16)
                    it = r['NextShardIterator']
                    with lock:
                        consumed[0] += len(r['Records'])
                        if all_produced.is_set() and consumed[0] >= produced[0]:
                            return
                    if not r['Records']:
                        if all_produced.is_set():
                            with lock:
                                if consumed[0] >= produced[0]:
                                    return
                        time.sleep(0.05)
            except Exception as e:
                errors.append(e)

        all_produced = threading.Event()
        sampler = threading.Thread(target=sample, daemon=True)
        producers = [threading.Thread(target=produce, args=(w,), daemon=True) for w in range(PRODUCERS)]
        shard_ids = ['shardId-%012d' % i for i in range(SHARDS)]
        consumers = [threading.Thread(target=consume, args=(s, all_produced), daemon=True) for s in shard_ids]
        for t in [sampler] + producers + consumers:
            t.start()
        for t in producers:
            t.join(DEADLINE)
        all_produced.set()
        for t in consumers:
            t.join(DEADLINE)
        done.set()
        sampler.join(10)
        self.assertEqual(errors, [])
        self.assertEqual(produced[0], requests * PER_REQUEST)
        self.assertEqual(consumed[0], produced[0], 'the consumer read every record back')
        print('\nwritten %d MiB; peak RSS %.1f MiB after half of it, %.1f MiB in all (bound %d MiB)'
              % (produced[0] * RECORD >> 20, half_peak[0] / 2 ** 20, peak[0] / 2 ** 20, RSS_BOUND >> 20),
              flush=True)
        self.assertLess(peak[0], RSS_BOUND, 'peak RSS %.1f MiB' % (peak[0] / 2 ** 20))


class MemoryFlags(unittest.TestCase):

    def test_smaller_budgets_serve_and_out_of_range_ones_are_refused(self):
        require_own_server(self)
        server = RiffleServer(args=['--block-cache-mib', '4', '--memtable-mib', '16']).start()
        self.addCleanup(server.close)
        kin = client(server.endpoint)
        name = unique_name('small')
        create_active(kin, name, 1)
        r = kin.put_record(StreamName=name, PartitionKey='k', Data=b'x' * 1000)
        it = kin.get_shard_iterator(StreamName=name, ShardId=r['ShardId'],
                                    ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual([rec['Data'] for rec in kin.get_records(ShardIterator=it)['Records']], [b'x' * 1000])
        for flag, value in (('--memtable-mib', '4'), ('--block-cache-mib', '0')):
            p = subprocess.run([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--port', '0', flag, value],
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(flag, p.stderr.decode())


if __name__ == '__main__':
    unittest.main()
