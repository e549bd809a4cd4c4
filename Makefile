# Makefile - build, test, install and demo esxstage (the depot command).
# SPDX-License-Identifier: BSD-2-Clause
#
#   make                    build build/depot
#   make check              install missing deps (Debian), build, run all tests
#   make check SANITIZE=address,undefined
#   make valgrind           the suite with depot, bundle, the unit tests and
#                           the fuzz corpora under valgrind (make check
#                           VALGRIND=1; about 30 minutes on two cores)
#   make check TESTS='depot_list/* hostile_*/*'   only those shell tests
#   make demo               build a signed sample (build/demo) and list it
#   make bench              size-independence and speed figures (COLD=1:
#                           page cache dropped first, as root)
#   make coverage           the suite on a gcov build (build-cov/), then line
#                           coverage per file and for the libraries
#   make install PREFIX=/usr/local DESTDIR=   (uninstall: the same paths)
#   make deb                a Debian package (dpkg-buildpackage -us -uc -b)
#
-include config.mk

PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
MAN_PAGES = depot.1 esxbundle.1
CC ?= cc
CFLAGS ?= -O2 -g
PYTHON ?= python3
PKGS = libzip libarchive libxml-2.0 openssl zlib jansson libcurl

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
       -Wmissing-prototypes -Wno-missing-field-initializers
ifneq ($(WERROR),)
WARN += -Werror
endif

ifneq ($(SANITIZE),)
BUILD ?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
else
BUILD ?= build
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) \
             $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread

ifeq ($(V),)
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

DEPOT_SRCS = depot/error.c depot/sbuf.c depot/xalloc.c depot/values.c depot/suggest.c \
             depot/gzip.c depot/crc32.c \
             depot/zip.c depot/xml.c depot/parse.c depot/depot.c \
             depot/crypto.c depot/vib.c depot/verify.c depot/json.c \
             depot/archive.c depot/outdir.c depot/names.c depot/smap.c \
             depot/package.c depot/package_walk.c depot/package_cont.c \
             depot/package_tree.c depot/package_depot.c \
             depot/package_special.c depot/package_nvm.c \
             depot/package_expanded.c depot/package_emit.c \
             depot/package_extract.c \
             depot/unpack.c depot/platform.c \
             depot/source.c depot/http.c depot/fetch.c depot/mirror.c \
             depot/subset.c
BUNDLE_SRCS = bundle/plan.c bundle/script.c bundle/bundle.c bundle/check.c
CMD_SRCS = cmd/msg.c cmd/output.c cmd/verb.c cmd/opts.c cmd/extract.c \
           cmd/progress.c \
           cmd/net.c cmd/fetch.c
DEPOT_SRCS += depot/image.c depot/image_validate.c depot/image_compose.c \
    depot/image_diff.c
CMD_SRCS += cmd/image.c
DEPOT_OBJS = $(DEPOT_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS = $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
BUNDLE_OBJS = $(BUNDLE_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/install_sh.o
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/depot $(BUILD)/esxbundle

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdepot.a: $(DEPOT_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/depot: $(BUILD)/obj/cmd/depot.o $(CMD_OBJS) $(BUILD)/libdepot.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The install script's fixed part, kept as a readable shell file.
$(BUILD)/obj/install_sh.c: bundle/install.sh.in scripts/embed.sh
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)sh scripts/embed.sh bundle_install_template $< >$@

$(BUILD)/obj/install_sh.o: $(BUILD)/obj/install_sh.c
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/esxbundle: $(BUILD)/obj/cmd/bundle.o $(BUNDLE_OBJS) $(CMD_OBJS) \
    $(BUILD)/libdepot.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The unit tests make system calls of the libraries fail (tests/unit/fault.h).
UNIT_WRAP = -Wl,--wrap=renameat2,--wrap=renameat,--wrap=mkdtemp,--wrap=fsync \
            -Wl,--wrap=syncfs,--wrap=copy_file_range,--wrap=linkat \
            -Wl,--wrap=write,--wrap=close
$(BUILD)/unit: $(UNIT_OBJS) $(BUNDLE_OBJS) $(CMD_OBJS) $(BUILD)/libdepot.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(UNIT_WRAP) -o $@ $^ $(LDLIBS)

deps:
	@sh scripts/deps.sh $(if $(VALGRIND),valgrind)

check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit
	@BUILD=$(BUILD) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) \
	    VALGRIND=$(VALGRIND) TESTS='$(TESTS)' sh tests/run.sh

# Valgrind wants a build without sanitizers: the plain one.
valgrind:
	@if [ -n "$(SANITIZE)" ]; then \
	    echo "valgrind: not with SANITIZE=$(SANITIZE)" >&2; exit 2; fi
	@$(MAKE) --no-print-directory check VALGRIND=1

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) PYTHON=$(PYTHON) sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) PYTHON=$(PYTHON) COLD=$(COLD) sh scripts/bench.sh

# Coverage counts add up over every program the suite runs (depot,
# esxbundle, unit, the fuzz replays): stale counts are removed first.  A
# test runs depot as another user, which must be able to add its counts
# (or libgcov complains into the stderr the test checks): one run of each
# program makes every count file, which is then opened to all.
COV_BUILD = build-cov
COV_FLAGS = BUILD=$(COV_BUILD) CFLAGS='-O0 -g --coverage' LDFLAGS=--coverage
coverage: deps
	@rm -f $$(find $(COV_BUILD) -name '*.gcda' 2>/dev/null)
	@$(MAKE) --no-print-directory all $(COV_FLAGS)
	@$(COV_BUILD)/depot --help >/dev/null
	@$(COV_BUILD)/esxbundle --help >/dev/null
	@chmod -R a+rwX $(COV_BUILD)/obj
	@st=0; $(MAKE) --no-print-directory check $(COV_FLAGS) || st=$$?; \
	sh scripts/coverage.sh $(COV_BUILD) $(DEPOT_SRCS) $(BUNDLE_SRCS) \
	    $(CMD_SRCS) cmd/depot.c cmd/bundle.c; exit $$st

# Every path install writes, so that uninstall removes exactly those.
INSTALLED = $(BINDIR)/depot $(BINDIR)/esxbundle \
            $(MANDIR)/man1/depot.1 $(MANDIR)/man1/esxbundle.1 \
            $(BASHCOMPDIR)/depot $(BASHCOMPDIR)/esxbundle $(ZSHCOMPDIR)/_depot

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BUILD)/depot $(DESTDIR)$(BINDIR)/depot
	install -m 755 $(BUILD)/esxbundle $(DESTDIR)$(BINDIR)/esxbundle
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 completion/depot.bash $(DESTDIR)$(BASHCOMPDIR)/depot
	install -m 644 completion/depot.bash $(DESTDIR)$(BASHCOMPDIR)/esxbundle
	install -m 644 completion/_depot $(DESTDIR)$(ZSHCOMPDIR)/_depot

# The Debian package, built from a clean copy and checked by lintian.
deb:
	@sh scripts/deps.sh deb
	@sh scripts/deb.sh $(BUILD)/deb

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	rm -rf build build-san build-cov

.PHONY: all deps check valgrind demo bench coverage install uninstall deb \
        clean

-include $(DEPOT_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) \
         $(BUNDLE_OBJS:.o=.d) $(BUILD)/obj/cmd/depot.d $(BUILD)/obj/cmd/bundle.d

# Fuzzing and sanitizer rules live in tests/fuzz/fuzz.mk.
-include tests/fuzz/fuzz.mk
