"""A load balancer for cluster tests: one loopback endpoint in front of several Riffle nodes.

HTTP/1.1 is spread per request: every request a client sends on one connection goes to the next
node in round-robin order (over a kept-alive connection to that node), so a client that reuses one
connection still talks to every node. Responses are streamed as they arrive (Content-Length,
chunked, or until close), so a SubscribeToShard event stream flows through unbuffered.

HTTP/2 with prior knowledge (h2c, the AWS SDK for JavaScript) cannot be split without decoding
frames: a connection that opens with the HTTP/2 preface is relayed as a whole to the next node,
so HTTP/2 is spread per connection. So is a connection upgraded with 101 Switching Protocols.

    proxy = SpreadProxy(['http://127.0.0.1:P0', 'http://127.0.0.1:P1']).start()
    proxy.endpoint          # 'http://127.0.0.1:P'
    proxy.counts            # requests (HTTP/1.1) or connections (HTTP/2) each node was sent
    proxy.stop()

Standard library only.
"""

import itertools
import socket
import threading
import urllib.parse

H2_PREFACE = b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
MAX_HEAD = 64 * 1024


class _Closed(Exception):
    """The peer closed the connection (cleanly between messages, or in the middle of one)."""


class _Reader:
    """Buffered reads from a socket: lines, exact counts, whatever is there."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise _Closed()
        self.buf += data

    def peek(self, n):
        while len(self.buf) < n:
            try:
                self._fill()
            except _Closed:
                break
        return self.buf[:n]

    def line(self):
        while b'\r\n' not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise _Closed()
            self._fill()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line + b'\r\n'

    def exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def some(self):
        if not self.buf:
            self._fill()
        data, self.buf = self.buf, b''
        return data

    def head(self):
        """The start line and header lines up to the blank line: (start_line, [(name, value)], raw bytes)."""
        start = self.line()
        raw = [start]
        headers = []
        while True:
            line = self.line()
            raw.append(line)
            if line == b'\r\n':
                break
            name, _, value = line.decode('latin-1').partition(':')
            headers.append((name.strip().lower(), value.strip()))
        return start.decode('latin-1'), headers, b''.join(raw)


def _header(headers, name):
    for n, v in headers:
        if n == name:
            return v
    return None


def _relay_exactly(reader, count, send):
    """Copies count bytes from reader to send() as they arrive."""
    while count:
        data = reader.some()
        if len(data) > count:
            reader.buf = data[count:]
            data = data[:count]
        send(data)
        count -= len(data)


def _relay_body(reader, headers, send, until_close):
    """Copies one message body from reader to send(); True when the connection stays usable."""
    if 'chunked' in (_header(headers, 'transfer-encoding') or '').lower():
        while True:
            size_line = reader.line()
            send(size_line)
            size = int(size_line.split(b';', 1)[0].strip() or b'0', 16)
            if size == 0:
                while True:  # trailers, then the blank line
                    line = reader.line()
                    send(line)
                    if line == b'\r\n':
                        return True
            _relay_exactly(reader, size + 2, send)  # the chunk and its CRLF, forwarded as it arrives
    length = _header(headers, 'content-length')
    if length is not None:
        _relay_exactly(reader, int(length), send)
        return True
    if until_close:
        try:
            while True:
                send(reader.some())
        except _Closed:
            return False
    return True


def _pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _tunnel(client, upstream, pending=b''):
    """Relays bytes both ways until either side closes."""
    if pending:
        upstream.sendall(pending)
    back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
    back.start()
    _pipe(client, upstream)
    back.join()


class SpreadProxy:
    def __init__(self, endpoints, host='127.0.0.1'):
        self.targets = [(u.hostname, u.port) for u in map(urllib.parse.urlsplit, endpoints)]
        self._next = itertools.count()
        self.counts = [0] * len(self.targets)
        self._lock = threading.Lock()
        self.listener = socket.create_server((host, 0))
        self.endpoint = 'http://%s:%d' % (host, self.listener.getsockname()[1])
        self._stopped = False
        self._conns = set()

    def set_endpoints(self, endpoints):
        """Sends the next requests to these nodes (the same number as before), e.g. after restarts."""
        targets = [(u.hostname, u.port) for u in map(urllib.parse.urlsplit, endpoints)]
        with self._lock:
            self.targets = targets

    def next_target(self):
        with self._lock:
            i = next(self._next) % len(self.targets)
            self.counts[i] += 1
            return self.targets[i]

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self._stopped = True
        self.listener.close()
        with self._lock:
            conns = list(self._conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _track(self, sock, add):
        with self._lock:
            (self._conns.add if add else self._conns.discard)(sock)

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _connect(self, target):
        sock = socket.create_connection(target)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(sock, True)
        return sock

    def _serve(self, client):
        self._track(client, True)
        upstreams = {}  # target -> (socket, _Reader), kept alive for this client connection
        try:
            reader = _Reader(client)
            if reader.peek(len(H2_PREFACE)) == H2_PREFACE:
                upstream = self._connect(self.next_target())
                pending, reader.buf = reader.buf, b''
                _tunnel(client, upstream, pending)
                return
            while self._exchange(client, reader, upstreams):
                pass
        except (_Closed, OSError, ValueError):
            pass
        finally:
            for sock, _ in upstreams.values():
                self._track(sock, False)
                sock.close()
            self._track(client, False)
            client.close()

    def _exchange(self, client, reader, upstreams):
        """Forwards one request and its response; False when the client connection is done."""
        start, headers, raw = reader.head()
        if (_header(headers, 'expect') or '').lower() == '100-continue':
            client.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
            raw = b''.join(line for line in raw.splitlines(keepends=True)
                           if not line.lower().startswith(b'expect:'))
        body = []
        _relay_body(reader, headers, body.append, until_close=False)
        request = raw + b''.join(body)
        target = self.next_target()
        sock = self._send_upstream(upstreams, target, request)
        up = upstreams[target][1]
        method = start.split(' ', 1)[0].upper()
        while True:
            status_line, rheaders, rraw = up.head()
            client.sendall(rraw)
            status = int(status_line.split(' ', 2)[1])
            if status == 101:
                pending, up.buf = up.buf, b''
                if pending:
                    client.sendall(pending)
                upstreams.pop(target)
                _tunnel(client, sock, reader.buf)
                return False
            if status >= 200:
                break
        keep = True
        if method != 'HEAD' and status not in (204, 304):
            keep = _relay_body(up, rheaders, client.sendall, until_close=True)
        closing = 'close' in (_header(rheaders, 'connection') or '').lower()
        if closing or not keep:
            upstreams.pop(target, None)
            self._track(sock, False)
            sock.close()
        if not keep:
            return False  # the body ended with the node's close: the client needs the close too
        return 'close' not in (_header(headers, 'connection') or '').lower()

    def _send_upstream(self, upstreams, target, request):
        """Sends a request on the kept-alive connection to target, or on a new one if the node closed it."""
        if target in upstreams:
            sock, up = upstreams[target]
            if not up.buf and not self._closed_by_peer(sock):
                sock.sendall(request)
                return sock
            self._track(sock, False)
            sock.close()
            del upstreams[target]
        sock = self._connect(target)
        upstreams[target] = (sock, _Reader(sock))
        sock.sendall(request)
        return sock

    @staticmethod
    def _closed_by_peer(sock):
        """An idle connection the node closed reads as end of file (or an error) without blocking."""
        sock.setblocking(False)
        try:
            return sock.recv(1, socket.MSG_PEEK) == b''
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            sock.setblocking(True)
