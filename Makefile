# cpjit: the README's quick start is `make demo` and `make test`.
CARGO ?= cargo
CORPUS ?= ../shared/corpus
export LLVM_SYS_191_PREFIX ?= /usr/lib/llvm-19

.PHONY: setup build demo test lint bench corpus

setup:
	@bash ci/setup.sh

build: setup
	$(CARGO) build --release --bin cpjit

demo: build
	bash ci/demo.sh

test: setup
	bash ci/test.sh

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

corpus: build
	bash ci/corpus.sh

bench: build
	bash ci/bench.sh
