# rsvp: one plain Makefile; the objects of common/ are shared by both
# programs and by the unit tests.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/rsvp
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
WARNINGS = -std=c11 -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
	   -Wwrite-strings -Werror
PKGS	= libpq json-c libcrypto fcgi
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

ifeq ($(SANITIZE),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) -D_GNU_SOURCE -Icommon -Icgi -Iworker \
	     $(PKG_CFLAGS)

COMMON	= common/log.o common/buf.o common/env.o common/uuid.o common/db.o \
	  common/json_check.o common/text.o common/clock.o \
	  common/job.o common/sign.o
CGI	= cgi/request.o cgi/response.o cgi/url.o \
	  cgi/router.o cgi/store.o cgi/doc.o cgi/app.o cgi/jobs.o \
	  cgi/links.o cgi/monitor.o cgi/ops.o cgi/answer.o \
	  cgi/headers.o
WORKER	= worker/pool.o worker/builtin.o worker/wdb.o worker/loop.o \
	  worker/config.o worker/command.o worker/inflight.o worker/writer.o \
	  worker/progress.o
UNIT	= tests/unit/test_json tests/unit/test_request tests/unit/test_router \
	  tests/unit/test_url tests/unit/test_response tests/unit/test_common \
	  tests/unit/test_builtin tests/unit/test_config tests/unit/test_command \
	  tests/unit/test_headers tests/unit/test_sign

PROGS	= cgi/rsvp.fcgi worker/rsvp-worker

.PHONY: all run check check-unit check-sql check-worker check-integration \
	check-clients check-deploy lint clean psql bench bench-soak \
	install deps

all: $(PROGS)

# Keep the test objects: the suites, not make, have the last word.
.SECONDARY:

%.o: %.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

cgi/rsvp.fcgi: cgi/main.o $(CGI) $(COMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

worker/rsvp-worker: worker/main.o $(WORKER) $(COMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# make bench's own programs: a FastCGI hello-world and the probe.
BENCH	= bench/hello.fcgi bench/rsvp-probe

bench/hello.fcgi: bench/hello.o
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

bench/rsvp-probe: bench/probe.o
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

tests/unit/test_%: tests/unit/test_%.o $(CGI) $(WORKER) $(COMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lpthread

deps:
	@scripts/deps

# Packages first, then the build: a recursive make, so that pkg-config
# is asked again once the -dev packages are there.
run:
	@scripts/deps $(if $(filter-out lighttpd,$(SERVER)),,run)
	@$(MAKE) --no-print-directory all
	@scripts/run

ifeq ($(SANITIZE),1)
# Sanitised objects live in build-asan/ (tests/hardening.mk): objects
# built without the flags are never reused.
check: check-asan
else
check:
	@scripts/deps
	@$(MAKE) --no-print-directory all $(UNIT)
	@scripts/check-unit $(UNIT)
	@tests/sql/run
	@tests/sql/migrations
	@tests/sql/roles
	@tests/sql/console
	@tests/worker/run
	@tests/integration/run
	@SERVER=apache tests/integration/run
	@SERVER=apache-proxy tests/integration/run
	@SERVER=apache-cgi tests/integration/run
	@SERVER=apache-htaccess tests/integration/run
	@SERVER=nginx tests/integration/run
	@tests/deploy/scale
	@tests/integration/contract
	@tests/integration/threads
	@tests/security/fastcgi
	@tests/clients/run
	@tests/browser/run
endif

check-unit: $(UNIT)
	@scripts/check-unit $(UNIT)

check-sql: all
	@tests/sql/run
	@tests/sql/migrations
	@tests/sql/roles
	@tests/sql/console

# psql on the database of a running make run, as the console's role.
psql:
	@scripts/psql

# Throughput and latency against PostgreSQL's own limit and the peers
# (QUICK=1: one short run of each); the table lands in
# bench/results/latest.md.
bench: all $(BENCH)
	@bench/run

# The table-health soak (SOAK_SECONDS, default 600; QUICK=1: 60).
bench-soak: all
	@bench/soak

check-worker: all
	@tests/worker/run

# make check-deploy SERVER=lighttpd|apache|apache-proxy|apache-cgi|
# apache-htaccess|nginx: the integration suite through that server.
check-deploy: all
	@SERVER=$(or $(SERVER),lighttpd) tests/integration/run

check-integration: all
	@tests/integration/run
	@tests/integration/contract
	@tests/integration/threads

check-clients: all
	@tests/clients/run
	@tests/browser/run

BANNED = sprintf|strcpy|strcat|strncpy|strtok|atoi|atol|sscanf|gets|system
lint:
	@! grep -nE '\<($(BANNED))[[:space:]]*\(' common/*.[ch] cgi/*.[ch] \
	    worker/*.[ch] bench/*.c || { echo "lint: banned functions above"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --std=c11 \
	    --suppress=missingIncludeSystem -Icommon -Icgi -Iworker \
	    common cgi worker bench
	@$(MAKE) --no-print-directory lint-tidy
	@echo "lint: clean"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/sql
	install -m 755 cgi/rsvp.fcgi worker/rsvp-worker $(DESTDIR)$(BINDIR)
	sed 's|^dir=.*|dir=$${RSVP_SQL_DIR:-$(SHAREDIR)/sql}|' sql/migrate \
	    > $(DESTDIR)$(BINDIR)/rsvp-migrate
	chmod 755 $(DESTDIR)$(BINDIR)/rsvp-migrate
	install -m 644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql

clean:
	rm -f $(PROGS) $(BENCH) $(UNIT) */*.o */*.d tests/unit/*.o tests/unit/*.d

include tests/hardening.mk

-include $(wildcard */*.d tests/unit/*.d)
