build-ex/obj/tests/unit/test_values.o: tests/unit/test_values.c \
 tests/unit/../../depot/depot.h tests/unit/../../depot/error.h \
 tests/unit/../../depot/xalloc.h tests/unit/../../depot/depot_int.h \
 tests/unit/../../depot/dv_limits.h tests/unit/../../depot/sbuf.h \
 tests/unit/unit.h
tests/unit/../../depot/depot.h:
tests/unit/../../depot/error.h:
tests/unit/../../depot/xalloc.h:
tests/unit/../../depot/depot_int.h:
tests/unit/../../depot/dv_limits.h:
tests/unit/../../depot/sbuf.h:
tests/unit/unit.h:
