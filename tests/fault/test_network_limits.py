"""Hostile clients against the real riffle binary (pip python3 + boto3): slowloris, too many
connections, oversized headers and bodies, garbage bytes and half-open connections. Each attack runs while a boto3 client keeps being served. HTTP/2 attacks: test_http2_limits.py.

No timing assertions: every wait has a generous deadline only so that a broken server fails the
test instead of hanging it.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_network_limits.py -v
"""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active  # noqa: E402

DEADLINE = 60.0  # seconds; only against hangs
H2_PREFACE = b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'


def connect(port, timeout=DEADLINE):
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_closed(sock, deadline=DEADLINE):
    """Reads until the server closes (EOF or reset); returns the bytes. Fails on the deadline."""
    sock.settimeout(deadline)
    data = bytearray()
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return bytes(data)
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return bytes(data)
    except socket.timeout:
        raise AssertionError('the server did not close the connection within %.0f s' % deadline)


def status_of(response):
    """The status code of a raw HTTP/1.1 response (None when nothing came)."""
    if not response.startswith(b'HTTP/1.'):
        return None
    return int(response.split(b' ', 2)[1])


def send_all_tolerant(sock, data):
    """Sends data; True if all of it went out, False when the server closed meanwhile."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


class NetworkLimits(unittest.TestCase):
    ARGS = ['--header-timeout', '2', '--max-connections', '64', '--max-body-bytes', str(8 << 20),
            '--max-header-bytes', str(16 << 10)]

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.server = RiffleServer(args=cls.ARGS).start()
        cls.kin = client(cls.server.endpoint)
        cls.stream = unique_name('net')
        create_active(cls.kin, cls.stream, 1)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.port = self.server.port

    def assert_served(self, kin=None):
        """A well-behaved client still gets its answers."""
        kin = kin or self.kin
        seq = kin.put_record(StreamName=self.stream, PartitionKey='k', Data=b'ok')['SequenceNumber']
        self.assertTrue(seq)
        self.assertIn(self.stream, kin.list_streams()['StreamNames'])

    def assert_alive(self):
        self.assertIsNone(self.server.proc.poll(), 'riffle exited; stderr:\n' + self.server.stderr_text())
        self.assert_served(client(self.server.endpoint))

    # -- slow clients ------------------------------------------------------
    def test_slowloris_clients_are_dropped_while_others_are_served(self):
        """Sockets trickling a header one byte at a time are closed (header timeout) while boto3 keeps working."""
        count = 40
        closed = []
        lock = threading.Lock()

        def trickle(sock):
            sock.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\n')
            end = time.monotonic() + DEADLINE
            while time.monotonic() < end:
                if not send_all_tolerant(sock, b'X'):
                    break
                sock.settimeout(0.2)
                try:
                    if sock.recv(1) == b'':
                        break
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    break
            else:
                return
            with lock:
                closed.append(sock)

        sockets = [connect(self.port) for _ in range(count)]
        threads = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in sockets]
        for t in threads:
            t.start()
        served = 0
        while any(t.is_alive() for t in threads):
            self.assert_served()
            served += 1
        for s in sockets:
            s.close()
        self.assertEqual(len(closed), count, 'every trickling client is dropped')
        self.assertGreater(served, 0)
        self.assert_alive()

    def test_silent_connection_is_dropped(self):
        """A connection that never sends a byte is closed (header timeout), without any response."""
        s = connect(self.port)
        self.assertEqual(read_until_closed(s), b'')
        s.close()

    # -- connection count --------------------------------------------------
    def test_connections_beyond_the_limit_are_closed_at_once(self):
        """At --max-connections a new connection is closed; existing ones (a boto3 client) keep working."""
        server = RiffleServer(args=['--max-connections', '6', '--header-timeout', '600'])
        server.start()
        self.addCleanup(server.close)
        kin = client(server.endpoint)
        name = unique_name('cap')
        create_active(kin, name, 1)  # boto3 now holds one keep-alive connection
        idle = [connect(server.port) for _ in range(5)]
        try:
            extra = connect(server.port)
            self.assertEqual(read_until_closed(extra), b'', 'the connection beyond the limit is closed')
            extra.close()
            # The open connections keep working: boto3 on its pooled one, a raw one too.
            kin.put_record(StreamName=name, PartitionKey='k', Data=b'still served')
            idle[0].sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
            self.assertIsNotNone(status_of(read_until_closed(idle[0])))
        finally:
            for s in idle:
                s.close()
        # Places freed: new connections are accepted again.
        kin2 = client(server.endpoint)
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                self.assertIn(name, kin2.list_streams()['StreamNames'])
                break
            except AssertionError:
                raise
            except Exception:  # the server closes its side asynchronously
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # -- oversized requests ------------------------------------------------
    def test_body_far_above_the_limit_gets_413_without_being_read(self):
        """Content-Length of 1 GiB: 413 at once, before the body is sent."""
        s = connect(self.port)
        s.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n'
                  b'X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Length: 1073741824\r\n\r\n')
        response = read_until_closed(s)
        s.close()
        self.assertEqual(status_of(response), 413, response[:200])
        self.assertIn(b'Connection: close', response)
        self.assert_served()

    def test_chunked_body_above_the_limit_gets_413(self):
        """A chunked body growing past --max-body-bytes is cut off with 413 (the server stops buffering)."""
        s = connect(self.port)
        s.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n')
        chunk = b'%x\r\n' % (1 << 20) + b'a' * (1 << 20) + b'\r\n'
        for _ in range(64):  # up to 64 MiB, far above the 8 MiB limit
            if not send_all_tolerant(s, chunk):
                break
        response = read_until_closed(s)
        s.close()
        # The response may be lost to a reset if the client is still sending; it never is a success.
        self.assertIn(status_of(response), (413, None), response[:200])
        self.assert_served()

    def test_large_legitimate_put_records_fits(self):
        """A 4 MB PutRecords (base64 in JSON: about 5.3 MB) passes an 8 MiB body limit."""
        records = [{'Data': os.urandom(1000 * 1000), 'PartitionKey': 'p%d' % i} for i in range(4)]
        result = self.kin.put_records(StreamName=self.stream, Records=records)
        self.assertEqual(result['FailedRecordCount'], 0)

    def test_oversized_header_gets_431(self):
        for extra in (b'X-Big: ' + b'h' * (64 << 10) + b'\r\n',
                      b''.join(b'X-Many-%d: v\r\n' % i for i in range(5000))):
            s = connect(self.port)
            send_all_tolerant(s, b'POST / HTTP/1.1\r\nHost: localhost\r\n' + extra + b'Content-Length: 0\r\n\r\n')
            response = read_until_closed(s)
            s.close()
            self.assertIn(status_of(response), (431, None), response[:200])
        self.assert_served()

    # -- malformed input ---------------------------------------------------
    def test_garbage_bytes_get_400_or_a_close_never_a_5xx(self):
        inputs = [
            os.urandom(4096),
            b'\x00' * 1024,
            b'GET / HTTP/9.9\r\n\r\n',
            b'POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n',
            b'POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
            b'POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello',
            b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n',
            b'POST / HTTP/1.1\r\nHost: a\x00b\r\n\r\n',
            b'POST /\xff\xfe HTTP/1.1\r\n\r\n',
            b' \r\n\r\n',
            H2_PREFACE + os.urandom(2048),  # HTTP/2 preface, then garbage frames
        ]
        for data in inputs:
            s = connect(self.port)
            send_all_tolerant(s, data)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            response = read_until_closed(s)
            s.close()
            status = status_of(response)
            if status is not None:
                self.assertTrue(400 <= status < 500, '%r -> %r' % (data[:40], response[:200]))
        self.assert_alive()

    # -- half-open connections ---------------------------------------------
    def test_half_closed_after_a_complete_request_still_gets_its_answer(self):
        body = b'{"StreamName": "%s"}' % self.stream.encode()
        s = connect(self.port)
        s.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n'
                  b'X-Amz-Target: Kinesis_20131202.DescribeStreamSummary\r\n'
                  b'Content-Length: %d\r\n\r\n' % len(body) + body)
        s.shutdown(socket.SHUT_WR)
        response = read_until_closed(s)
        s.close()
        self.assertIsNotNone(status_of(response), response[:200])
        self.assert_served()

    def test_half_closed_mid_request_is_closed(self):
        s = connect(self.port)
        s.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly part')
        s.shutdown(socket.SHUT_WR)
        read_until_closed(s)
        s.close()
        self.assert_served()

    def test_abandoned_sockets_are_reclaimed(self):
        """Many half-sent requests abandoned by their client do not use up the connection limit."""
        sockets = []
        for _ in range(50):  # close to --max-connections 64
            s = connect(self.port)
            s.sendall(b'POST / HTTP/1.1\r\nHost: localhost\r\n')
            sockets.append(s)
        for s in sockets:
            read_until_closed(s)
            s.close()
        self.assert_alive()

if __name__ == '__main__':
    unittest.main()
