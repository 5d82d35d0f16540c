# Riffle: the two commands a newcomer needs are `make serve` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all setup node-deps configure build serve test unit bench bench-setup bench-rss bench-cluster bench-scale clean san-build asan fuzz cluster install deb

all: build

setup:
	@./scripts/setup

# Node.js test clients (tests/package.json, pinned by tests/package-lock.json).
node-deps: tests/node_modules/.package-lock.json

tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: setup $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

serve: build
	./$(BUILD)/riffle serve $(ARGS)

# A local cluster (docs/cluster-store.md): 3 nats-server with JetStream and 3
# Riffle nodes on loopback (ports 4567-4569); prints the endpoints, Ctrl-C stops all.
cluster: build
	RIFFLE_BIN=./$(BUILD)/riffle ./scripts/cluster $(ARGS)

# The riffle binary and libriffle-kinesis (headers, shared library, CMake
# package, pkg-config file) under PREFIX (docs/client.md).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package of the server: $(BUILD)/riffle_VERSION_ARCH.deb with the binary,
# the systemd unit, /etc/riffle/riffle.toml and the man page (cmake/Packaging.cmake,
# docs/operations.md).
deb: build
	cd $(BUILD) && cpack -G DEB
	@echo "$(abspath $(BUILD))/riffle_$$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$$/\1/p' \
	  $(BUILD)/CPackConfig.cmake)_$$(dpkg --print-architecture).deb"

test: build node-deps
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) asan fuzz

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

# Benchmarks (not part of `make test`): Riffle vs. kinesalite, kinesis-mock and
# nginx; writes docs/performance.md. Knobs: see bench/run.sh (BENCH_DURATION, ...).
bench-setup:
	@./bench/setup

bench: build bench-setup
	BUILD=$(BUILD) ./bench/run.sh

# RSS of a durable Riffle during a 10 GiB ingest of 1 MiB records (docs/memory.md).
# Knobs: RSS_GIB, RSS_ROUND_S, RSS_SHARDS, RSS_CONNECTIONS (bench/ingest_rss.py).
bench-rss: build
	BUILD=$(BUILD) python3 bench/ingest_rss.py

# Riffle nodes over a local 3-node JetStream cluster against raw JetStream in one run
# (docs/performance.md, "The cluster"). Knobs: BENCH_CLUSTER_SECONDS, BENCH_CLUSTER_CONNECTIONS.
bench-cluster: build
	BUILD=$(BUILD) python3 bench/cluster_bench.py

# How Riffle's cost grows with the streams, shards, records, connections and subscriptions it
# holds (throughput, latency, start-up time, RSS); tables on stdout, raw figures and charts in
# $(BUILD)/bench-scale/. Knobs: SCALE_FACTOR, SCALE_SECONDS, SCALE_ONLY (bench/scale.py).
bench-scale: build
	BUILD=$(BUILD) python3 bench/scale.py

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

# Sanitizers and fuzzers (docs/fuzzing.md), run by `make test` after the
# normal suite. One clang tree, $(SAN_BUILD), instrumented with ASan, UBSan
# and libFuzzer's coverage: `make asan` runs the whole suite (unit, client,
# fault) against it, `make fuzz` runs each libFuzzer harness for FUZZ_SECONDS.
SAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 20
SANITIZER_ENV = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Tests left out of the sanitized run (a ctest -E regex); see docs/fuzzing.md.
# The memory soak bounds RSS, which ASan's shadow memory and quarantine inflate;
# the cluster suites run three servers and three NATS servers per test, too
# slow on two cores sanitized (the JetStream store's own tests do run sanitized).
ASAN_EXCLUDE ?= ^fault\.memory_soak$$|^cluster\.|^fault\.cluster_faults$$

$(SAN_BUILD)/build.ninja:
	cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIFFLE_WERROR=OFF \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_CXX_COMPILER=clang++ \
	  -DRIFFLE_FUZZ=ON -DRIFFLE_FUZZ_SECONDS=$(FUZZ_SECONDS)

san-build: setup node-deps $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS)

asan: san-build
	$(SANITIZER_ENV) ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS) -LE fuzz -E '$(ASAN_EXCLUDE)'

fuzz: san-build
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS) -L fuzz
