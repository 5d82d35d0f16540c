"""Deleting a stream gives its disk space back (pip python3 + boto3; own server and data dir).

A deleted stream's records are range-deleted; the table files holding them must not stay on disk
until some unrelated compaction happens to cover them. The test fills two streams past the
memtables (so records reach table files), deletes one, and waits until the table files shrank by
at least that stream's share while the other stream's records stay readable.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_space_reclaim.py -v
"""

import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name, wait_until  # noqa: E402
from kinesis_helpers import client, create_active, read_shard, wait_gone  # noqa: E402

RECORD = 64 * 1024
PER_STREAM_MIB = 48


def table_bytes(data_dir):
    """Bytes in table files; a file a compaction removes between listing and sizing counts 0."""
    total = 0
    for f in glob.glob(os.path.join(data_dir, '*.sst')):
        try:
            total += os.path.getsize(f)
        except FileNotFoundError:
            pass
    return total


def fill(kin, name, mib):
    """PutRecords of incompressible 64 KiB records until `mib` MiB are stored."""
    batch = 16
    for i in range(mib * (1 << 20) // (RECORD * batch)):
        entries = [{'PartitionKey': 'k%d' % j, 'Data': os.urandom(RECORD)} for j in range(batch)]
        out = kin.put_records(StreamName=name, Records=entries)
        assert out.get('FailedRecordCount', 0) == 0, out


class SpaceReclaim(unittest.TestCase):

    def setUp(self):
        require_own_server(self)
        # Small memtables, so most records are in table files when the stream is deleted.
        self.server = RiffleServer(args=['--memtable-mib', '8']).start()
        self.addCleanup(self.server.close)
        self.kin = client(self.server.endpoint)

    def test_deleting_a_stream_frees_its_table_files(self):
        gone, kept = unique_name('gone'), unique_name('kept')
        create_active(self.kin, gone, 2)
        create_active(self.kin, kept, 1)
        fill(self.kin, kept, 8)
        fill(self.kin, gone, PER_STREAM_MIB)
        data_dir = self.server.data_dir
        before = table_bytes(data_dir)
        self.assertGreater(before, (PER_STREAM_MIB // 2) << 20, 'records reached table files')

        self.kin.delete_stream(StreamName=gone)
        wait_gone(self.kin, gone)
        # Everything of the deleted stream that reached table files goes; the kept stream's
        # 8 MiB (and whatever the last flushes add) stays.
        target = before - ((PER_STREAM_MIB // 2) << 20)
        wait_until(lambda: table_bytes(data_dir) < target, timeout=120, interval=0.5,
                   what='table files of the deleted stream removed (%d bytes before)' % before)
        records = read_shard(self.kin, kept, 'shardId-000000000000')
        self.assertEqual(len(records), 8 * (1 << 20) // (RECORD * 16) * 16)

    def test_space_stays_free_after_a_restart(self):
        name = unique_name('gone')
        create_active(self.kin, name, 1)
        fill(self.kin, name, 24)
        data_dir = self.server.data_dir
        before = table_bytes(data_dir)
        self.kin.delete_stream(StreamName=name)
        wait_gone(self.kin, name)
        wait_until(lambda: table_bytes(data_dir) < before // 2, timeout=120, interval=0.5,
                   what='table files of the deleted stream removed')
        self.server.restart()
        self.kin = client(self.server.endpoint)
        self.assertLess(table_bytes(data_dir), before // 2)
        self.assertNotIn(name, self.kin.list_streams()['StreamNames'])


if __name__ == '__main__':
    unittest.main()
