"""The riffle client commands end to end against the real binary: create, ls,
describe, rm; put then tail gives back the same lines (plain, aggregated,
json); tail --follow keeps reading across a split; errors and bad flags.

Run: RIFFLE_BIN=build/riffle python3 tests/client/test_commands.py -v
"""

import base64
import json
import os
import queue
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import HASH_MAX, client, wait_active  # noqa: E402


class Commands(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint)
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
        cls.env['AWS_ENDPOINT_URL_KINESIS'] = cls.server.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def riffle(self, *args, stdin=None, check=True, env=None):
        result = subprocess.run([os.environ['RIFFLE_BIN']] + list(args), input=stdin, capture_output=True,
                                env=env or self.env, timeout=120)
        if check:
            self.assertEqual(result.returncode, 0, result.stderr.decode(errors='replace'))
        return result

    def test_create_ls_describe_rm(self):
        name = unique_name('cmd')
        created = self.riffle('create', name, '--shards', '3')
        self.assertIn(b'ACTIVE', created.stderr)
        self.assertEqual(created.stdout, b'')  # progress goes to stderr
        self.assertIn(name, self.riffle('ls').stdout.decode().splitlines())
        text = self.riffle('describe', name).stdout.decode()
        self.assertIn('status      ACTIVE', text)
        self.assertIn('shards      3 open, 0 closed', text)
        described = json.loads(self.riffle('describe', name, '--format', 'json').stdout)
        self.assertEqual(described['StreamName'], name)
        self.assertEqual([s['ShardId'] for s in described['Shards']],
                         ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'])
        self.assertTrue(all(s['Open'] for s in described['Shards']))
        self.riffle('rm', name)
        self.assertNotIn(name, self.riffle('ls').stdout.decode().splitlines())

        on_demand = unique_name('od')
        self.riffle('create', on_demand, '--on-demand')
        self.assertEqual(json.loads(self.riffle('describe', on_demand, '--format', 'json').stdout)['StreamMode'],
                         'ON_DEMAND')
        self.riffle('rm', on_demand)

    def test_put_then_tail_gives_the_same_lines(self):
        lines = ['line %d' % i for i in range(300)] + ['', 'caf\u00e9 \u4e2d\u6587', '  spaced  ', 'tab\there']
        data = ('\n'.join(lines) + '\n').encode()
        # One shard: the order of put is the order of tail.
        name = unique_name('lines')
        self.riffle('create', name, '--shards', '1')
        put = self.riffle('put', name, '--partition-key', 'one-key', stdin=data)
        self.assertIn(b'put 304 of 304 records', put.stderr)
        self.assertEqual(self.riffle('tail', name).stdout, data)
        # --count and json (data in base64; binary-safe).
        first = self.riffle('tail', name, '--count', '3', '--format', 'json').stdout.decode().splitlines()
        self.assertEqual(len(first), 3)
        record = json.loads(first[0])
        self.assertEqual(base64.b64decode(record['data']), b'line 0')
        self.assertEqual(record['partition_key'], 'one-key')
        self.assertEqual(record['shard'], 'shardId-000000000000')
        self.assertRegex(record['sequence_number'], r'^\d{56}$')
        # --from a sequence number: that record and the ones after it.
        third = json.loads(first[2])
        after = self.riffle('tail', name, '--from', third['sequence_number'], '--count', '2').stdout
        self.assertEqual(after, b'line 2\nline 3\n')
        # --from latest without --follow: nothing new yet.
        self.assertEqual(self.riffle('tail', name, '--from', 'latest').stdout, b'')
        # An explicit --endpoint wins over the environment.
        env = dict(self.env, AWS_ENDPOINT_URL_KINESIS='http://127.0.0.1:1')
        self.assertEqual(self.riffle('tail', name, '--count', '1', '--endpoint', self.server.endpoint, env=env).stdout,
                         b'line 0\n')

        # Random keys over two shards, plain and aggregated: the same lines.
        spread = unique_name('spread')
        self.riffle('create', spread, '--shards', '2')
        self.riffle('put', spread, stdin=data)
        self.riffle('put', spread, '--aggregate', stdin=data)
        tailed = self.riffle('tail', spread).stdout.decode().split('\n')[:-1]
        self.assertEqual(sorted(tailed), sorted(lines * 2))
        shards = {json.loads(line)['shard'] for line in
                  self.riffle('tail', spread, '--format', 'json').stdout.decode().splitlines()}
        self.assertEqual(shards, {'shardId-000000000000', 'shardId-000000000001'})

    def test_tail_follow_across_a_split(self):
        name = unique_name('follow')
        self.riffle('create', name, '--shards', '1')
        tail = subprocess.Popen([os.environ['RIFFLE_BIN'], 'tail', name, '--follow'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env)
        got = queue.Queue()
        threading.Thread(target=lambda: [got.put(line) for line in tail.stdout], daemon=True).start()

        def expect(lines):
            deadline = time.monotonic() + 30
            for want in lines:
                remaining = deadline - time.monotonic()
                self.assertGreater(remaining, 0, 'tail --follow did not print %r' % want)
                self.assertEqual(got.get(timeout=remaining), (want + '\n').encode())
        try:
            first = ['before %d' % i for i in range(50)]
            self.riffle('put', name, '--partition-key', 'k', stdin=('\n'.join(first) + '\n').encode())
            expect(first)
            self.kin.split_shard(StreamName=name, ShardToSplit='shardId-000000000000',
                                 NewStartingHashKey=str(HASH_MAX // 2 + 1))
            wait_active(self.kin, name)
            second = ['after %d' % i for i in range(50)]
            self.riffle('put', name, '--partition-key', 'k', stdin=('\n'.join(second) + '\n').encode())
            expect(second)  # read from a child shard, in order
        finally:
            tail.terminate()
            tail.wait(timeout=10)
        self.assertTrue(got.empty())

    def test_errors_and_bad_flags(self):
        missing = self.riffle('describe', unique_name('missing'), check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn(b'ResourceNotFoundException', missing.stderr)
        self.assertEqual(missing.stdout, b'')
        bad_from = self.riffle('tail', 'x', '--from', 'yesterday', check=False)
        self.assertEqual(bad_from.returncode, 2)
        self.assertIn(b'--from yesterday', bad_from.stderr)
        both = self.riffle('create', 'x', '--shards', '2', '--on-demand', check=False)
        self.assertNotEqual(both.returncode, 0)
        unreachable = self.riffle('ls', '--endpoint', 'http://127.0.0.1:1', check=False)
        self.assertEqual(unreachable.returncode, 1)
        self.assertIn(b'NetworkError', unreachable.stderr)
        too_big = self.riffle('create', unique_name('big'), '--shards', '100000', check=False)
        self.assertEqual(too_big.returncode, 1)
        self.assertIn(b'LimitExceededException', too_big.stderr)


if __name__ == '__main__':
    unittest.main()
