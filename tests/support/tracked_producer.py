"""Producers that retry as the AWS SDKs do and remember the outcome of every attempt, and a
checker that compares what they were told with what the shards hold.

Every record carries a unique payload id. Each attempt of a record ends one of four ways:
  ack      - the server answered with its shard and sequence number;
  refused  - throttling, for the whole call or as a per-record ErrorCode of PutRecords: the
             record was not added;
  unknown  - a server failure (a 5xx for the whole call, or a per-record InternalFailure): as
             with AWS, whose SDKs retry these, the record may or may not have been stored
             (Riffle answers so when JetStream did not confirm a publish within its retry
             budget, e.g. across a NATS leader change);
  lost     - no answer (connection refused/reset, read timeout): the server may have stored it.
A producer re-sends refused and lost records (to any node, with a fresh request) until acked.
Riffle's own retries inside one request reuse their NATS message ids, so they never store a
record twice; the only way a second copy can exist is a client re-send of an attempt that was
lost or whose outcome was unknown. The checker therefore bounds the copies of each record
exactly: acked records appear once at their acknowledged sequence number, plus at most one
copy per lost or unknown attempt (counted and reported, not a failure: `resend_copies_after_lost`,
`stored_after_unknown`), and copies explained only by refused attempts are reported separately
(`stored_despite_refusal`, a failure).

Standard boto3; requires Python 3.
"""

import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

RETRY_CODES = {'InternalFailure', 'ServiceUnavailable', 'ThrottlingException',
               'ProvisionedThroughputExceededException', 'KMSThrottlingException'}
_client_lock = threading.Lock()  # boto3 client creation is not thread-safe


def make_client(endpoint, read_timeout=60):
    with _client_lock:
        return boto3.client(
            'kinesis', endpoint_url=endpoint, region_name='us-east-1',
            aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
            config=Config(retries={'max_attempts': 1}, connect_timeout=3, read_timeout=read_timeout,
                          max_pool_connections=2))


class Record:
    __slots__ = ('rid', 'producer', 'pk', 'hash_key', 'size', 'attempts', 'shard', 'seq', 'acked_at')

    def __init__(self, rid, producer, pk, hash_key=None, size=0):
        self.rid = rid
        self.size = size
        self.producer = producer
        self.pk = pk
        self.hash_key = hash_key
        self.attempts = []       # 'ack' | 'refused:<code>' | 'lost:<what>'
        self.shard = None
        self.seq = None
        self.acked_at = None

    @property
    def data(self):
        return self.rid.ljust(self.size).encode()  # payload: the id, padded with spaces to `size`

    def lost_attempts(self):
        return sum(1 for a in self.attempts if a.startswith('lost'))

    def unknown_attempts(self):
        return sum(1 for a in self.attempts if a.startswith('unknown'))

    def refused_attempts(self):
        return sum(1 for a in self.attempts if a.startswith('refused'))


class Ledger:
    """Every record sent, and the acknowledgement order per producer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = {}
        self.acks = {}           # producer -> [Record] in acknowledgement order
        self.fatal = []          # unexpected errors (4xx other than throttling)

    def new(self, rid, producer, pk, hash_key=None, size=0):
        r = Record(rid, producer, pk, hash_key, size)
        with self.lock:
            self.records[rid] = r
        return r

    def acked(self, record, shard, seq):
        record.attempts.append('ack')
        record.shard, record.seq, record.acked_at = shard, int(seq), time.monotonic()
        with self.lock:
            self.acks.setdefault(record.producer, []).append(record)


class Sender:
    """Sends records with retries; `endpoints()` gives the live endpoints (None for a dead node)."""

    def __init__(self, ledger, stream, endpoints, give_up_s=90.0):
        self.ledger = ledger
        self.stream = stream
        self.endpoints = endpoints
        self.give_up_s = give_up_s
        self.clients = {}
        self.turn = 0
        self.in_call = None      # the endpoint of the call in flight, if any

    def _client(self):
        live = [e for e in self.endpoints() if e]
        endpoint = live[self.turn % len(live)]
        self.turn += 1
        if endpoint not in self.clients:
            self.clients[endpoint] = make_client(endpoint)
        return endpoint, self.clients[endpoint]

    def _call(self, fn):
        """One attempt: ('ok', response) | ('refused', code) | ('lost', what)."""
        endpoint, kin = self._client()
        self.in_call = endpoint
        try:
            return 'ok', fn(kin)
        except ClientError as e:
            code = e.response['Error']['Code']
            status = e.response.get('ResponseMetadata', {}).get('HTTPStatusCode', 0)
            if code in ('InternalFailure', 'ServiceUnavailable') or status >= 500:
                return 'unknown', code
            if code in RETRY_CODES:
                return 'refused', code
            raise
        except BotoCoreError as e:
            return 'lost', type(e).__name__
        finally:
            self.in_call = None

    def put_record(self, record):
        """PutRecord until acknowledged (or give_up_s passed); returns True when acked."""
        deadline = time.monotonic() + self.give_up_s
        pause = 0.05
        while time.monotonic() < deadline:
            kw = {'ExplicitHashKey': str(record.hash_key)} if record.hash_key is not None else {}
            outcome, value = self._call(lambda kin: kin.put_record(
                StreamName=self.stream, PartitionKey=record.pk, Data=record.data, **kw))
            if outcome == 'ok':
                self.ledger.acked(record, value['ShardId'], value['SequenceNumber'])
                return True
            record.attempts.append('%s:%s' % (outcome, value))
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
        return False

    def put_records(self, records):
        """PutRecords, re-sending failed entries until all are acknowledged (or give_up_s)."""
        pending = list(records)
        deadline = time.monotonic() + self.give_up_s
        pause = 0.05
        while pending and time.monotonic() < deadline:
            entries = [{'PartitionKey': r.pk, 'Data': r.data} for r in pending]
            outcome, value = self._call(lambda kin: kin.put_records(StreamName=self.stream, Records=entries))
            if outcome != 'ok':
                for r in pending:
                    r.attempts.append('%s:%s' % (outcome, value))
            else:
                left = []
                for r, result in zip(pending, value['Records']):
                    if 'ErrorCode' in result:
                        kind = 'unknown' if result['ErrorCode'] == 'InternalFailure' else 'refused'
                        r.attempts.append('%s:%s' % (kind, result['ErrorCode']))
                        left.append(r)
                    else:
                        self.ledger.acked(r, result['ShardId'], result['SequenceNumber'])
                if len(left) < len(pending):
                    pause = 0.05
                pending = left
            if pending:
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
        return not pending


class ProducerThread(threading.Thread):
    """Alternates PutRecord and PutRecords (`batch` records) until stopped."""

    def __init__(self, index, ledger, stream, endpoints, batch=20):
        super().__init__(daemon=True, name='producer-%d' % index)
        self.index = index
        self.ledger = ledger
        self.sender = Sender(ledger, stream, endpoints)
        self.batch = batch
        self.stop = threading.Event()
        self.error = None
        self.calls = 0

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                count = 1 if self.calls % 2 == 0 else self.batch
                records = []
                for _ in range(count):
                    rid = 'p%d-%d' % (self.index, n)
                    records.append(self.ledger.new(rid, self.index, 'pk-%d-%d' % (self.index, n)))
                    n += 1
                if count == 1:
                    self.sender.put_record(records[0])
                else:
                    self.sender.put_records(records)
                self.calls += 1
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def stop_all(producers, timeout=120):
    """Stops and joins ProducerThreads; returns what went wrong with them (hung or failed)."""
    for p in producers:
        p.stop.set()
    for p in producers:
        p.join(timeout)
    return ['producer %d hangs' % p.index for p in producers if p.is_alive()] + \
        ['producer %d: %r' % (p.index, p.error) for p in producers if p.error is not None]


def read_stream(kin_for, stream, max_empty=3):
    """{shard id: [(sequence number, payload id)]} read from TRIM_HORIZON; shard i through
    kin_for(i). Reads until the shard ends or `max_empty` calls in a row return nothing at
    MillisBehindLatest 0."""
    first = kin_for(0)
    shards = first.list_shards(StreamName=stream)['Shards']
    out = {}
    for i, shard in enumerate(shards):
        kin = kin_for(i)
        it = kin.get_shard_iterator(StreamName=stream, ShardId=shard['ShardId'],
                                    ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        got, empty = [], 0
        while it and empty < max_empty:
            resp = kin.get_records(ShardIterator=it, Limit=10000)
            got += [(int(r['SequenceNumber']), r['Data'].decode().strip()) for r in resp['Records']]
            it = resp.get('NextShardIterator')
            empty = empty + 1 if not resp['Records'] and resp.get('MillisBehindLatest', 0) == 0 else 0
        out[shard['ShardId']] = got
    return out


def check(ledger, contents):
    """Compares the ledger with the shards' contents; returns (problems, stats)."""
    problems = []
    stats = {'acked': 0, 'unacked': 0, 'resend_copies_after_lost': 0, 'stored_despite_refusal': 0, 'stored_after_unknown': 0,
             'stored_unacked': 0}
    where = {}
    for shard, items in contents.items():
        seqs = [s for s, _ in items]
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            problems.append('%s: sequence numbers not strictly increasing in read order' % shard)
        for seq, rid in items:
            where.setdefault(rid, []).append((shard, seq))
    for rid in where:
        if rid not in ledger.records:
            problems.append('a record nobody sent: %r' % rid)
    for rid, r in ledger.records.items():
        copies = where.get(rid, [])
        if r.seq is not None:
            stats['acked'] += 1
            if (r.shard, r.seq) not in copies:
                problems.append('%s acked at %s/%d but not there (found at %s)' % (rid, r.shard, r.seq, copies))
                continue
            extra = len(copies) - 1
        else:
            stats['unacked'] += 1
            extra = len(copies)
            stats['stored_unacked'] += len(copies)
        if extra == 0:
            continue
        lost, unknown, refused = r.lost_attempts(), r.unknown_attempts(), r.refused_attempts()
        if extra <= lost:
            stats['resend_copies_after_lost'] += extra
        elif extra <= lost + unknown:
            stats['resend_copies_after_lost'] += lost
            stats['stored_after_unknown'] += extra - lost
        elif extra <= lost + unknown + refused:
            stats['stored_despite_refusal'] += extra - lost - unknown
            stats['resend_copies_after_lost'] += lost
            stats['stored_after_unknown'] += unknown
        else:
            problems.append('%s stored %d times; attempts %s' % (rid, len(copies), r.attempts))
    for producer, acks in ledger.acks.items():
        last = {}
        for r in acks:
            if r.shard in last and r.seq <= last[r.shard]:
                problems.append('producer %d: %s acked after a higher sequence number in %s'
                                % (producer, r.rid, r.shard))
            last[r.shard] = r.seq
    return problems, stats
