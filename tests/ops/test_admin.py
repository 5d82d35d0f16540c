"""The admin listener: /health/live, /health/ready, /metrics; JSON logs (pip python3 + boto3).

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_admin.py -v
"""

import json
import os
import re
import signal
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, wait_until  # noqa: E402
from kinesis_helpers import client, create_active  # noqa: E402
from nats_cluster import NatsCluster  # noqa: E402
from metrics_text import get, samples  # noqa: E402


class Admin(unittest.TestCase):
    def setUp(self):
        require_own_server(self)

    def test_off_by_default(self):
        with RiffleServer(in_memory=True) as server:
            self.assertIsNone(server.admin_endpoint)

    def test_health(self):
        with RiffleServer(in_memory=True, args=['--admin-port', '0']) as server:
            self.assertEqual(get(server.admin_endpoint + '/health/live'), (200, 'live\n'))
            self.assertEqual(get(server.admin_endpoint + '/health/ready'), (200, 'ready\n'))
            self.assertEqual(get(server.admin_endpoint + '/nothing')[0], 404)

    def test_not_ready_while_shutting_down(self):
        server = RiffleServer(args=['--admin-port', '0', '--shutdown-delay-ms', '4000']).start()
        try:
            kin = client(server.endpoint)
            create_active(kin, 'drained')
            server.proc.send_signal(signal.SIGTERM)
            status = wait_until(lambda: get(server.admin_endpoint + '/health/ready')[0] == 503 and
                                get(server.admin_endpoint + '/health/ready'), timeout=3, what='503')
            self.assertEqual(status, (503, 'not ready: shutting down\n'))
            # The API keeps serving during the delay.
            kin.put_record(StreamName='drained', PartitionKey='k', Data=b'late')
            self.assertEqual(get(server.admin_endpoint + '/health/live'), (200, 'live\n'))
            self.assertEqual(server.proc.wait(30), 0)
        finally:
            server.close()

    def test_metrics_after_puts_and_reads(self):
        with RiffleServer(in_memory=True, args=['--admin-port', '0']) as server:
            kin = client(server.endpoint)
            create_active(kin, 'metered', shards=1)
            kin.put_record(StreamName='metered', PartitionKey='ab', Data=b'12345')  # 2 + 5 bytes
            kin.put_records(StreamName='metered', Records=[
                {'PartitionKey': 'c', 'Data': b'x' * 10}, {'PartitionKey': 'd', 'Data': b'y' * 20}])
            iterator = kin.get_shard_iterator(StreamName='metered', ShardId='shardId-000000000000',
                                              ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            self.assertEqual(len(kin.get_records(ShardIterator=iterator)['Records']), 3)
            try:
                kin.describe_stream(StreamName='missing')
            except kin.exceptions.ResourceNotFoundException:
                pass
            status, text = get(server.admin_endpoint + '/metrics')
            self.assertEqual(status, 200)
            values = samples(text)
            labels = '{account="000000000000",region="us-east-1",stream="metered"}'
            self.assertEqual(values['kinesis_IncomingRecords' + labels], 3)
            self.assertEqual(values['kinesis_IncomingBytes' + labels], 7 + 11 + 21)
            self.assertEqual(values['kinesis_OutgoingRecords' + labels], 3)
            self.assertEqual(values['kinesis_OutgoingBytes' + labels], 7 + 11 + 21)
            # The per-operation metrics, with CloudWatch's names.
            self.assertEqual(values['kinesis_PutRecord_Success' + labels], 1)
            self.assertEqual(values['kinesis_PutRecord_Bytes' + labels], 7)
            self.assertEqual(values['kinesis_PutRecords_Success' + labels], 1)
            self.assertEqual(values['kinesis_PutRecords_Bytes' + labels], 11 + 21)
            self.assertEqual(values['kinesis_PutRecords_TotalRecords' + labels], 2)
            self.assertEqual(values['kinesis_PutRecords_SuccessfulRecords' + labels], 2)
            self.assertEqual(values['kinesis_PutRecords_FailedRecords' + labels], 0)
            self.assertEqual(values['kinesis_PutRecords_ThrottledRecords' + labels], 0)
            self.assertEqual(values['kinesis_GetRecords_Success' + labels], 1)
            self.assertEqual(values['kinesis_GetRecords_Records' + labels], 3)
            self.assertEqual(values['kinesis_GetRecords_Bytes' + labels], 7 + 11 + 21)
            self.assertGreaterEqual(values['kinesis_GetRecords_IteratorAgeMilliseconds' + labels], 0)
            for operation in ('PutRecord', 'PutRecords', 'GetRecords'):
                self.assertEqual(values['kinesis_%s_Latency_count%s' % (operation, labels)], 1)
                self.assertGreater(values['kinesis_%s_Latency_sum%s' % (operation, labels)], 0)
            self.assertEqual(values['kinesis_WriteProvisionedThroughputExceeded' + labels], 0)
            self.assertEqual(values['riffle_requests_total{operation="PutRecord",status="200"}'], 1)
            self.assertEqual(values['riffle_requests_total{operation="PutRecords",status="200"}'], 1)
            self.assertEqual(values['riffle_requests_total{operation="GetRecords",status="200"}'], 1)
            self.assertEqual(values['riffle_requests_total{operation="DescribeStream",status="400"}'], 1)
            self.assertEqual(values['riffle_request_duration_seconds_count{operation="PutRecord"}'], 1)
            self.assertEqual(values['riffle_request_duration_seconds_bucket{operation="PutRecord",le="+Inf"}'], 1)
            self.assertEqual(values['riffle_ready'], 1)
            self.assertGreater(values['riffle_resident_memory_bytes'], 1 << 20)
            self.assertGreaterEqual(values['riffle_open_connections'], 1)
            for line in text.splitlines():
                if not line.startswith('#'):
                    self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [0-9.e+-]+$')

    def test_throttled_and_failed_records(self):
        # Every PutRecords entry is refused (never stored): as throttled, or as an internal failure.
        for code, throttled, failed in (('ProvisionedThroughputExceededException', 2, 0), ('InternalFailure', 0, 2)):
            with self.subTest(code=code), RiffleServer(in_memory=True, args=[
                    '--admin-port', '0', '--inject-record-failure', '1.0:' + code]) as server:
                kin = client(server.endpoint)
                create_active(kin, 'refused', shards=1)
                answer = kin.put_records(StreamName='refused', Records=[
                    {'PartitionKey': 'a', 'Data': b'1'}, {'PartitionKey': 'b', 'Data': b'2'}])
                self.assertEqual([r['ErrorCode'] for r in answer['Records']], [code, code])
                values = samples(get(server.admin_endpoint + '/metrics')[1])
                labels = '{account="000000000000",region="us-east-1",stream="refused"}'
                self.assertEqual(values['kinesis_PutRecords_Success' + labels], 1)
                self.assertEqual(values['kinesis_PutRecords_TotalRecords' + labels], 2)
                self.assertEqual(values['kinesis_PutRecords_SuccessfulRecords' + labels], 0)
                self.assertEqual(values['kinesis_PutRecords_ThrottledRecords' + labels], throttled)
                self.assertEqual(values['kinesis_PutRecords_FailedRecords' + labels], failed)
                self.assertEqual(values['kinesis_WriteProvisionedThroughputExceeded' + labels], throttled)
                self.assertEqual(values['kinesis_IncomingRecords' + labels], 0)

    def test_subscription_metrics(self):
        with RiffleServer(in_memory=True, args=['--admin-port', '0']) as server:
            kin = client(server.endpoint)
            create_active(kin, 'pushed', shards=1)
            arn = kin.describe_stream_summary(StreamName='pushed')['StreamDescriptionSummary']['StreamARN']
            consumer = kin.register_stream_consumer(StreamARN=arn, ConsumerName='c')['Consumer']['ConsumerARN']
            wait_until(lambda: kin.describe_stream_consumer(ConsumerARN=consumer)['ConsumerDescription'][
                'ConsumerStatus'] == 'ACTIVE', what='consumer ACTIVE')
            kin.put_record(StreamName='pushed', PartitionKey='k', Data=b'abcd')  # 1 + 4 bytes
            events = kin.subscribe_to_shard(ConsumerARN=consumer, ShardId='shardId-000000000000',
                                            StartingPosition={'Type': 'TRIM_HORIZON'})['EventStream']
            for event in events:
                if event['SubscribeToShardEvent']['Records']:
                    break
            self.assertEqual(samples(get(server.admin_endpoint + '/metrics')[1])['riffle_open_subscriptions'], 1)
            with self.assertRaises(kin.exceptions.ResourceInUseException):
                kin.subscribe_to_shard(ConsumerARN=consumer, ShardId='shardId-000000000000',
                                       StartingPosition={'Type': 'LATEST'})
            events.close()
            wait_until(lambda: samples(get(server.admin_endpoint + '/metrics')[1])['riffle_open_subscriptions'] == 0,
                       what='the subscription closed')
            labels = '{account="000000000000",region="us-east-1",stream="pushed"}'
            values = samples(get(server.admin_endpoint + '/metrics')[1])
            self.assertEqual(values['kinesis_SubscribeToShard_Success' + labels], 1)
            self.assertEqual(values['kinesis_SubscribeToShard_RateExceeded' + labels], 1)
            self.assertGreaterEqual(values['kinesis_SubscribeToShardEvent_Success' + labels], 1)
            self.assertEqual(values['kinesis_SubscribeToShardEvent_Records' + labels], 1)
            self.assertEqual(values['kinesis_SubscribeToShardEvent_Bytes' + labels], 5)
            self.assertEqual(values['kinesis_OutgoingRecords' + labels], 1)

    def test_cluster_node(self):
        with NatsCluster(servers=1) as nats:
            args = ['--nats', nats.url_list, '--nats-replicas', '1', '--admin-port', '0']
            with RiffleServer(args=args, ready_timeout=60) as server:
                self.assertEqual(get(server.admin_endpoint + '/health/ready'), (200, 'ready\n'))
                kin = client(server.endpoint)
                create_active(kin, 'clustered')
                kin.put_record(StreamName='clustered', PartitionKey='k', Data=b'abc')
                values = samples(get(server.admin_endpoint + '/metrics')[1])
                labels = '{account="000000000000",region="us-east-1",stream="clustered"}'
                self.assertEqual(values['kinesis_IncomingRecords' + labels], 1)
                self.assertEqual(values['kinesis_IncomingBytes' + labels], 4)
                request = urllib.request.Request(server.admin_endpoint + '/backup?dir=/tmp/none', method='POST')
                with self.assertRaises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(request, timeout=10)
                self.assertEqual(refused.exception.code, 501)
                self.assertIn(b'back up NATS JetStream', refused.exception.read())

    def test_json_logs_parse(self):
        with RiffleServer(in_memory=True, args=['--log-format', 'json']) as server:
            create_active(client(server.endpoint), 'logged')
            server.stop()
            lines = [line for line in server.stderr_text().splitlines() if line.strip()]
            self.assertGreaterEqual(len(lines), 2)
            for line in lines:
                entry = json.loads(line)
                self.assertEqual(sorted(entry), ['level', 'msg', 'time'])
                self.assertRegex(entry['time'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
            self.assertTrue(any(re.match(r'serving in memory', json.loads(l)['msg']) for l in lines))


if __name__ == '__main__':
    unittest.main()
