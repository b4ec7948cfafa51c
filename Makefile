# Basin's two commands: `make run` and `make test`. Both do the whole set-up first.
.PHONY: setup build run test unit conformance pytest format lint check-layers bench clean demo

BUILD_DIR ?= build
JOBS ?= 2
WAREHOUSE ?= $(CURDIR)/warehouse

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Until the server exists, `run` shows the storage layer: a demo that creates, appends to,
# time-travels and vacuums a table in the warehouse folder.
run: build
	@bash scripts/demo.sh $(BUILD_DIR)/basin "$(WAREHOUSE)"

test: build
	@bash scripts/run_tests.sh $(BUILD_DIR)

check-layers:
	@.venv/bin/python scripts/check_layers.py

format:
	@find src -name '*.h' -o -name '*.cc' | xargs clang-format -i

lint: $(BUILD_DIR)/build.ninja
	@find src -name '*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

bench: build
	@.venv/bin/python bench/run_all.py

clean:
	rm -rf $(BUILD_DIR)
