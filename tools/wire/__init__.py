"""Riffle wire-code generator (see tools/gen_wire.py)."""
