"""/metrics beyond the stream totals (pip python3 + boto3): the per-shard series of enhanced
monitoring appearing and going with Enable/DisableEnhancedMonitoring, throttled reads and writes
counted per stream and per shard, the store's write and sync latency, and bytes on disk per stream.

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_shard_metrics.py -v
"""

import os
import sys
import unittest

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, wait_until  # noqa: E402
from kinesis_helpers import client, create_active, wait_gone  # noqa: E402
from metrics_text import get, samples  # noqa: E402

ACCOUNT = 'account="000000000000",region="us-east-1"'
SHARD0 = 'shardId-000000000000'
SHARD1 = 'shardId-000000000001'
LOW = '0'                 # an ExplicitHashKey in shard 0 of a 2-shard stream
HIGH = str(2 ** 128 - 1)  # ... in shard 1


def stream_labels(stream):
    return '{%s,stream="%s"}' % (ACCOUNT, stream)


def shard_labels(stream, shard):
    return '{%s,stream="%s",shard="%s"}' % (ACCOUNT, stream, shard)


class ShardMetrics(unittest.TestCase):
    def setUp(self):
        require_own_server(self)

    def metrics(self, server):
        status, text = get(server.admin_endpoint + '/metrics')
        self.assertEqual(status, 200)
        return samples(text)

    def shard_series(self, values, stream):
        return {k: v for k, v in values.items()
                if k.startswith('kinesis_shard_') and 'stream="%s"' % stream in k}

    def test_shard_series_follow_enhanced_monitoring(self):
        with RiffleServer(in_memory=True, args=['--admin-port', '0']) as server:
            kin = client(server.endpoint)
            create_active(kin, 'monitored', shards=2)
            kin.put_record(StreamName='monitored', PartitionKey='a', Data=b'123', ExplicitHashKey=LOW)
            kin.put_records(StreamName='monitored', Records=[
                {'PartitionKey': 'b', 'Data': b'4567', 'ExplicitHashKey': HIGH},
                {'PartitionKey': 'c', 'Data': b'89', 'ExplicitHashKey': HIGH},
                {'PartitionKey': 'd', 'Data': b'0', 'ExplicitHashKey': LOW}])
            # Not enabled: no shard series at all.
            self.assertEqual(self.shard_series(self.metrics(server), 'monitored'), {})

            answer = kin.enable_enhanced_monitoring(StreamName='monitored',
                                                    ShardLevelMetrics=['IncomingBytes', 'IncomingRecords'])
            self.assertEqual(sorted(answer['DesiredShardLevelMetrics']), ['IncomingBytes', 'IncomingRecords'])
            values = self.metrics(server)
            self.assertEqual(sorted(self.shard_series(values, 'monitored')), sorted([
                'kinesis_shard_IncomingBytes' + shard_labels('monitored', SHARD0),
                'kinesis_shard_IncomingBytes' + shard_labels('monitored', SHARD1),
                'kinesis_shard_IncomingRecords' + shard_labels('monitored', SHARD0),
                'kinesis_shard_IncomingRecords' + shard_labels('monitored', SHARD1)]))
            self.assertEqual(values['kinesis_shard_IncomingRecords' + shard_labels('monitored', SHARD0)], 2)
            self.assertEqual(values['kinesis_shard_IncomingBytes' + shard_labels('monitored', SHARD0)], 4 + 2)
            self.assertEqual(values['kinesis_shard_IncomingRecords' + shard_labels('monitored', SHARD1)], 2)
            self.assertEqual(values['kinesis_shard_IncomingBytes' + shard_labels('monitored', SHARD1)], 5 + 3)
            self.assertEqual(values['kinesis_IncomingRecords' + stream_labels('monitored')], 4)

            # ALL: reads appear too, for the shard that was read.
            kin.enable_enhanced_monitoring(StreamName='monitored', ShardLevelMetrics=['ALL'])
            iterator = kin.get_shard_iterator(StreamName='monitored', ShardId=SHARD1,
                                              ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            self.assertEqual(len(kin.get_records(ShardIterator=iterator)['Records']), 2)
            values = self.metrics(server)
            self.assertEqual(values['kinesis_shard_OutgoingRecords' + shard_labels('monitored', SHARD1)], 2)
            self.assertEqual(values['kinesis_shard_OutgoingBytes' + shard_labels('monitored', SHARD1)], 8)
            self.assertGreaterEqual(
                values['kinesis_shard_IteratorAgeMilliseconds' + shard_labels('monitored', SHARD1)], 0)
            self.assertEqual(
                values['kinesis_shard_ReadProvisionedThroughputExceeded' + shard_labels('monitored', SHARD1)], 0)
            self.assertEqual(
                values['kinesis_shard_WriteProvisionedThroughputExceeded' + shard_labels('monitored', SHARD0)], 0)
            self.assertEqual(values['kinesis_shard_OutgoingRecords' + shard_labels('monitored', SHARD0)], 0)

            # Disabling one metric drops its series; disabling ALL drops them all.
            kin.disable_enhanced_monitoring(StreamName='monitored', ShardLevelMetrics=['IncomingBytes'])
            series = self.shard_series(self.metrics(server), 'monitored')
            self.assertFalse([k for k in series if k.startswith('kinesis_shard_IncomingBytes{')])
            self.assertTrue([k for k in series if k.startswith('kinesis_shard_IncomingRecords{')])
            kin.disable_enhanced_monitoring(StreamName='monitored', ShardLevelMetrics=['ALL'])
            self.assertEqual(self.shard_series(self.metrics(server), 'monitored'), {})

            # A deleted stream's series go with it.
            kin.enable_enhanced_monitoring(StreamName='monitored', ShardLevelMetrics=['ALL'])
            self.assertTrue(self.shard_series(self.metrics(server), 'monitored'))
            kin.delete_stream(StreamName='monitored')
            wait_gone(kin, 'monitored')
            self.assertEqual([k for k in self.metrics(server) if 'stream="monitored"' in k], [])

    def test_throttled_reads_and_writes_per_stream_and_shard(self):
        with RiffleServer(in_memory=True, args=['--admin-port', '0', '--enforce-limits']) as server:
            # One attempt per call: every refusal the server counts is one seen here.
            kin = boto3.client('kinesis', endpoint_url=server.endpoint, region_name='us-east-1',
                               aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
                               config=Config(retries={'total_max_attempts': 1, 'mode': 'standard'}))
            create_active(kin, 'limited', shards=2)
            kin.enable_enhanced_monitoring(StreamName='limited', ShardLevelMetrics=['ALL'])
            # Writes: a shard takes 1 MiB/s; two 600 KB records for shard 1 in one call: the second is refused.
            answer = kin.put_records(StreamName='limited', Records=[
                {'PartitionKey': 'a', 'Data': b'x' * 600000, 'ExplicitHashKey': HIGH},
                {'PartitionKey': 'b', 'Data': b'y' * 600000, 'ExplicitHashKey': HIGH}])
            self.assertEqual([r.get('ErrorCode') for r in answer['Records']],
                             [None, 'ProvisionedThroughputExceededException'])
            # Reads: a shard takes 5 GetRecords calls a second; call until one is refused.
            iterator = kin.get_shard_iterator(StreamName='limited', ShardId=SHARD0,
                                              ShardIteratorType='LATEST')['ShardIterator']
            refused = 0
            for _ in range(50):
                try:
                    iterator = kin.get_records(ShardIterator=iterator)['NextShardIterator']
                except kin.exceptions.ProvisionedThroughputExceededException:
                    refused = 1
                    break
            self.assertEqual(refused, 1, 'no GetRecords call refused in 50')
            values = self.metrics(server)
            self.assertEqual(values['kinesis_ReadProvisionedThroughputExceeded' + stream_labels('limited')], 1)
            self.assertEqual(values['kinesis_WriteProvisionedThroughputExceeded' + stream_labels('limited')], 1)
            self.assertEqual(values['kinesis_PutRecords_ThrottledRecords' + stream_labels('limited')], 1)
            self.assertEqual(
                values['kinesis_shard_ReadProvisionedThroughputExceeded' + shard_labels('limited', SHARD0)], 1)
            self.assertEqual(
                values['kinesis_shard_WriteProvisionedThroughputExceeded' + shard_labels('limited', SHARD1)], 1)
            self.assertEqual(values['kinesis_shard_IncomingRecords' + shard_labels('limited', SHARD1)], 1)
            self.assertEqual(
                values['kinesis_shard_WriteProvisionedThroughputExceeded' + shard_labels('limited', SHARD0)], 0)

    def test_store_latency_and_bytes_on_disk(self):
        with RiffleServer(args=['--admin-port', '0']) as server:
            kin = client(server.endpoint)
            create_active(kin, 'stored', shards=1)
            create_active(kin, 'empty', shards=1)
            before = self.metrics(server)
            for i in range(8):
                kin.put_record(StreamName='stored', PartitionKey='k%d' % i, Data=os.urandom(256 << 10))
            values = self.metrics(server)
            # Every acknowledged put was a synced store write (the default --sync always).
            writes = values['riffle_store_write_duration_seconds_count'] - \
                before['riffle_store_write_duration_seconds_count']
            syncs = values['riffle_store_sync_duration_seconds_count'] - \
                before['riffle_store_sync_duration_seconds_count']
            self.assertGreaterEqual(writes, 8)
            self.assertGreaterEqual(syncs, 8)
            self.assertEqual(values['riffle_store_write_duration_seconds_bucket{le="+Inf"}'],
                             values['riffle_store_write_duration_seconds_count'])
            self.assertGreater(values['riffle_store_write_duration_seconds_sum'], 0)
            self.assertEqual(values['riffle_store_failed_writes_total'], 0)
            self.assertIn('riffle_store_write_stalls_total', values)
            self.assertGreater(values['riffle_stream_disk_bytes' + stream_labels('stored')], 1 << 20)
            self.assertEqual(values['riffle_stream_disk_bytes' + stream_labels('empty')], 0)
            kin.delete_stream(StreamName='stored')
            wait_gone(kin, 'stored')
            values = self.metrics(server)
            self.assertNotIn('riffle_stream_disk_bytes' + stream_labels('stored'), values)
            self.assertIn('riffle_stream_disk_bytes' + stream_labels('empty'), values)


if __name__ == '__main__':
    unittest.main()
