"""HTTP/2 attacks against the real riffle binary (pip python3 + boto3), with frames written by
hand over h2c: endless streams, CONTINUATION, PING and SETTINGS floods, rapid reset, an oversized
header list, and slow clients (a silent connection kept open with PINGs, a header block or a body
that never completes). Each is cut off while a boto3 client keeps being served, and a
SubscribeToShard over HTTP/2 outlives both timeouts.

No timing assertions: every wait has a generous deadline only so that a broken server fails the
test instead of hanging it.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_http2_limits.py -v
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active  # noqa: E402
from test_network_limits import DEADLINE, H2_PREFACE, connect, read_until_closed, send_all_tolerant  # noqa: E402


def h2_frame(ftype, flags, stream_id, payload=b''):
    return struct.pack('>I', len(payload))[1:] + bytes([ftype, flags]) + struct.pack('>I', stream_id) + payload


def h2_request_block(authority=b'localhost'):
    # HPACK: :method POST (static 3), :scheme http (6), :path / (4), :authority literal (name index 1).
    return b'\x83\x86\x84\x01' + bytes([len(authority)]) + authority


def hpack_int(value, prefix_bits):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([value])
    out = bytearray([limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 | 128)
        value //= 128
    out.append(value)
    return bytes(out)


def h2_frames(data):
    """Parses server frames: list of (type, flags, stream_id, payload)."""
    frames = []
    while len(data) >= 9:
        length = int.from_bytes(data[0:3], 'big')
        if len(data) < 9 + length:
            break
        frames.append((data[3], data[4], int.from_bytes(data[5:9], 'big') & 0x7fffffff, data[9:9 + length]))
        data = data[9 + length:]
    return frames


DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION = 0, 1, 3, 4, 6, 7, 9
CANCEL = 8
END_STREAM, END_HEADERS = 0x1, 0x4


class Http2Limits(unittest.TestCase):
    ARGS = ['--max-header-bytes', str(16 << 10), '--http2-max-streams', '16']

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.server = RiffleServer(args=cls.ARGS).start()
        cls.kin = client(cls.server.endpoint)
        cls.stream = unique_name('h2')
        create_active(cls.kin, cls.stream, 1)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.port = self.server.port

    def assert_served(self, kin=None):
        """A well-behaved client still gets its answers."""
        kin = kin or self.kin
        self.assertTrue(kin.put_record(StreamName=self.stream, PartitionKey='k', Data=b'ok')['SequenceNumber'])

    def assert_alive(self):
        self.assertIsNone(self.server.proc.poll(), 'riffle exited; stderr:\n' + self.server.stderr_text())
        self.assert_served(client(self.server.endpoint))

    def h2_connect(self):
        s = connect(self.port)
        s.sendall(H2_PREFACE + h2_frame(SETTINGS, 0, 0))
        return s

    def h2_until_closed(self, s, what):
        frames = h2_frames(read_until_closed(s))
        s.close()
        types = {f[0] for f in frames}
        self.assertIn(GOAWAY, types, '%s: the server answers with GOAWAY (frames: %s)' % (what, sorted(types)))
        return frames

    def test_h2_endless_streams_are_refused(self):
        """Streams beyond --http2-max-streams are reset, the connection and the server go on."""
        s = self.h2_connect()
        # Like a real client, acknowledge the server's SETTINGS (its stream limit applies from then on).
        s.settimeout(DEADLINE)
        data = b''
        while not any(f[0] == SETTINGS and not f[1] & 1 for f in h2_frames(data)):
            chunk = s.recv(65536)
            self.assertTrue(chunk, 'the server sends its SETTINGS')
            data += chunk
        s.sendall(h2_frame(SETTINGS, 1, 0))
        blob = b''.join(h2_frame(HEADERS, END_HEADERS, 2 * i + 1, h2_request_block()) for i in range(200))
        send_all_tolerant(s, blob)
        s.settimeout(DEADLINE)
        data = b''
        end = time.monotonic() + DEADLINE
        while RST_STREAM not in {f[0] for f in h2_frames(data)} and GOAWAY not in {f[0] for f in h2_frames(data)}:
            chunk = s.recv(65536)
            if not chunk or time.monotonic() > end:
                break
            data += chunk
        s.close()
        types = {f[0] for f in h2_frames(data)}
        self.assertTrue(RST_STREAM in types or GOAWAY in types, 'excess streams refused (frames: %s)' % types)
        self.assert_alive()

    def test_h2_continuation_flood_is_cut_off(self):
        s = self.h2_connect()
        flood = h2_frame(HEADERS, 0, 1, h2_request_block())
        flood += h2_frame(CONTINUATION, 0, 1, b'\x40\x01a\x01b') * 10000  # literal x-header fragments, never ending
        send_all_tolerant(s, flood)
        self.h2_until_closed(s, 'CONTINUATION flood')
        self.assert_alive()

    def test_h2_ping_flood_is_cut_off(self):
        """PINGs whose ACKs the client never reads: the server stops queueing and closes."""
        s = self.h2_connect()
        ping = h2_frame(PING, 0, 0, b'12345678')
        for _ in range(200):
            if not send_all_tolerant(s, ping * 5000):
                break
        read_until_closed(s)  # whatever got through; the server must close
        s.close()
        self.assert_alive()

    def test_h2_settings_flood_is_cut_off(self):
        s = self.h2_connect()
        settings = h2_frame(SETTINGS, 0, 0, struct.pack('>HI', 3, 100))
        for _ in range(200):
            if not send_all_tolerant(s, settings * 5000):
                break
        read_until_closed(s)
        s.close()
        self.assert_alive()

    def test_h2_rapid_reset_is_cut_off(self):
        """Open-and-reset streams without end (CVE-2023-44487): GOAWAY after the reset budget."""
        s = self.h2_connect()
        blob = bytearray()
        for i in range(5000):
            sid = 2 * i + 1
            blob += h2_frame(HEADERS, END_HEADERS, sid, h2_request_block())
            blob += h2_frame(RST_STREAM, 0, sid, struct.pack('>I', 8))  # CANCEL
        send_all_tolerant(s, bytes(blob))
        self.h2_until_closed(s, 'rapid reset')
        self.assert_alive()

    def test_h2_oversized_header_list_gets_431(self):
        """A header list above --max-header-bytes (16 KiB here) is answered 431, not handled."""
        s = self.h2_connect()
        value = b'h' * 20000
        # HPACK literal without indexing, new name "x-big", value length as a 7-bit-prefix integer.
        block = h2_request_block() + b'\x00\x05x-big' + hpack_int(len(value), 7) + value
        s.sendall(h2_frame(HEADERS, END_STREAM, 1, block[:16000]) +
                  h2_frame(CONTINUATION, END_HEADERS, 1, block[16000:]))
        s.settimeout(DEADLINE)
        data = b''
        status = None
        end = time.monotonic() + DEADLINE
        while status is None and time.monotonic() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            for ftype, _, sid, payload in h2_frames(data):
                if ftype == HEADERS and sid == 1:
                    status = payload[:1]
                elif ftype in (RST_STREAM, GOAWAY):
                    status = b'reset'
        s.close()
        # HPACK static index 8 would be :status 200; 431 is a literal. Anything but a 200 passes.
        self.assertIsNotNone(status, 'the oversized header list is answered')
        self.assertNotEqual(status, b'\x88')
        self.assert_served()


class Http2SlowClients(unittest.TestCase):
    """--header-timeout and --idle-timeout on HTTP/2: PING, SETTINGS and WINDOW_UPDATE frames do
    not keep a connection without requests; a stalled header block or body is cut off."""
    HEADER_TIMEOUT, IDLE_TIMEOUT = 1, 3

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.server = RiffleServer(args=['--header-timeout', str(cls.HEADER_TIMEOUT),
                                        '--idle-timeout', str(cls.IDLE_TIMEOUT),
                                        '--subscription-ms', '9000']).start()
        cls.kin = client(cls.server.endpoint)
        cls.stream = unique_name('h2slow')
        create_active(cls.kin, cls.stream, 1)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assert_served(self):
        self.assertIsNone(self.server.proc.poll(), 'riffle exited; stderr:\n' + self.server.stderr_text())
        kin = client(self.server.endpoint)
        self.assertTrue(kin.put_record(StreamName=self.stream, PartitionKey='k', Data=b'ok')['SequenceNumber'])

    def read_while_pinging(self, s, until):
        """Reads frames while sending a PING every 0.3 s (a client keeping the connection warm), until
        `until(frames)` holds or the server closes. Returns (frames, closed)."""
        s.settimeout(0.3)
        data = b''
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            try:
                s.sendall(h2_frame(PING, 0, 0, b'keepwarm'))
            except OSError:
                pass  # closed: the reads below see it
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return h2_frames(data), True
            if not chunk:
                return h2_frames(data), True
            data += chunk
            if until(h2_frames(data)):
                return h2_frames(data), False
        self.fail('no answer within %s s (frames: %s)' % (DEADLINE, sorted({f[0] for f in h2_frames(data)})))

    def test_h2_connection_without_requests_is_closed_despite_pings(self):
        """Preface and PINGs only: GOAWAY and close after --header-timeout, as an HTTP/1.1 connection
        that never sends a header."""
        s = connect(self.port())
        s.sendall(H2_PREFACE + h2_frame(SETTINGS, 0, 0))
        frames, closed = self.read_while_pinging(s, lambda frames: False)
        s.close()
        self.assertTrue(closed)
        self.assertIn(GOAWAY, {f[0] for f in frames})
        self.assert_served()

    def test_h2_unfinished_header_block_is_closed(self):
        """HEADERS without END_HEADERS and no CONTINUATION: the connection is closed after
        --header-timeout (no other frame, PINGs included, may come before the block ends), even with
        an --idle-timeout longer than this test's deadline."""
        server = RiffleServer(args=['--header-timeout', '1', '--idle-timeout', '600']).start()
        self.addCleanup(server.close)
        s = connect(server.port)
        s.sendall(H2_PREFACE + h2_frame(SETTINGS, 0, 0) + h2_frame(HEADERS, 0, 1, h2_request_block()))
        frames = h2_frames(read_until_closed(s))
        s.close()
        self.assertIn(GOAWAY, {f[0] for f in frames})
        self.assertNotIn(HEADERS, {f[0] for f in frames}, 'the unfinished request is not answered')
        self.assert_served()

    def test_h2_stalled_body_is_reset_while_a_sibling_stream_is_answered(self):
        """A body that never ends (the client only PINGs): RST_STREAM CANCEL after --idle-timeout,
        then GOAWAY; a complete request on the same connection is answered."""
        s = connect(self.port())
        s.sendall(H2_PREFACE + h2_frame(SETTINGS, 0, 0) +
                  h2_frame(HEADERS, END_HEADERS, 1, h2_request_block()) + h2_frame(DATA, 0, 1, b'{"Stream') +
                  h2_frame(HEADERS, END_HEADERS | END_STREAM, 3, h2_request_block()))

        def reset(frames):
            return any(f[0] == RST_STREAM and f[2] == 1 for f in frames)
        frames, _ = self.read_while_pinging(s, reset)
        if not any(f[0] == GOAWAY for f in frames):
            frames += h2_frames(read_until_closed(s))
        s.close()
        rst = [f for f in frames if f[0] == RST_STREAM and f[2] == 1]
        self.assertTrue(rst, 'the stalled stream is reset')
        self.assertEqual(struct.unpack('>I', rst[0][3])[0], CANCEL)
        self.assertIn(GOAWAY, {f[0] for f in frames})
        self.assertTrue(any(f[0] == HEADERS and f[2] == 3 for f in frames), 'the complete request is answered')
        self.assertFalse(any(f[0] == HEADERS and f[2] == 1 for f in frames), 'the stalled one is not')
        self.assert_served()

    @unittest.skipUnless(shutil.which('nghttp'), 'nghttp (nghttp2-client) not installed')
    def test_h2_subscription_outlives_both_timeouts(self):
        """A SubscribeToShard over h2c (nghttp) lasting 9 s, three times --idle-timeout, with a record
        put after the timeouts passed: the record arrives and the subscription ends normally."""
        arn = self.kin.describe_stream(StreamName=self.stream)['StreamDescription']['StreamARN']
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName=unique_name('c'))['Consumer']
        end = time.monotonic() + DEADLINE
        while self.kin.describe_stream_consumer(ConsumerARN=consumer['ConsumerARN'])[
                'ConsumerDescription']['ConsumerStatus'] != 'ACTIVE':
            self.assertLess(time.monotonic(), end, 'consumer ACTIVE')
            time.sleep(0.1)
        body = json.dumps({'ConsumerARN': consumer['ConsumerARN'], 'ShardId': 'shardId-000000000000',
                           'StartingPosition': {'Type': 'LATEST'}}).encode()
        auth = ('AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, '
                'SignedHeaders=host;x-amz-date;x-amz-target, Signature=' + '0' * 64)
        with tempfile.NamedTemporaryFile(suffix='.json') as f:
            f.write(body)
            f.flush()
            sub = subprocess.Popen(['nghttp', '-d', f.name, '-H', 'content-type: application/x-amz-json-1.1',
                                    '-H', 'x-amz-target: Kinesis_20131202.SubscribeToShard',
                                    '-H', 'x-amz-date: 20240101T000000Z', '-H', 'authorization: ' + auth,
                                    self.server.endpoint + '/'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(self.IDLE_TIMEOUT + 2 * self.HEADER_TIMEOUT + 1)  # past both timeouts
            self.kin.put_record(StreamName=self.stream, PartitionKey='k', Data=b'after-the-timeouts')
            out, err = sub.communicate(timeout=DEADLINE)
        self.assertEqual(sub.returncode, 0, err)
        self.assertIn(b'initial-response', out)
        self.assertIn(b'YWZ0ZXItdGhlLXRpbWVvdXRz', out, 'the record put after the timeouts arrives')  # base64

    def port(self):
        return self.server.port


if __name__ == '__main__':
    unittest.main()
