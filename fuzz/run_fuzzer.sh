#!/usr/bin/env bash
# Runs one libFuzzer harness for a CI budget: first every input of the seed
# corpus, then fuzzing for SECONDS. New inputs go to WORKDIR/corpus (the
# committed seeds stay untouched); a crash, leak, timeout or sanitizer
# finding is saved under WORKDIR/ and fails the run.
# Usage: run_fuzzer.sh FUZZER SEED_DIR WORKDIR SECONDS [libFuzzer flags...]
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
shift 4
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=3072 \
  -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds"
