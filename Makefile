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

# `run` starts the Spark Connect server on the warehouse folder (PORT, default 15002):
#   SparkSession.builder.remote("sc://localhost:15002").getOrCreate()
PORT ?= 15002
# Python UDFs run in worker processes of this interpreter (it has pyarrow and pyspark).
PYSPARK_PYTHON ?= $(CURDIR)/.venv/bin/python
run: build
	@PYSPARK_PYTHON="$(PYSPARK_PYTHON)" $(BUILD_DIR)/basin --warehouse "$(WAREHOUSE)" serve --port $(PORT)

# The storage layer on its own: creates, appends to, time-travels and vacuums a table.
demo: build
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
