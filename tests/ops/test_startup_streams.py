"""Streams that exist at start: [[streams]] and RIFFLE_STREAMS (pip python3 + boto3).

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_startup_streams.py -v
"""

import os
import sys
import tempfile
import threading
import unittest

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server  # noqa: E402
from kinesis_helpers import client, describe  # noqa: E402
from nats_cluster import NatsCluster  # noqa: E402

CONFIG = '''
create_stream_ms = 400

[[streams]]
name = "orders"
shards = 3
retention_hours = 48
tags = { team = "payments", env = "ci" }
consumers = ["billing", "audit"]

[[streams]]
name = "events"
mode = "ON_DEMAND"

[[streams]]
name = "elsewhere"
region = "eu-west-1"
account_id = "111122223333"
'''


def config_file(text):
    handle = tempfile.NamedTemporaryFile('w', suffix='.toml', delete=False)
    handle.write(text)
    handle.close()
    return handle.name


class StartupStreams(unittest.TestCase):
    def setUp(self):
        require_own_server(self)
        self.config = config_file(CONFIG)
        self.addCleanup(os.unlink, self.config)

    def test_streams_active_at_the_ready_line(self):
        with RiffleServer(args=['--config', self.config]) as server:
            kin = client(server.endpoint)
            orders = describe(kin, 'orders')
            self.assertEqual(orders['StreamStatus'], 'ACTIVE')
            self.assertEqual(len(orders['Shards']), 3)
            self.assertEqual(orders['RetentionPeriodHours'], 48)
            tags = {t['Key']: t['Value'] for t in kin.list_tags_for_stream(StreamName='orders')['Tags']}
            self.assertEqual(tags, {'team': 'payments', 'env': 'ci'})
            consumers = kin.list_stream_consumers(StreamARN=orders['StreamARN'])['Consumers']
            self.assertEqual(sorted((c['ConsumerName'], c['ConsumerStatus']) for c in consumers),
                             [('audit', 'ACTIVE'), ('billing', 'ACTIVE')])
            events = kin.describe_stream_summary(StreamName='events')['StreamDescriptionSummary']
            self.assertEqual(events['StreamStatus'], 'ACTIVE')
            self.assertEqual(events['StreamModeDetails']['StreamMode'], 'ON_DEMAND')
            self.assertNotIn('elsewhere', kin.list_streams()['StreamNames'])
            arn = 'arn:aws:kinesis:eu-west-1:111122223333:stream/elsewhere'
            eu = boto3.client(
                'kinesis', endpoint_url=server.endpoint, region_name='eu-west-1',
                aws_access_key_id='AKIDTEST', aws_secret_access_key='secret')
            summary = eu.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
            self.assertEqual(summary['StreamStatus'], 'ACTIVE')

    def test_existing_stream_left_as_it_is(self):
        data_dir = tempfile.mkdtemp(prefix='riffle-test-')
        server = RiffleServer(data_dir=data_dir, args=['--config', self.config]).start()
        try:
            kin = client(server.endpoint)
            kin.put_record(StreamName='orders', PartitionKey='k', Data=b'kept')
            server.stop()
            differing = config_file('[[streams]]\nname = "orders"\nshards = 5\n')
            self.addCleanup(os.unlink, differing)
            server.args = ['--config', differing]
            server.start()
            kin = client(server.endpoint)
            orders = describe(kin, 'orders')
            self.assertEqual(len(orders['Shards']), 3)
            self.assertEqual(orders['RetentionPeriodHours'], 48)
            stderr = server.stderr_text()
            self.assertIn('stream orders exists and is left as it is, though it has 3 open shards, not 5', stderr)
            self.assertIn('stream orders exists and is left as it is, though retention is 48 hours, not 24', stderr)
        finally:
            server.close()

    def test_environment_streams(self):
        env = ['env', 'RIFFLE_STREAMS=clicks:2,views']
        with RiffleServer(in_memory=True, wrapper=env) as server:
            kin = client(server.endpoint)
            self.assertEqual(len(describe(kin, 'clicks')['Shards']), 2)
            self.assertEqual(len(describe(kin, 'views')['Shards']), 1)

    def test_two_cluster_nodes_starting_at_once(self):
        with NatsCluster(servers=1) as nats:
            args = ['--nats', nats.url_list, '--nats-replicas', '1', '--config', self.config]
            nodes = [RiffleServer(args=args, ready_timeout=60) for _ in range(2)]
            errors = []

            def start(node):
                try:
                    node.start()
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
            threads = [threading.Thread(target=start, args=(n,)) for n in nodes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            try:
                self.assertEqual(errors, [])
                for node in nodes:
                    orders = describe(client(node.endpoint), 'orders')
                    self.assertEqual(orders['StreamStatus'], 'ACTIVE')
                    self.assertEqual(len(orders['Shards']), 3)
                    self.assertEqual(orders['RetentionPeriodHours'], 48)
            finally:
                for node in nodes:
                    node.close()


if __name__ == '__main__':
    unittest.main()
