#!/usr/bin/env python3
"""Generates Riffle's wire types, JSON codecs and validators from the botocore
Kinesis model.

Usage: gen_wire.py MODEL_JSON OUT_DIR [--client PAGINATORS_JSON]

Writes into OUT_DIR/protocol/:
  wire_types.h      structs for every structure reachable from an operation's
                    input or output (error shapes and event-stream members
                    skipped), wire::Empty, wire::ops::<Op>, kModelOperations.
  wire_json.h       DecodeJson<T> / Validate / EncodeJson declarations.
  wire_internal.h   per-structure functions shared by the .cc files below.
  wire_patterns.cc  the model's regular expressions as PatternMatchers.
  wire_shapes.cc    every shape as a constant table (protocol/shape_table.h),
                    and FindOperationShapes.
  wire_decode_N.cc, wire_validate_N.cc, wire_encode_N.cc  (split for
                    parallel compiles).
With --client it writes the client library's files instead, into
OUT_DIR/client/ (tools/wire/client_gen.py: public riffle/kinesis/model.h,
error_code.h, client_operations.inc, paginators.h; private codecs and
methods), from the same model.
The generator is split by concept into the package tools/wire/:
  model.py         the botocore model and the constraints on each shape
  messages.py      AWS validation message texts
  cpp.py           C++ literals, identifiers and a line writer
  types_gen.py, headers_gen.py, patterns_gen.py, decode_gen.py,
  validate_gen.py, encode_gen.py, shapes_gen.py   one generated file kind each
  output.py        writing files only when their content changes
Python 3 standard library only. Output is deterministic; files are rewritten
only when their content changes.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from wire.client_gen import gen_client_files  # noqa: E402
from wire.decode_gen import gen_decode  # noqa: E402
from wire.encode_gen import gen_encode  # noqa: E402
from wire.headers_gen import gen_internal_header, gen_json_header  # noqa: E402
from wire.model import Model  # noqa: E402
from wire.output import split, write_if_changed  # noqa: E402
from wire.patterns_gen import gen_patterns  # noqa: E402
from wire.shapes_gen import gen_shapes  # noqa: E402
from wire.types_gen import gen_types  # noqa: E402
from wire.validate_gen import gen_validate  # noqa: E402

SPLIT = 2  # .cc files per kind (src/protocol/CMakeLists.txt lists them)


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != '--client'):
        raise SystemExit(__doc__)
    client = len(argv) == 5
    model = Model(argv[1])
    out_dir = os.path.join(argv[2], 'protocol')

    op_io = {}
    input_roots, output_roots = [], []
    for op in model.op_names:
        spec = model.operations[op]
        inp = spec.get('input', {}).get('shape')
        out = spec.get('output', {}).get('shape')
        op_io[op] = (inp or 'Empty', out or 'Empty')
        if inp:
            input_roots.append(inp)
        if out:
            output_roots.append(out)
    in_structs = sorted(model.reachable(input_roots))
    out_structs = sorted(model.reachable(output_roots))
    all_structs = sorted(set(in_structs) | set(out_structs))
    inputs = sorted(set(input_roots))
    # Top-level encoders: operation outputs plus the event-stream payload.
    outputs = sorted(set(output_roots) | ({'SubscribeToShardEvent'} & set(out_structs)))

    if client:
        # The client encodes inputs and decodes outputs: the other direction.
        client_dir = os.path.join(argv[2], 'client')
        client_files = gen_client_files(model, op_io, in_structs, out_structs, inputs, outputs, argv[4], split)
        for name, text in client_files.items():
            path = os.path.join(client_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_if_changed(path, text)
        return

    os.makedirs(out_dir, exist_ok=True)
    files = {}
    files['wire_types.h'] = gen_types(model, set(all_structs), op_io)
    files['wire_json.h'] = gen_json_header(model, inputs, outputs)
    for i, part in enumerate(split(in_structs, SPLIT)):
        files['wire_decode_%d.cc' % i] = gen_decode(model, part, inputs, i)
    for i, part in enumerate(split(in_structs, SPLIT)):
        files['wire_validate_%d.cc' % i] = gen_validate(model, part, inputs)
    for i, part in enumerate(split(out_structs, SPLIT)):
        files['wire_encode_%d.cc' % i] = gen_encode(model, part, outputs, i)
    # Patterns are collected while generating validators, so these come last.
    files['wire_internal.h'] = gen_internal_header(model, in_structs, out_structs)
    files['wire_patterns.cc'] = gen_patterns(model)
    files['wire_shapes.cc'] = gen_shapes(model, op_io)
    for name, text in files.items():
        write_if_changed(os.path.join(out_dir, name), text)


if __name__ == '__main__':
    main(sys.argv)

