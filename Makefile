# Riffle: the two commands a newcomer needs are `make serve` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all setup node-deps configure build serve test unit bench bench-setup clean

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

test: build node-deps
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

# Benchmarks (not part of `make test`): Riffle vs. kinesalite, kinesis-mock and
# nginx; writes docs/performance.md. Knobs: see bench/run.sh (BENCH_DURATION, ...).
bench-setup:
	@./bench/setup

bench: build bench-setup
	BUILD=$(BUILD) ./bench/run.sh

clean:
	rm -rf $(BUILD)
