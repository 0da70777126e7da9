# Hardening targets, included by the Makefile: fuzzing (make fuzz,
# make fuzz-regress), the sanitisers (make check SANITIZE=1, i.e.
# check-asan), valgrind (make valgrind), allocation-failure injection
# (check-nomem) and clang-tidy for make lint.  Every variant builds in a
# folder of its own (build-fuzz/, build-regress/, build-asan/), so that no
# object compiled with other flags is ever reused, and none touches the
# in-tree objects of a plain build.

CLANG		?= clang
CLANG_TIDY	?= clang-tidy
FUZZ_SECONDS	?= 60
FUZZERS		= request json headers sign config progress url

# Everything but the database side of the responder, which the request
# harness replaces with tests/fuzz/fake_store.c.
HARD_OBJS	= $(filter-out cgi/store.o,$(CGI)) $(WORKER) $(COMMON)

FUZZ_DIR	= build-fuzz
FUZZ_CFLAGS	= $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
		  -fsanitize=fuzzer-no-link,address,undefined \
		  -fno-sanitize-recover=all -D_GNU_SOURCE -Icommon -Icgi \
		  -Iworker -Itests/fuzz $(PKG_CFLAGS)
FUZZ_BINS	= $(FUZZERS:%=$(FUZZ_DIR)/bin/fuzz_%)

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/bin/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o \
    $(FUZZ_DIR)/tests/fuzz/fake_store.o $(addprefix $(FUZZ_DIR)/,$(HARD_OBJS))
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS) \
	    -lpthread

# Each harness: its regressions first, then FUZZ_SECONDS of fuzzing.
fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZERS)

# The same harnesses built by $(CC) with a plain main() (replay.c): the
# regressions and the seed corpora run on every make check.
REGRESS_DIR	= build-regress$(if $(filter 1,$(SANITIZE)),-asan)
REGRESS_BINS	= $(FUZZERS:%=$(REGRESS_DIR)/bin/fuzz_%)

$(REGRESS_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -MMD -MP -c -o $@ $<

$(REGRESS_DIR)/bin/fuzz_%: $(REGRESS_DIR)/tests/fuzz/fuzz_%.o \
    $(REGRESS_DIR)/tests/fuzz/replay.o \
    $(REGRESS_DIR)/tests/fuzz/fake_store.o \
    $(addprefix $(REGRESS_DIR)/,$(HARD_OBJS))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

fuzz-regress: $(REGRESS_BINS)
	@REGRESS_DIR=$(REGRESS_DIR) tests/fuzz/regress-run $(FUZZERS)

# make check SANITIZE=1: ASan + UBSan, built in build-asan/.  The unit
# suites, the fuzz regressions and the allocation-failure test run with
# the sanitised objects; the shell suites copy the sanitised programs
# (RSVP_BUILD_DIR), where any report aborts the process and so fails a
# request or a check.
ASAN_DIR	= build-asan
ASAN_FLAGS	= -fsanitize=address,undefined -fno-omit-frame-pointer \
		  -fno-sanitize-recover=all
ASAN_CFLAGS	= $(WARNINGS) -O1 -g $(ASAN_FLAGS) -D_GNU_SOURCE -Icommon \
		  -Icgi -Iworker $(PKG_CFLAGS)
ASAN_UNIT	= $(addprefix $(ASAN_DIR)/,$(UNIT)) \
		  $(ASAN_DIR)/tests/unit/test_nomem
ASAN_PROGS	= $(addprefix $(ASAN_DIR)/,$(PROGS))

$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN_DIR)/cgi/rsvp.fcgi: $(addprefix $(ASAN_DIR)/,cgi/main.o $(CGI) \
    $(COMMON))
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(ASAN_DIR)/worker/rsvp-worker: $(addprefix $(ASAN_DIR)/,worker/main.o \
    $(WORKER) $(COMMON))
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(ASAN_DIR)/tests/unit/test_nomem: $(addprefix $(ASAN_DIR)/, \
    tests/unit/test_nomem.o tests/unit/failalloc.o $(CGI) $(WORKER) \
    $(COMMON))
	$(CC) $(ASAN_FLAGS) $(FAILALLOC_LDFLAGS) -o $@ $^ $(PKG_LIBS) \
	    $(CHECK_LIBS) -lpthread

$(ASAN_DIR)/tests/unit/test_%: $(addprefix $(ASAN_DIR)/, \
    tests/unit/test_%.o $(CGI) $(WORKER) $(COMMON))
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lpthread

ASAN_ENV	= ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
		  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/nomem.lsan \
		  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

asan-unit: $(ASAN_UNIT)
	@$(ASAN_ENV) scripts/check-unit $(ASAN_UNIT)

check-asan: $(ASAN_PROGS) asan-unit
	@$(MAKE) --no-print-directory fuzz-regress SANITIZE=1
	@scripts/deps
	@export RSVP_BUILD_DIR=$(ASAN_DIR) $(ASAN_ENV); \
	    tests/sql/run && tests/worker/run && tests/integration/run && \
	    tests/integration/contract && tests/integration/threads && \
	    tests/clients/run && \
	    tests/browser/run

# Allocation failure: tests/unit/failalloc.c fails the Nth allocation of
# a dedicated test binary.  It calls through to the next allocator
# (dlsym RTLD_NEXT), so it works the same under ASan and valgrind.
FAILALLOC_LDFLAGS = -ldl
tests/unit/test_nomem: tests/unit/test_nomem.o tests/unit/failalloc.o \
    $(CGI) $(WORKER) $(COMMON)
	$(CC) $(LDFLAGS) $(FAILALLOC_LDFLAGS) -o $@ $^ $(PKG_LIBS) \
	    $(CHECK_LIBS) -lpthread

check-nomem: tests/unit/test_nomem
	@scripts/check-unit tests/unit/test_nomem

# make valgrind: the Check suites (test_nomem included) and the fuzz
# regressions under memcheck, then the integration suite with the
# responder and the worker under valgrind (RSVP_WRAP, see scripts/lib.sh).
# --error-exitcode fails a process, and the logs are searched as well,
# since the web server does not report how its children exited.
VG_DIR		= build-valgrind
# An absolute path: lighttpd executes bin-path without searching PATH.
VALGRIND_BIN	?= /usr/bin/valgrind
VG_OPTS		= -q --leak-check=full --errors-for-leak-kinds=definite \
		  --error-exitcode=99 --track-fds=no
valgrind: all $(UNIT) tests/unit/test_nomem $(REGRESS_BINS)
	@VALGRIND=1 scripts/check-unit $(UNIT)
	@echo "# tests/unit/test_nomem"; CK_FORK=no valgrind $(VG_OPTS) \
	    --errors-for-leak-kinds=all \
	    --suppressions=tests/unit/nomem.supp \
	    --soname-synonyms=somalloc=nouserintercepts tests/unit/test_nomem
	@VALGRIND=1 REGRESS_DIR=$(REGRESS_DIR) tests/fuzz/regress-run \
	    $(FUZZERS)
	@scripts/deps
	@rm -rf $(VG_DIR)/logs && mkdir -p $(VG_DIR)/logs && \
	    chmod 1777 $(VG_DIR) $(VG_DIR)/logs
	@RSVP_WRAP="$(VALGRIND_BIN) $(VG_OPTS) --log-file=$(CURDIR)/$(VG_DIR)/logs/vg.%p.log" \
	    tests/integration/run; rc=$$?; \
	    tests/fuzz/vg-logs $(VG_DIR)/logs || rc=1; exit $$rc

# clang-tidy with the checked-in .clang-tidy; make lint runs it.
lint-tidy:
	$(CLANG_TIDY) --quiet --warnings-as-errors='*' \
	    common/*.c cgi/*.c worker/*.c -- $(WARNINGS) -D_GNU_SOURCE \
	    -Icommon -Icgi -Iworker $(PKG_CFLAGS)

ifneq ($(SANITIZE),1)
check: fuzz-regress check-nomem
endif

.PHONY: fuzz fuzz-regress asan-unit check-asan check-nomem valgrind \
	lint-tidy

-include $(wildcard $(FUZZ_DIR)/*/*.d $(FUZZ_DIR)/tests/*/*.d \
	build-regress*/*/*.d build-regress*/tests/*/*.d $(ASAN_DIR)/*/*.d \
	$(ASAN_DIR)/tests/*/*.d)
