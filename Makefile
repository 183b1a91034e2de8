# gbi: a plain Makefile.  Targets: all check demo bench install clean deps.
#
#   make          the developer build (strict warnings) in build/
#   make check    unit tests (Criterion) and end-to-end tests, plain and
#                 under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo     the whole pipeline on samples/
#   make bench    national-scale benchmark, side by side with sqlite3
#
# On a fresh Debian machine the first target that builds anything installs
# the missing packages (as root, with apt-get): see `deps`.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS      = sqlite3 libarchive libzstd nettle libxml-2.0
TESTPKGS  = criterion
DEBS      = build-essential pkg-config libsqlite3-dev libcsv-dev libarchive-dev \
            libzstd-dev nettle-dev libxml2-dev libcriterion-dev sqlite3 zstd gzip zip \
            libxml2-utils file time

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wvla -Wformat=2
CSTD      = -std=c11 -pthread -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -DGBI_VERSION=\"$(VERSION)\"
OPT      ?= -O2 -g
SAN       = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -pthread
TEST_LIBS  = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

LIBSRC  = $(wildcard libgbi/*.c)
CMDSRC  = $(wildcard cmd/*.c)
UNITSRC = $(wildcard tests/unit/*.c)
FORMATS = $(sort $(wildcard formats/*.fmt))
SCHEMA  = $(sort $(wildcard libgbi/schema/*.sql))
DATA    = $(sort $(wildcard libgbi/data/*))
GEN     = $(B)/gen/embedded.c

B  = build
BA = build/asan

all: $(B)/gbi $(B)/gbi-gen

# ---- dependencies -------------------------------------------------------
# A stamp, so that the check runs once per checkout.  Installs only what is
# missing; says what to run when not root.
$(B)/.deps:
	@mkdir -p $(B)
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else echo "missing packages:$$missing; run: sudo apt-get install$$missing" >&2; exit 1; fi; \
	fi
	@touch $@
deps: $(B)/.deps

# ---- embedded data: formats/ and the schema, built into the binary -------
$(GEN): $(FORMATS) $(SCHEMA) $(DATA) tools/embed.sh | $(B)/.deps
	@mkdir -p $(dir $@)
	sh tools/embed.sh "$(SCHEMA)" "$(DATA)" $(FORMATS) > $@.tmp && mv $@.tmp $@

# ---- objects -------------------------------------------------------------
$(B)/%.o: %.c libgbi/*.h | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(PKG_CFLAGS) -Ilibgbi -c $< -o $@
$(BA)/%.o: %.c libgbi/*.h | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(WARN) $(PKG_CFLAGS) -Ilibgbi -c $< -o $@
$(B)/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -c $< -o $@
$(BA)/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) -c $< -o $@

LIBOBJ   = $(LIBSRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
LIBOBJA  = $(LIBSRC:%.c=$(BA)/%.o) $(BA)/gen/embedded.o
CMDOBJ   = $(CMDSRC:%.c=$(B)/%.o)
CMDOBJA  = $(CMDSRC:%.c=$(BA)/%.o)

$(B)/libgbi.a: $(LIBOBJ)
	rm -f $@; ar rcs $@ $^
$(BA)/libgbi.a: $(LIBOBJA)
	rm -f $@; ar rcs $@ $^

$(B)/gbi: $(CMDOBJ) $(B)/libgbi.a
	$(CC) $(OPT) -o $@ $(CMDOBJ) $(B)/libgbi.a $(PKG_LIBS)
$(BA)/gbi: $(CMDOBJA) $(BA)/libgbi.a
	$(CC) $(SAN) -o $@ $(CMDOBJA) $(BA)/libgbi.a $(PKG_LIBS)

$(B)/gbi-gen: $(B)/tools/gbi-gen.o $(B)/libgbi.a
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS)

# Criterion tests: no -flto (see ../shared/domain/exchange-formats.md)
$(B)/unit: $(UNITSRC:%.c=$(B)/%.o) $(B)/libgbi.a
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)
$(BA)/unit: $(UNITSRC:%.c=$(BA)/%.o) $(BA)/libgbi.a
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# ---- tests -----------------------------------------------------------------
check: $(B)/gbi $(B)/gbi-gen $(B)/unit $(BA)/gbi $(BA)/unit
	@echo "== unit tests"
	$(B)/unit --jobs 2
	@echo "== unit tests under ASan/UBSan"
	ASAN_OPTIONS=detect_leaks=1 $(BA)/unit --jobs 2
	@echo "== end-to-end tests"
	GBI=$(abspath $(B)/gbi) GBI_GEN=$(abspath $(B)/gbi-gen) sh tests/e2e/run.sh
	@echo "== end-to-end tests under ASan/UBSan"
	GBI=$(abspath $(BA)/gbi) GBI_GEN=$(abspath $(B)/gbi-gen) sh tests/e2e/run.sh

# ---- the main job on the samples -------------------------------------------
demo: $(B)/gbi
	sh tools/demo.sh $(abspath $(B)/gbi)

bench: $(B)/gbi $(B)/gbi-gen
	sh tools/bench.sh $(abspath $(B)/gbi) $(abspath $(B)/gbi-gen)

install: $(B)/gbi
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(B)/gbi $(DESTDIR)$(PREFIX)/bin/gbi
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf $(B)/gbi $(B)/gbi-gen $(B)/unit $(B)/libgbi.a $(B)/cmd $(B)/libgbi $(B)/tests $(B)/tools $(B)/gen $(BA) demo-out

.PHONY: all check demo bench install clean deps
