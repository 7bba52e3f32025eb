# parley - one Makefile for the whole tree.
#
#   make            build the library, the CLI and the unit tests
#   make test       install missing dependencies, build, run every test
#   make asan       the unit tests again under AddressSanitizer + UBSan
#   make fuzz       build the libFuzzer targets and run each FUZZ_SECONDS
#   make check      clang-format diff, banned functions, include direction
#   make bench      benchmarks, printed as a table of ratios
#
# New files need no edit here: sources are found by directory
# (src/<layer>/*.c), tests by name (tests/unit/test_*.c, tests/fuzz/fuzz_*.c,
# bench/bench_*.c).

CC	?= cc
FUZZCC	?= clang
B	?= build
PKGS	 = libsodium jansson sqlite3 libmicrohttpd libcurl

WARN	 = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wsign-compare \
	   -Wformat=2 -Wvla -Wundef -Wold-style-definition
HARDEN	 = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_DEFAULT_SOURCE -Isrc
OPT	?= -O2 -g
CFLAGS	 = $(WARN) $(HARDEN) $(OPT) $(EXTRA_CFLAGS)
LDLIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsodium -ljansson -lsqlite3 -lmicrohttpd -lcurl) -lpthread
LDFLAGS	+= -pie -Wl,-z,relro,-z,now

# Layers, lowest first; see docs/architecture.md.
# parleyd's modules (config, ...) are in the library so that tests reach
# them; only its main() file is not.
LAYERS	 = common crypto wire tlog store core api sync parleyd
D_MAIN	 = src/parleyd/parleyd.c
LIB_SRC	 = $(filter-out $(D_MAIN),$(foreach l,$(LAYERS),$(sort $(wildcard src/$(l)/*.c))))
LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/%.o)
CLI_SRC	 = $(sort $(wildcard src/cli/*.c))
CLI_OBJ	 = $(CLI_SRC:%.c=$(B)/%.o)
D_OBJ	 = $(D_MAIN:%.c=$(B)/%.o)
D_BIN	 = $(if $(wildcard $(D_MAIN)),$(B)/parleyd)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
BENCH_SRC = $(sort $(wildcard bench/bench_*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
TOOL_SRC = $(sort $(wildcard tests/vectors/*.c))
TOOL_BIN = $(TOOL_SRC:tests/vectors/%.c=$(B)/tests/%)
NET_SRC	 = $(sort $(wildcard tests/net/*.c))
NET_BIN	 = $(NET_SRC:tests/net/%.c=$(B)/tests/%)

.PHONY: all demo deps test unit asan tsan fuzz fuzz-build check bench vectors clean format
.SUFFIXES:
# Keep intermediate objects (the fuzz library), or every make fuzz rebuilds them.
.SECONDARY:

all: $(B)/parley $(D_BIN) $(UNIT_BIN) $(TOOL_BIN) $(NET_BIN)

deps:
	@scripts/deps.sh

# Three nodes on loopback with a scripted exchange; Ctrl-C stops them.
demo: deps
	@$(MAKE) --no-print-directory $(B)/parley $(B)/parleyd
	@B=$(B) sh scripts/demo.sh

$(B)/libparley.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/parley: $(CLI_OBJ) $(B)/libparley.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/parleyd: $(D_OBJ) $(B)/libparley.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests see static helpers (PL_STATIC) through their own object build.
$(B)/tests/%: tests/unit/%.c $(B)/libparley.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libparley.a $(LDLIBS) -lcmocka

$(B)/tests/%: tests/vectors/%.c $(B)/libparley.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libparley.a $(LDLIBS)

# Tools of the multi-process tests (tests/net/): programs on their own.
$(B)/tests/%: tests/net/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(B)/bench/%: bench/%.c $(B)/libparley.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libparley.a $(LDLIBS)

unit: all
	@B=$(B) scripts/run-tests.sh

test: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) scripts/run-tests.sh

asan: deps
	@$(MAKE) --no-print-directory B=build-asan CC=clang OPT="-O1 -g" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DPL_DEBUG" \
		LDFLAGS="-fsanitize=address,undefined" all
	@B=build-asan ASAN_OPTIONS=detect_leaks=1 NET_FLOOD=2000 scripts/run-tests.sh

# The unit tests under ThreadSanitizer: group commit, the delivery lanes
# and the API are threads.  Not the CLI and net tests: curl,
# libmicrohttpd and SQLite are not built with it.  Address randomisation
# is turned off for the run where allowed: clang 14's TSan cannot map its
# shadow memory when the kernel randomises with more than 28 bits.
tsan: deps
	@$(MAKE) --no-print-directory B=build-tsan CC=clang OPT="-O1 -g" \
		EXTRA_CFLAGS="-fsanitize=thread" LDFLAGS="-fsanitize=thread" all
	@norand=$$(setarch $$(uname -m) -R true 2>/dev/null && echo "setarch $$(uname -m) -R"); \
		B=build-tsan TSAN_OPTIONS="halt_on_error=1" UNIT_ONLY=1 $$norand scripts/run-tests.sh

# Fuzz targets: clang, libFuzzer, ASan + UBSan, and a library built the same way.
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 -DPL_DEBUG
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=build-fuzz/%.o)
build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(WARN) -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -g -O1 -DPL_DEBUG -c -o $@ $<
build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ)
	$(FUZZCC) $(CPPFLAGS) $(WARN) $(FUZZ_FLAGS) -o $@ $^ $(LDLIBS)
fuzz-build: $(FUZZ_BIN)
FUZZ_SECONDS ?= 30
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz.sh

vectors: $(B)/tests/gen_vectors
	$(B)/tests/gen_vectors tests/vectors

check:
	@scripts/check.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(D_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
