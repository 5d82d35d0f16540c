"""The botocore Kinesis model: shapes, members, reachability, C++ types and
the constraints each shape carries."""

import json


# Enum value orders as AWS prints them in "Member must satisfy enum value
# set: [...]" where observed (kinesalite test/getShardIterator.js, captured
# from real Kinesis). Other enums use model order (unverified).
ENUM_ORDER_OVERRIDES = {
    "ShardIteratorType": ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP",
                          "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"],
}


class Model:
    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
        self.shapes = data['shapes']
        self.operations = data['operations']
        self.op_names = sorted(self.operations)
        self.patterns = []  # distinct pattern strings, index = accessor number
        self._needs_check = {}

    def shape(self, name):
        return self.shapes[name]

    def is_event_stream(self, name):
        return bool(self.shapes[name].get('eventstream'))

    def members(self, name):
        """(member, target shape) in model order, event-stream members skipped."""
        s = self.shapes[name]
        return [(m, spec['shape']) for m, spec in s.get('members', {}).items()
                if not self.is_event_stream(spec['shape'])]

    def reachable(self, roots):
        """Structure shapes reachable from roots (error shapes skipped)."""
        seen, order = set(), []

        def visit(name):
            s = self.shapes[name]
            t = s['type']
            if t == 'structure':
                if s.get('exception') or name in seen:
                    return
                if s.get('eventstream'):
                    # Keep the event payload struct, not the union itself.
                    for spec in s['members'].values():
                        visit(spec['shape'])
                    return
                seen.add(name)
                order.append(name)
                for _, target in self.members(name):
                    visit(target)
                for spec in s['members'].values():
                    if self.is_event_stream(spec['shape']):
                        visit(spec['shape'])
            elif t == 'list':
                visit(s['member']['shape'])
            elif t == 'map':
                visit(s['key']['shape'])
                visit(s['value']['shape'])

        for r in roots:
            visit(r)
        return order

    def cpp_type(self, name, ns='::riffle::wire'):
        """The C++ type of a member of shape `name`; structures are named in
        namespace `ns` (the server's wire types or the client's public ones)."""
        s = self.shapes[name]
        t = s['type']
        if t in ('string',):
            return 'std::string'
        if t in ('integer', 'long'):
            return 'int64_t'
        if t == 'boolean':
            return 'bool'
        if t == 'timestamp':
            return 'double'
        if t == 'blob':
            return 'std::string'
        if t == 'list':
            return 'std::vector<%s>' % self.cpp_type(s['member']['shape'], ns)
        if t == 'map':
            k, v = s['key']['shape'], s['value']['shape']
            if self.shapes[k]['type'] != 'string' or self.shapes[v]['type'] != 'string':
                raise SystemExit('only map<string,string> is supported: ' + name)
            return 'std::vector<std::pair<std::string, std::string>>'
        if t == 'structure':
            return ns + '::' + name
        raise SystemExit('unsupported shape type %s for %s' % (t, name))

    def pattern_index(self, pattern):
        if pattern not in self.patterns:
            self.patterns.append(pattern)
        return self.patterns.index(pattern)

    def scalar_constraints(self, name):
        """[(kind, arg)] for a scalar shape in AWS check order."""
        s = self.shapes[name]
        t = s['type']
        out = []
        if t == 'string':
            if 'pattern' in s:
                out.append(('pattern', s['pattern']))
            if 'min' in s:
                out.append(('minlen', s['min']))
            if 'max' in s:
                out.append(('maxlen', s['max']))
            if 'enum' in s:
                out.append(('enum', ENUM_ORDER_OVERRIDES.get(name, s['enum'])))
        elif t == 'blob':
            if 'min' in s:
                out.append(('minlen', s['min']))
            if 'max' in s:
                out.append(('maxlen', s['max']))
        elif t in ('integer', 'long'):
            if 'min' in s:
                out.append(('minval', s['min']))
            if 'max' in s:
                out.append(('maxval', s['max']))
        return out

    def needs_check(self, name):
        if name in self._needs_check:
            return self._needs_check[name]
        self._needs_check[name] = False  # cycle guard
        s = self.shapes[name]
        t = s['type']
        if t == 'structure':
            r = bool(s.get('required')) or any(self.needs_check(x) for _, x in self.members(name))
        elif t == 'list':
            r = 'min' in s or 'max' in s or self.needs_check(s['member']['shape'])
        elif t == 'map':
            r = ('min' in s or 'max' in s or self.needs_check(s['key']['shape'])
                 or self.needs_check(s['value']['shape']))
        else:
            r = bool(self.scalar_constraints(name))
        self._needs_check[name] = r
        return r
