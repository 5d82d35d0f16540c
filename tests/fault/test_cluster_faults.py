"""Faults of a Riffle cluster: SIGKILL a NATS log leader, a NATS follower and a Riffle node under load,
and take away NATS's quorum; nothing acknowledged may be lost, reordered or stored twice by Riffle.

A real 3-server nats-server cluster (R3) and three Riffle nodes on loopback (RiffleCluster).
Producer threads spread PutRecord and PutRecords over all live Riffle nodes and retry as the AWS
SDKs do (any node, on 5xx, throttling and connection errors). Every attempt's outcome is recorded
(tests/support/tracked_producer.py says how that makes the duplicate check exact): a copy beyond
the acknowledged one is allowed only where the client itself re-sent after an attempt whose
answer it never got (a connection cut by the kill of a Riffle node): Riffle may have stored that
attempt. Such copies are counted and printed, never hidden; a copy not explained that way fails.

test_kills: kills one at a time (each restarted and waited for until it is a current replica
again): the nats-server leading shard 0's log, a follower of that log, and a Riffle node while it
serves a PutRecords of 500 records. After each kill a probe PutRecord into the affected shard
measures how long until writes are accepted again (printed; bound: 10 s). Then every shard is
read from TRIM_HORIZON, each through another node, and compared with what the producers were told.

QuorumLoss: with two of three nats-servers killed (the leader of shard 0's log survives), a put
into shard 0 through every node is refused with 503 ServiceUnavailable (the error AWS answers when
it cannot take a request; SDKs retry it) once Riffle's retry budget is spent, the nodes stay up
and answer ListStreams and DescribeStreamSummary (from their registry), and once the servers are
back writes are accepted again. A refused record may still be stored once the quorum is back (a
503 promises nothing else, as in AWS); that it is stored more than once is a known limit of
nats-server 2.9.10 (test_refused_write_stored_at_most_once, an expected failure: see there).

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_cluster_faults.py -v
"""

import os
import random
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from kinesis_helpers import HASH_MAX, wait_active  # noqa: E402
from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402
from tracked_producer import Ledger, ProducerThread, Sender, check, make_client, read_stream, stop_all  # noqa: E402

WRITES_BACK_WITHIN_S = 10.0   # the bound of the cluster's promise, not a performance target
PRODUCERS = 3
CLUSTER_ARGS = ['--create-stream-ms', '100', '--update-stream-ms', '100', '--delete-stream-ms', '100']


def wait_leader(nats, stream):
    """Index of the server leading JetStream stream `stream` (waits for one; index 0 is falsy)."""
    return wait_until(lambda: (lambda i: None if i is None else [i])(nats.leader_of(stream)), timeout=30,
                      what='a leader of %s' % stream)[0]


def log_streams(nats):
    """{shard index: JetStream stream name} of the cluster's shard logs."""
    return {int(name.rsplit('-', 1)[1]): name for name in nats.streams() if name.startswith('riffle-log-')}


class ClusterFaults(unittest.TestCase):
    def setUp(self):
        self.cluster = RiffleCluster(nodes=3, args=CLUSTER_ARGS).start()
        self.addCleanup(self.cluster.close)
        self.stream = unique_name('faults')
        kin = make_client(self.cluster.endpoint(0))
        kin.create_stream(StreamName=self.stream, ShardCount=2)
        wait_active(kin, self.stream, timeout=30)
        self.logs = wait_until(lambda: (lambda logs: logs if len(logs) == 2 else None)(log_streams(self.cluster.nats)),
                               timeout=30, what='two shard logs')
        self.ledger = Ledger()

    def live_endpoints(self):
        return self.cluster.endpoints

    def probe(self, shard_index, killed_at, label):
        """A PutRecord into shard `shard_index` through live nodes until acknowledged; prints and
        returns the seconds from the kill to its acknowledgement."""
        record = self.ledger.new('probe-%s-%d' % (label.replace(' ', '_'), int(killed_at * 1000)), 99,
                                 'probe', hash_key=0 if shard_index == 0 else HASH_MAX)
        self.assertTrue(Sender(self.ledger, self.stream, self.live_endpoints, give_up_s=60).put_record(record),
                        'no write accepted within 60 s of killing %s' % label)
        gap = record.acked_at - killed_at
        print('\n  writes accepted again %.2f s after killing %s (%d attempts: %s)'
              % (gap, label, len(record.attempts), record.attempts[:-1]), flush=True)
        return gap

    def wait_acks(self, more):
        target = sum(len(a) for a in self.ledger.acks.values()) + more
        wait_until(lambda: sum(len(a) for a in self.ledger.acks.values()) >= target, timeout=60,
                   what='%d more acknowledged records' % more)

    def kill_nats(self, i, label, shard_index):
        nats = self.cluster.nats
        killed_at = time.monotonic()
        nats.kill(i)
        gap = self.probe(shard_index, killed_at, label)
        self.wait_acks(20)
        nats.restart(i, timeout=60)
        nats.wait_rejoined(i, self.logs.values(), timeout=90)
        return gap

    def kill_riffle_during_put_records(self, node):
        """Kills Riffle node `node` while it serves a PutRecords of 500 records; returns the gap."""
        endpoint = self.cluster.endpoint(node)

        def endpoints():
            eps = self.cluster.endpoints
            return [eps[node]] if eps[node] == endpoint else eps
        batch_sender = Sender(self.ledger, self.stream, endpoints)
        batches = []

        def send_batches():
            while self.cluster.endpoints[node] == endpoint:
                records = [self.ledger.new('big-%d-%d' % (len(batches), k), 50, 'big-%d' % k, size=1024)
                           for k in range(500)]
                batches.append(records)
                batch_sender.put_records(records)
        thread = threading.Thread(target=send_batches, daemon=True)
        thread.start()
        while True:  # until the kill lands while a PutRecords is in flight on the node
            wait_until(lambda: len(batches) >= 2 and batch_sender.in_call == endpoint, timeout=60,
                       interval=0.001, what='a PutRecords in flight on node %d' % node)
            in_flight = batches[-1]
            time.sleep(random.uniform(0.005, 0.02))
            if batch_sender.in_call == endpoint and batches[-1] is in_flight:
                killed_at = time.monotonic()
                self.cluster.kill_node(node)
                break
        gap = self.probe(0, killed_at, 'Riffle node %d' % node)
        thread.join(120)
        self.assertFalse(thread.is_alive())
        cut = [r for r in in_flight if any(a.startswith('lost') for a in r.attempts)]
        print('  the PutRecords in flight at the kill: %d of its 500 records lost their answer'
              % len(cut), flush=True)
        self.assertTrue(cut, 'the kill did not cut the PutRecords in flight')
        self.wait_acks(20)
        self.cluster.start_node(node)
        return gap

    def test_kills(self):
        nats = self.cluster.nats
        producers = [ProducerThread(i, self.ledger, self.stream, self.live_endpoints) for i in range(PRODUCERS)]
        for p in producers:
            p.start()
        try:
            self.wait_acks(100)
            gaps = {}
            leader = wait_leader(nats, self.logs[0])
            gaps['NATS log leader'] = self.kill_nats(leader, 'NATS log leader n%d' % leader, 0)

            # A follower of the same log, not the server just restarted (nats-server 2.9.10 was
            # seen not to rejoin a log when killed again soon after catching up on it).
            follower = next(i for i in range(nats.servers) if i not in (leader, wait_leader(nats, self.logs[0])))
            gaps['NATS follower'] = self.kill_nats(follower, 'NATS follower n%d' % follower, 0)

            gaps['Riffle node'] = self.kill_riffle_during_put_records(2)
            self.wait_acks(50)
        finally:
            trouble = stop_all(producers)
        self.assertEqual([], trouble)

        eps = [e for e in self.cluster.endpoints if e]
        clients = [make_client(e) for e in eps]
        contents = read_stream(lambda i: clients[i % len(clients)], self.stream)
        problems, stats = check(self.ledger, contents)
        print('  records: %s; stored per shard: %s' % (stats, {s: len(v) for s, v in contents.items()}), flush=True)
        print('  gaps (s): %s' % {k: round(v, 2) for k, v in gaps.items()}, flush=True)
        self.assertEqual([], problems[:20])
        self.assertEqual(0, stats['stored_despite_refusal'],
                         'records stored although Riffle throttled them (a throttled record is not added)')
        self.assertEqual(0, stats['unacked'], 'records never acknowledged although the producers retried')
        for what, gap in gaps.items():
            self.assertLess(gap, WRITES_BACK_WITHIN_S, 'writes after killing the %s' % what)



class QuorumLoss(unittest.TestCase):
    """Two of three nats-servers killed, then started again; the scenario runs once, its tests
    check its parts."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3, args=CLUSTER_ARGS).start()
        try:
            cls.run_scenario()
        except BaseException:
            cls.cluster.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    @classmethod
    def run_scenario(cls):
        cluster, nats = cls.cluster, cls.cluster.nats
        cls.stream = unique_name('quorum')
        kin = make_client(cluster.endpoint(0))
        kin.create_stream(StreamName=cls.stream, ShardCount=2)
        wait_active(kin, cls.stream, timeout=30)
        logs = wait_until(lambda: (lambda logs: logs if len(logs) == 2 else None)(log_streams(nats)),
                          timeout=30, what='two shard logs')
        ledger = Ledger()
        cls.before = [ledger.new('before-%d' % k, 0, 'pk-%d' % k) for k in range(20)]
        assert Sender(ledger, cls.stream, lambda: cluster.endpoints).put_records(cls.before)
        # The leader of shard 0's log survives: it still takes appends it cannot commit.
        survivor = wait_leader(nats, logs[0])
        gone = [i for i in range(nats.servers) if i != survivor]
        for i in gone:
            nats.kill(i)

        cls.answers = {}

        def try_node(node):
            kin = make_client(cluster.endpoint(node), read_timeout=120)
            rid = 'refused-%d' % node
            out = {'rid': rid}
            started = time.monotonic()
            try:
                kin.put_record(StreamName=cls.stream, PartitionKey='pk', ExplicitHashKey='0', Data=rid.encode())
                out['put'] = ('acknowledged',)
            except Exception as e:  # noqa: BLE001 - the answer is the result
                out['put'] = describe_error(e)
            out['put_s'] = time.monotonic() - started
            for call, fn in (('ListStreams', lambda: kin.list_streams()),
                             ('DescribeStreamSummary', lambda: kin.describe_stream_summary(StreamName=cls.stream))):
                try:
                    fn()
                    out[call] = ('ok',)
                except Exception as e:  # noqa: BLE001
                    out[call] = describe_error(e)
            out['alive'] = cluster.servers[node].proc.poll() is None
            cls.answers[node] = out
        threads = [threading.Thread(target=try_node, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        for node, out in sorted(cls.answers.items()):
            print('\n  quorum lost, node %d: PutRecord -> %s after %.1f s; ListStreams -> %s; '
                  'DescribeStreamSummary -> %s' % (node, out['put'], out['put_s'], out['ListStreams'][:2],
                                                   out['DescribeStreamSummary'][:2]), flush=True)

        back_at = time.monotonic()
        for i in gone:
            nats.restart(i, timeout=60)
        cls.after = ledger.new('after', 0, 'pk-after')
        cls.after_ok = Sender(ledger, cls.stream, lambda: cluster.endpoints, give_up_s=120).put_record(cls.after)
        if cls.after_ok:
            print('  writes accepted %.1f s after the servers were started again' % (cls.after.acked_at - back_at))
        clients = [make_client(cluster.endpoint(i)) for i in range(3)]
        contents = read_stream(lambda i: clients[i % 3], cls.stream)
        cls.stored = [rid for items in contents.values() for _, rid in items]
        print('  refused records stored afterwards: %s' % {a['rid']: cls.stored.count(a['rid'])
                                                          for a in cls.answers.values()}, flush=True)

    def test_writes_refused_with_503_and_nodes_stay_up(self):
        self.assertEqual(3, len(self.answers))
        for node, out in self.answers.items():
            self.assertEqual((503, 'ServiceUnavailable'), out['put'][:2], 'node %d' % node)
            self.assertTrue(out['alive'], 'node %d exited' % node)
            for call in ('ListStreams', 'DescribeStreamSummary'):
                self.assertIn(out[call][:2], (('ok',), (503, 'ServiceUnavailable')), 'node %d %s' % (node, call))

    def test_writes_accepted_again_with_quorum(self):
        self.assertTrue(self.after_ok, 'no write accepted within 120 s of restarting the servers')
        refused = {a['rid'] for a in self.answers.values()}
        kept = sorted(r for r in self.stored if r not in refused)
        self.assertEqual(sorted(r.rid for r in self.before + [self.after]), kept)

    @unittest.expectedFailure
    def test_refused_write_stored_at_most_once(self):
        # A 503 is no promise that the record was not stored (AWS: SDKs retry 5xx, producers may
        # duplicate). But Riffle's own retries of one append must not store it twice. They do here:
        # the leader that lost its quorum appends every retry to its log (it cannot commit them), and
        # nats-server 2.9.10 deduplicates message ids only against messages already stored, so all of
        # them are committed once the quorum is back. Newer nats-server track pending ids as well.
        for out in self.answers.values():
            self.assertLessEqual(self.stored.count(out['rid']), 1, out['rid'])


def describe_error(e):
    response = getattr(e, 'response', None)
    if response is None:
        return (0, type(e).__name__, str(e))
    return (response.get('ResponseMetadata', {}).get('HTTPStatusCode'), response['Error']['Code'],
            response['Error'].get('Message', ''))


if __name__ == '__main__':
    unittest.main()
