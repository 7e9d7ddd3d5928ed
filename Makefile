# Thin driver over CMake: all build logic lives in CMakeLists.txt.
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# cmake --build runs make again: no "Entering directory" line for each step.
MAKEFLAGS += --no-print-directory

.PHONY: all deps configure build check demo bench install clean format

all: build

deps:
	@tools/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	@tools/demo.sh $(BUILD)

bench: build
	@cmake --build $(BUILD) --target bench

install: build
	@cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	@rm -rf $(BUILD)
