"""The console's HTTP surface, without a browser: /console/ and its files over HTTP/1.1, h2c and
https (h2); ETag and 304, gzip, HEAD, the /console redirect; the rates endpoint (signed like an
API call) counting what boto3 put and read, per account; the API's answers unchanged; and
--no-console.

Run: RIFFLE_BIN=build/riffle NGHTTP=/usr/bin/nghttp python3 tests/compat/test_console_http.py -v
"""

import gzip
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from kinesis_helpers import client  # noqa: E402
from riffle_server import RiffleServer, require_own_server, wait_until  # noqa: E402


def get(endpoint, path, headers=None, method='GET'):
    """(status, headers as a lower-cased dict, body bytes) of one HTTP/1.1 request."""
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def signed_rates(endpoint, access_key='AKIDTEST'):
    """GET /console/api/rates signed with SigV4 as the page signs it: (status, JSON body)."""
    request = AWSRequest(method='GET', url=endpoint + '/console/api/rates')
    SigV4Auth(Credentials(access_key, 'secret'), 'kinesis', 'us-east-1').add_auth(request)
    status, _, body = get(endpoint, '/console/api/rates', dict(request.headers.items()))
    return status, json.loads(body)


class ConsoleHttp(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.dir = tempfile.mkdtemp(prefix='riffle-console-http-')
        done = subprocess.run([os.environ['RIFFLE_BIN'], 'cert', '--out-dir', cls.dir],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        cls.server = RiffleServer(in_memory=True, tls=(os.path.join(cls.dir, 'riffle.crt'),
                                                       os.path.join(cls.dir, 'riffle.key')),
                                  args=['--account', 'AKIDOTHER=111111111111']).start()
        cls.endpoint = cls.server.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_redirect_and_page(self):
        """/console redirects to /console/, which is the page (HTML with a CSP), gzip when accepted."""
        status, headers, _ = get(self.endpoint, '/console')
        self.assertEqual(status, 301)
        self.assertEqual(headers['location'], '/console/')
        status, headers, body = get(self.endpoint, '/console/')
        self.assertEqual(status, 200)
        self.assertEqual(headers['content-type'], 'text/html; charset=utf-8')
        self.assertNotIn('content-encoding', headers)
        self.assertIn(b'<script type="module" src="main.js">', body)
        self.assertIn("connect-src 'self'", headers['content-security-policy'])
        status, headers, packed = get(self.endpoint, '/console/', {'Accept-Encoding': 'gzip, br'})
        self.assertEqual(headers['content-encoding'], 'gzip')
        self.assertEqual(gzip.decompress(packed), body)
        self.assertEqual(headers['vary'], 'Accept-Encoding')

    def test_files_etag_and_head(self):
        """Each file has its content type and a strong ETag; If-None-Match gets 304; HEAD has no body."""
        for path, ctype in [('/console/main.js', 'text/javascript; charset=utf-8'),
                            ('/console/main.css', 'text/css; charset=utf-8'),
                            ('/console/favicon.svg', 'image/svg+xml')]:
            status, headers, body = get(self.endpoint, path)
            self.assertEqual((status, headers['content-type']), (200, ctype), path)
            self.assertEqual(headers['cache-control'], 'no-cache')
            self.assertGreater(len(body), 100, path)
            etag = headers['etag']
            self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
            status, headers, body = get(self.endpoint, path, {'If-None-Match': etag})
            self.assertEqual((status, body), (304, b''), path)
            self.assertEqual(headers['etag'], etag)
            status, headers, body = get(self.endpoint, path, {'If-None-Match': '"0000000000000000"'})
            self.assertEqual(status, 200, path)
        status, headers, body = get(self.endpoint, '/console/main.js', method='HEAD')
        self.assertEqual((status, body), (200, b''))
        status, _, _ = get(self.endpoint, '/console/nothing-here.js')
        self.assertEqual(status, 404)

    def test_http2_plain_and_tls(self):
        """The page over h2c (prior knowledge) and over https with ALPN h2 (nghttp)."""
        nghttp = os.environ.get('NGHTTP') or shutil.which('nghttp')
        if not nghttp:
            self.skipTest('nghttp not installed (Debian nghttp2-client)')
        for endpoint in (self.endpoint, self.server.tls_endpoint):
            done = subprocess.run([nghttp, '-v', endpoint + '/console/'], capture_output=True, text=True,
                                  timeout=60)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn(':status: 200', done.stdout, endpoint)
            self.assertIn('<title>Riffle console</title>', done.stdout, endpoint)

    def test_api_unchanged(self):
        """POST is the API whatever the path; other GETs get the API's answer as before."""
        status, _, body = get(self.endpoint, '/')
        self.assertEqual(status, 403)
        self.assertIn(b'AccessDeniedException', body)
        status, _, body = get(self.endpoint, '/console/', method='POST')
        self.assertEqual(status, 400)  # no body: the API's answer, not the page
        self.assertNotIn(b'<html', body)

    def test_rates_count_puts_and_reads_per_account(self):
        """The rates endpoint needs a SigV4 authorization and shows the signer's account's streams,
        with the records and bytes boto3 put and read in the last minute."""
        status, _, body = get(self.endpoint, '/console/api/rates')
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)['__type'], 'MissingAuthenticationTokenException')

        kinesis = client(self.endpoint)
        kinesis.create_stream(StreamName='rated', ShardCount=1)
        kinesis.get_waiter('stream_exists').wait(StreamName='rated')
        kinesis.put_record(StreamName='rated', PartitionKey='k', Data=b'x' * 99)  # 100 bytes with its key
        kinesis.put_records(StreamName='rated', Records=[{'PartitionKey': 'k', 'Data': b'y' * 9}] * 4)
        shard = kinesis.list_shards(StreamName='rated')['Shards'][0]['ShardId']
        iterator = kinesis.get_shard_iterator(StreamName='rated', ShardId=shard,
                                              ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual(len(kinesis.get_records(ShardIterator=iterator)['Records']), 5)

        def totals():
            status, body = signed_rates(self.endpoint)
            self.assertEqual(status, 200, body)
            streams = {s['name']: s['points'] for s in body['streams']}
            if 'rated' not in streams:
                return None
            # [endMs, durationMs, recordsIn, bytesIn, recordsOut, bytesOut] per interval
            return [sum(p[i] for p in streams['rated']) for i in range(2, 6)]
        wait_until(lambda: totals() == [5, 140, 5, 140], timeout=10, interval=0.5, what='rates of the puts and reads')
        status, body = signed_rates(self.endpoint, access_key='AKIDOTHER')
        self.assertEqual(status, 200)
        self.assertNotIn('rated', [s['name'] for s in body['streams']], 'another account sees its own streams')


class NoConsole(unittest.TestCase):

    def test_no_console_flag(self):
        """--no-console: /console/ gets the API's answer to a GET, like any other path."""
        require_own_server(self)
        with RiffleServer(in_memory=True, args=['--no-console']) as server:
            status, _, body = get(server.endpoint, '/console/')
            self.assertEqual(status, 403)
            self.assertIn(b'AccessDeniedException', body)
            kinesis = client(server.endpoint)
            kinesis.create_stream(StreamName='plain', ShardCount=1)
            self.assertEqual(kinesis.list_streams()['StreamNames'], ['plain'])


if __name__ == '__main__':
    unittest.main()
