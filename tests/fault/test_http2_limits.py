"""HTTP/2 attacks against the real riffle binary (pip python3 + boto3), with frames written by
hand over h2c: endless streams, CONTINUATION, PING and SETTINGS floods, rapid reset, an oversized
header list. Each is cut off while a boto3 client keeps being served.

No timing assertions: every wait has a generous deadline only so that a broken server fails the
test instead of hanging it.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_http2_limits.py -v
"""

import os
import struct
import sys
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


HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION = 1, 3, 4, 6, 7, 9
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


if __name__ == '__main__':
    unittest.main()
