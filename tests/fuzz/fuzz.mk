# fuzz.mk - fuzz targets, corpus replay and static checks (the Makefile includes it).
# SPDX-License-Identifier: BSD-2-Clause
#
#   make fuzz-replay        replay testdata/fuzz/<target>/ through each target,
#                           built with $(CC) and the normal flags ("ok fuzz/...")
#   make fuzz               build with clang -fsanitize=fuzzer,address,undefined
#                           into build-fuzz/ and run each target FUZZ_SECONDS;
#                           a crash is copied into testdata/fuzz/<target>/
#   make fuzz FUZZ_TARGETS=fuzz_vib FUZZ_SECONDS=600
#   make fuzz-probe         exit 0 when clang can build a libFuzzer target
#   make lint               cppcheck and clang-tidy over depot/ bundle/ cmd/
#   make fuzz-clean         remove build-fuzz/
#
# Nothing here is part of "all".

FUZZ_TARGETS ?= fuzz_xml fuzz_depot_zip fuzz_vib fuzz_index fuzz_metadata \
                fuzz_script fuzz_tar fuzz_package
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_BUILD ?= build-fuzz
# A VIB payload may inflate to 64 GiB in production (depot/vib.h); under
# the fuzzer a bomb would spend seconds per input reaching that, so the
# fuzz build stops at 8 MiB, which also exercises the refusal itself.
FUZZ_CFLAGS ?= -O1 -g -DVIB_MAX_EXPANDED=8388608ull

FUZZ_COMMON_OBJS = $(BUILD)/obj/tests/fuzz/fuzz_util.o \
                   $(BUILD)/obj/tests/fuzz/minizip.o
FUZZ_TARGET_OBJS = $(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/%.o)
FUZZ_MAIN_OBJ = $(BUILD)/obj/tests/fuzz/fuzz_main.o
FUZZ_REPLAY_BINS = $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)
FUZZ_BINS = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_LINK = $(FUZZ_COMMON_OBJS) $(BUNDLE_OBJS) $(BUILD)/libdepot.a

# Replay: the targets linked with fuzz_main.c, with any compiler.
$(FUZZ_REPLAY_BINS): $(BUILD)/fuzz-replay/%: $(BUILD)/obj/tests/fuzz/%.o \
    $(FUZZ_MAIN_OBJ) $(FUZZ_LINK)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz-replay/mkzip: $(BUILD)/obj/tests/fuzz/mkzip.o \
    $(BUILD)/obj/tests/fuzz/minizip.o $(BUILD)/libdepot.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer: only meaningful in the sub-make "make fuzz" starts, where
# BUILD is build-fuzz and every object has -fsanitize=fuzzer-no-link.
$(FUZZ_BINS): $(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(FUZZ_LINK)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-replay-bins: $(FUZZ_REPLAY_BINS) $(BUILD)/fuzz-replay/mkzip

fuzz-bins: $(FUZZ_BINS)

# One "ok fuzz/<target>: N inputs" or "FAIL fuzz/<target>..." line each.
fuzz-replay: fuzz-replay-bins
	@sh tests/fuzz/fuzz.sh replay $(BUILD) $(FUZZ_TARGETS)

fuzz-probe:
	@sh tests/fuzz/fuzz.sh probe $(FUZZ_CC)

fuzz:
	@sh tests/fuzz/fuzz.sh probe $(FUZZ_CC) || { \
	    echo "fuzz: $(FUZZ_CC) cannot link -fsanitize=fuzzer" \
	        "(install clang and libclang-rt-14-dev)" >&2; exit 1; }
	@# Objects built with other flags are thrown away: make cannot tell.
	@mkdir -p $(FUZZ_BUILD) && \
	    echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' >$(FUZZ_BUILD)/flags.new && \
	    if ! cmp -s $(FUZZ_BUILD)/flags.new $(FUZZ_BUILD)/flags; then \
	        rm -rf $(FUZZ_BUILD)/obj $(FUZZ_BUILD)/fuzz; \
	        mv $(FUZZ_BUILD)/flags.new $(FUZZ_BUILD)/flags; \
	    else rm -f $(FUZZ_BUILD)/flags.new; fi
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_CFLAGS)" \
	    SANITIZE=fuzzer-no-link,address,undefined fuzz-bins
	@sh tests/fuzz/fuzz.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

# ---- static checks --------------------------------------------------------

CPPCHECK ?= cppcheck
CLANG_TIDY ?= clang-tidy
LINT_SRCS = $(wildcard depot/*.c bundle/*.c cmd/*.c)

# Both fail on any finding.  cppcheck: warning, style, performance and
# portability checks, the exceptions in .cppcheck-suppressions with why.
# clang-tidy: the checks .clang-tidy turns on, each one it turns off with
# why, all fatal (WarningsAsErrors there); a finding that is right to keep
# has a comment saying why and "NOLINTNEXTLINE(check)" on the line above
# it (grep NOLINT for the list).  The analyzer reads one file
# at a time: depot/error.h shows it what depot/error.c returns.  Its
# stderr, "N warnings generated." per file (the system headers' warnings,
# not shown), is left out.  Neither tool uses $(BUILD); clang-tidy takes
# about 90 s on two cores.
lint:
	@echo "  LINT   cppcheck"
	$(Q)$(CPPCHECK) --quiet --std=c11 -D_GNU_SOURCE \
	    --enable=warning,style,performance,portability --inline-suppr \
	    --suppressions-list=.cppcheck-suppressions --error-exitcode=1 \
	    --template='{file}:{line}: {severity}: {message} [{id}]' \
	    $(LINT_SRCS)
	@echo "  LINT   clang-tidy"
	$(Q)log=$$(mktemp) && { $(CLANG_TIDY) --quiet $(LINT_SRCS) \
	    -- -std=c11 -D_GNU_SOURCE $(PKG_CFLAGS) 2>$$log; st=$$?; \
	    grep -v ' generated\.$$' $$log >&2; rm -f $$log; exit $$st; }
	@echo "  LINT   mandoc"
	$(Q)out=$$(mandoc -Tlint -W style $(MAN_PAGES) 2>&1 | \
	    grep -v 'mandoc.db\|referenced manual not found'); \
	    if [ -n "$$out" ]; then echo "$$out" >&2; exit 1; fi


.PHONY: fuzz fuzz-bins fuzz-replay fuzz-replay-bins fuzz-probe fuzz-clean \
        lint

-include $(FUZZ_TARGET_OBJS:.o=.d) $(FUZZ_COMMON_OBJS:.o=.d) \
         $(FUZZ_MAIN_OBJ:.o=.d) $(BUILD)/obj/tests/fuzz/mkzip.d
