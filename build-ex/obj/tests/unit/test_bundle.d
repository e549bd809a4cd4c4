build-ex/obj/tests/unit/test_bundle.o: tests/unit/test_bundle.c \
 tests/unit/../../bundle/bundle.h \
 tests/unit/../../bundle/../depot/crypto.h \
 tests/unit/../../bundle/../depot/error.h \
 tests/unit/../../bundle/../depot/depot.h \
 tests/unit/../../bundle/../depot/xalloc.h \
 tests/unit/../../bundle/../depot/sbuf.h tests/unit/unit.h
tests/unit/../../bundle/bundle.h:
tests/unit/../../bundle/../depot/crypto.h:
tests/unit/../../bundle/../depot/error.h:
tests/unit/../../bundle/../depot/depot.h:
tests/unit/../../bundle/../depot/xalloc.h:
tests/unit/../../bundle/../depot/sbuf.h:
tests/unit/unit.h:
