"""`riffle backup`: a consistent copy of a serving store, and serving it (pip python3 + boto3).

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_backup.py -v
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server  # noqa: E402
from kinesis_helpers import client, create_active  # noqa: E402

SHARDS = ['shardId-000000000000', 'shardId-000000000001']


def backup(admin, out):
    return subprocess.run([os.environ['RIFFLE_BIN'], 'backup', '--admin', admin, '--out', out],
                          capture_output=True, text=True, timeout=120)


def read_all(kin, shard, iterator=None):
    if iterator is None:
        iterator = kin.get_shard_iterator(StreamName='orders', ShardId=shard,
                                          ShardIteratorType='TRIM_HORIZON')['ShardIterator']
    records = []
    while True:
        page = kin.get_records(ShardIterator=iterator, Limit=10000)
        records += page['Records']
        if not page['Records'] and page.get('MillisBehindLatest', 0) == 0:
            return records
        iterator = page['NextShardIterator']


class Backup(unittest.TestCase):
    def setUp(self):
        require_own_server(self)
        self.root = tempfile.mkdtemp(prefix='riffle-backup-')
        self.addCleanup(shutil.rmtree, self.root, True)

    def test_backup_under_load_then_restore(self):
        server = RiffleServer(args=['--admin-port', '0']).start()
        self.addCleanup(server.close)
        kin = client(server.endpoint)
        create_active(kin, 'orders', shards=2)
        acknowledged = {}
        for i in range(200):
            put = kin.put_record(StreamName='orders', PartitionKey='k%d' % i, Data=b'before-%d' % i)
            acknowledged[put['SequenceNumber']] = (put['ShardId'], b'before-%d' % i)
        iterator = kin.get_shard_iterator(StreamName='orders', ShardId=SHARDS[0],
                                          ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        stop = threading.Event()
        during = []

        def load():
            writer = client(server.endpoint)
            n = 0
            while not stop.is_set():
                writer.put_record(StreamName='orders', PartitionKey='l%d' % n, Data=b'during-%d' % n)
                n += 1
                during.append(n)
        thread = threading.Thread(target=load)
        thread.start()
        try:
            out = os.path.join(self.root, 'copy')
            done = backup(server.admin_endpoint, out)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout.strip(), out)
        finally:
            stop.set()
            thread.join()
        self.assertGreater(len(during), 0)
        server.kill9()

        restored = RiffleServer(data_dir=out).start()
        self.addCleanup(restored.close)
        kin = client(restored.endpoint)
        found = {}
        for shard in SHARDS:
            for record in read_all(kin, shard):
                found[record['SequenceNumber']] = (shard, record['Data'])
        for sequence, value in acknowledged.items():
            self.assertEqual(found.get(sequence), value)
        # An iterator handed out before the backup still reads the restored copy.
        self.assertEqual([r['SequenceNumber'] for r in read_all(kin, SHARDS[0], iterator)],
                         [r['SequenceNumber'] for r in read_all(kin, SHARDS[0])])
        # The copy takes writes of its own.
        kin.put_record(StreamName='orders', PartitionKey='after', Data=b'after')

    def test_refusals(self):
        with RiffleServer(args=['--admin-port', '0']) as server:
            existing = os.path.join(self.root, 'taken')
            os.mkdir(existing)
            done = backup(server.admin_endpoint, existing)
            self.assertEqual(done.returncode, 1)
            self.assertEqual(done.stderr, 'riffle: backup failed (HTTP 400): %s exists already\n' % existing)
        with RiffleServer(in_memory=True, args=['--admin-port', '0']) as server:
            done = backup(server.admin_endpoint, os.path.join(self.root, 'mem'))
            self.assertEqual(done.returncode, 1)
            self.assertEqual(done.stderr, 'riffle: backup failed (HTTP 501): '
                                          'an --in-memory store keeps nothing on disk to back up\n')
            request = urllib.request.Request(server.admin_endpoint + '/backup?dir=/tmp/x', method='GET')
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            self.assertEqual(refused.exception.code, 405)


if __name__ == '__main__':
    unittest.main()
