#!/usr/bin/env python3
"""Adds to model/kinesis-2013-12-02.json what the JavaScript SDK's schema
(tests/node_modules/@aws-sdk/client-kinesis) has and the model lacks:
operations, their shapes, and new members of existing structures.

    python3 tools/import_sdk_model.py [--operations A,B,...] [model.json]

--operations limits the new operations imported to those named (an empty
list: new members of existing operations only).

The SDK's schema carries structure, member names, member types and how many
members are required, not length or pattern constraints: imported shapes have
the constraints written below (NEW_CONSTRAINTS) and none else. Enumerations
come from the SDK's enum objects (a member whose name is an enum's name).
Existing shapes and members are never changed.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DUMP = r'''
const m = require('@aws-sdk/client-kinesis');
const out = {ops: {}, shapes: {}, enums: {}};
function ref(x) {
  if (typeof x === 'function') x = x();
  if (typeof x === 'number') return {scalar: x};
  if (Array.isArray(x)) {
    const name = x[2];
    if (!(name in out.shapes)) {
      out.shapes[name] = null;
      if (x[0] === 3 || x[0] === -3) {
        const names = x[4] || [], types = (x[5] || []).map(ref);
        out.shapes[name] = {kind: x[0] === 3 ? 'structure' : 'error', members: names.map((n, i) => [n, types[i]]),
                            required: x[6] || 0};
      } else if (x[0] === 1) {
        out.shapes[name] = {kind: 'list', member: ref(x[4])};
      } else if (x[0] === 2) {
        out.shapes[name] = {kind: 'map', value: ref(x[5])};
      } else {
        out.shapes[name] = {kind: 'other', code: x[0]};
      }
    }
    return {shape: name};
  }
  return {unknown: String(x)};
}
for (const [k, v] of Object.entries(m)) {
  if (!k.endsWith('$') || !Array.isArray(v)) continue;
  if (v[0] === 9) out.ops[v[2]] = {input: ref(v[4]), output: ref(v[5])};
  else ref(v);
}
for (const [k, v] of Object.entries(m)) {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(s => typeof s === 'string') &&
      Object.keys(v).length > 0 && /^[A-Z]/.test(k) && !k.endsWith('$')) out.enums[k] = Object.values(v);
}
process.stdout.write(JSON.stringify(out));
'''

# Constraints of imported scalar members, by member name (the API reference's).
NEW_CONSTRAINTS = {
    'StreamId': {'type': 'string', 'min': 1, 'max': 24, 'pattern': '^[a-z0-9]{1,24}$'},
    'ChannelName': {'type': 'string', 'min': 1, 'max': 128, 'pattern': '[a-zA-Z0-9_.-]+'},
    'ChannelARN': {'type': 'string', 'min': 1, 'max': 2048},
    'ChannelId': {'type': 'string'},
    'NextToken': {'type': 'string', 'min': 1, 'max': 1048576},
}

SCALARS = {0: 'string', 1: 'integer', 2: 'boolean', 4: 'timestamp', 21: 'blob'}


def dump_sdk():
    tests = os.path.join(ROOT, 'tests')
    out = subprocess.run(['node', '-e', DUMP], cwd=tests, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


class Importer:
    def __init__(self, model, sdk, only=None):
        self.model, self.sdk, self.only = model, sdk, only
        self.shapes = model['shapes']
        self.added = []
        self.visited = set()

    def scalar_shape(self, member, code):
        """The model shape for a scalar member: the one the model already uses for this member name, else a new one."""
        for shape in self.shapes.values():
            if shape.get('type') == 'structure' and member in shape.get('members', {}):
                target = shape['members'][member]['shape']
                if self.shapes[target].get('type') == SCALARS.get(code & 0x3F, 'string'):
                    return target
        if member in self.sdk['enums']:
            name = member
            if name not in self.shapes:
                self.shapes[name] = {'type': 'string', 'enum': self.sdk['enums'][member]}
                self.added.append(name)
            return name
        if code == 128 | 0:
            return 'TagMap'
        if code == 64 | 0:
            return 'ShardIdList' if 'ShardIdList' in self.shapes else 'TagKeyList'
        kind = SCALARS.get(code, 'string')
        if member in NEW_CONSTRAINTS and NEW_CONSTRAINTS[member]['type'] == kind:
            name = member
        else:
            name = {'string': 'String', 'integer': 'IntegerObject', 'boolean': 'BooleanObject',
                    'timestamp': 'Timestamp', 'blob': 'Data'}[kind]
        if name not in self.shapes:
            self.shapes[name] = dict(NEW_CONSTRAINTS.get(name, {'type': kind}))
            self.added.append(name)
        return name

    def target(self, member, ref):
        if 'scalar' in ref:
            return self.scalar_shape(member, ref['scalar'])
        return self.ensure(ref['shape'])

    def ensure(self, name):
        spec = self.sdk['shapes'][name]
        if name in self.shapes:
            if name not in self.visited:
                self.visited.add(name)
                if spec['kind'] == 'structure':
                    self.add_members(name, spec)
                elif spec['kind'] == 'list' and 'shape' in spec['member']:
                    self.ensure(spec['member']['shape'])
            return name
        if spec['kind'] == 'structure':
            self.shapes[name] = {'type': 'structure', 'members': {}}
            self.added.append(name)
            self.add_members(name, spec)
            required = [m for m, _ in spec['members'][:spec['required']]]
            if required:
                self.shapes[name]['required'] = required
        elif spec['kind'] == 'list':
            self.shapes[name] = {'type': 'list', 'member': {'shape': self.target(name, spec['member'])}}
            self.added.append(name)
        elif spec['kind'] == 'error':
            self.shapes[name] = {'type': 'structure', 'members': {'message': {'shape': 'ErrorMessage'}},
                                 'exception': True}
            self.added.append(name)
        else:
            raise SystemExit('cannot import shape %s (%s)' % (name, spec))
        return name

    def add_members(self, name, spec):
        members = self.shapes[name].setdefault('members', {})
        for member, ref in spec['members']:
            if member not in members:
                members[member] = {'shape': self.target(member, ref)}
                self.added.append('%s.%s' % (name, member))
            elif 'shape' in ref and ref['shape'] in self.shapes:
                self.ensure(ref['shape'])  # new members further down

    def run(self):
        ops = self.model['operations']
        for op, io in sorted(self.sdk['ops'].items()):
            if op not in ops and self.only is not None and op not in self.only:
                continue
            for key in ('input', 'output'):
                if 'shape' in io[key]:  # not Unit
                    self.ensure(io[key]['shape'])
            if op in ops:
                continue
            errors = [{'shape': e} for e in ('InvalidArgumentException', 'ResourceNotFoundException',
                                             'ResourceInUseException', 'LimitExceededException',
                                             'AccessDeniedException', 'ValidationException')]
            entry = {'name': op, 'http': {'method': 'POST', 'requestUri': '/'},
                     'input': {'shape': io['input']['shape']}, 'errors': errors}
            out = self.sdk['shapes'].get(io['output'].get('shape'))
            if out and out['members']:
                entry['output'] = {'shape': io['output']['shape']}
            ops[op] = entry
            self.added.append(op)
        for name in self.sdk['shapes']:
            if self.sdk['shapes'][name]['kind'] == 'error' and name not in self.shapes and name != 'KinesisServiceException':
                self.ensure(name)
        self.model['operations'] = dict(sorted(ops.items()))
        self.model['shapes'] = dict(sorted(self.shapes.items()))


def main(argv):
    args = argv[1:]
    only = None
    if args[:1] == ['--operations']:
        only = {op for op in args[1].split(',') if op}
        args = args[2:]
    path = args[0] if args else os.path.join(ROOT, 'model', 'kinesis-2013-12-02.json')
    with open(path) as f:
        model = json.load(f)
    importer = Importer(model, dump_sdk(), only)
    importer.run()
    with open(path, 'w') as f:
        json.dump(model, f, indent=1)
        f.write('\n')
    for name in importer.added:
        print('added', name)


if __name__ == '__main__':
    main(sys.argv)
