"""AWS CLI v2 (Debian /usr/bin/aws, driven from pip python3): the kinesis commands a user types.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_awscli.py -v   (AWS_CLI=/path/to/aws to override)
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name  # noqa: E402

AWS = os.environ.get('AWS_CLI', '/usr/bin/aws')
ACCOUNT = '000000000000'


@unittest.skipUnless(os.path.exists(AWS), 'AWS CLI not found at %s' % AWS)
class AwsCli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        cls.home = tempfile.TemporaryDirectory(prefix='riffle-cli-')
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID='AKIDTEST', AWS_SECRET_ACCESS_KEY='secret',
                       AWS_DEFAULT_REGION='us-east-1', AWS_PAGER='', AWS_MAX_ATTEMPTS='1',
                       AWS_CONFIG_FILE=os.path.join(cls.home.name, 'config'),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(cls.home.name, 'credentials'),
                       HOME=cls.home.name)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.home.cleanup()

    def aws(self, *args, expect_ok=True):
        """Run `aws kinesis ARGS --output json`; returns (exit code, parsed stdout or None, stderr)."""
        cmd = [AWS, '--endpoint-url', self.server.endpoint, '--output', 'json', 'kinesis'] + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60)
        if expect_ok:
            self.assertEqual(p.returncode, 0, '%s\nstderr: %s' % (' '.join(args), p.stderr))
        out = json.loads(p.stdout) if p.stdout.strip() else None
        return p.returncode, out, p.stderr

    def test_stream_lifecycle_and_records(self):
        """create-stream, wait stream-exists, describe/list, put-record(s), get-shard-iterator, get-records, delete-stream."""
        name = unique_name('cli')
        self.aws('create-stream', '--stream-name', name, '--shard-count', '2')
        self.aws('wait', 'stream-exists', '--stream-name', name)
        _, d, _ = self.aws('describe-stream', '--stream-name', name)
        d = d['StreamDescription']
        self.assertEqual(d['StreamStatus'], 'ACTIVE')
        self.assertEqual(len(d['Shards']), 2)
        _, lst, _ = self.aws('list-streams')
        self.assertIn(name, lst['StreamNames'])

        _, r1, _ = self.aws('put-record', '--stream-name', name, '--partition-key', 'k', '--data', 'hello',
                            '--cli-binary-format', 'raw-in-base64-out')
        _, r2, _ = self.aws('put-record', '--stream-name', name, '--partition-key', 'k',
                            '--data', base64.b64encode(b'\x00binary\xff').decode())  # v2 default: base64 input
        self.assertEqual(r1['ShardId'], r2['ShardId'])
        self.assertGreater(int(r2['SequenceNumber']), int(r1['SequenceNumber']))
        records = json.dumps([{'Data': base64.b64encode(b'batch-%d' % i).decode(), 'PartitionKey': 'k'}
                              for i in range(3)])
        _, batch, _ = self.aws('put-records', '--stream-name', name, '--records', records)
        self.assertEqual(batch.get('FailedRecordCount', 0), 0)
        self.assertEqual([x['ShardId'] for x in batch['Records']], [r1['ShardId']] * 3)

        _, it, _ = self.aws('get-shard-iterator', '--stream-name', name, '--shard-id', r1['ShardId'],
                            '--shard-iterator-type', 'TRIM_HORIZON')
        _, got, _ = self.aws('get-records', '--shard-iterator', it['ShardIterator'], '--limit', '10')
        data = [base64.b64decode(x['Data']) for x in got['Records']]
        self.assertEqual(data, [b'hello', b'\x00binary\xff', b'batch-0', b'batch-1', b'batch-2'])
        self.assertIn('NextShardIterator', got)

        self.aws('delete-stream', '--stream-name', name)
        self.aws('wait', 'stream-not-exists', '--stream-name', name)

    def test_split_merge_and_tags(self):
        """split-shard, merge-shards and the three tag commands work from the CLI."""
        name = unique_name('clirs')
        self.aws('create-stream', '--stream-name', name, '--shard-count', '1')
        self.aws('wait', 'stream-exists', '--stream-name', name)
        self.aws('split-shard', '--stream-name', name, '--shard-to-split', 'shardId-000000000000',
                 '--new-starting-hash-key', str(2 ** 127))
        self.aws('wait', 'stream-exists', '--stream-name', name)  # waits for ACTIVE again
        self.aws('merge-shards', '--stream-name', name, '--shard-to-merge', 'shardId-000000000001',
                 '--adjacent-shard-to-merge', 'shardId-000000000002')
        self.aws('wait', 'stream-exists', '--stream-name', name)
        _, d, _ = self.aws('describe-stream', '--stream-name', name)
        ids = [s['ShardId'] for s in d['StreamDescription']['Shards']]
        self.assertEqual(ids, ['shardId-%012d' % i for i in range(4)])
        self.assertEqual(d['StreamDescription']['Shards'][3]['AdjacentParentShardId'], 'shardId-000000000002')

        self.aws('add-tags-to-stream', '--stream-name', name, '--tags', 'team=riffle,env=test')
        _, tags, _ = self.aws('list-tags-for-stream', '--stream-name', name)
        self.assertEqual({t['Key']: t['Value'] for t in tags['Tags']}, {'team': 'riffle', 'env': 'test'})
        self.aws('remove-tags-from-stream', '--stream-name', name, '--tag-keys', 'env')
        _, tags, _ = self.aws('list-tags-for-stream', '--stream-name', name)
        self.assertEqual([t['Key'] for t in tags['Tags']], ['team'])

    def test_service_error_exit_code_and_message(self):
        """A service error makes CLI v2 exit 254 and print the error code and AWS message on stderr."""
        name = unique_name('clierr')
        code, out, err = self.aws('describe-stream', '--stream-name', name, expect_ok=False)
        self.assertEqual(code, 254, err)
        self.assertIsNone(out)
        self.assertIn('ResourceNotFoundException', err)
        self.assertIn('Stream %s under account %s not found.' % (name, ACCOUNT), err)


if __name__ == '__main__':
    unittest.main()
