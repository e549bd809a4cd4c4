build-ex/obj/tests/unit/test_xml.o: tests/unit/test_xml.c \
 tests/unit/../../depot/depot_int.h tests/unit/../../depot/error.h \
 tests/unit/../../depot/dv_limits.h tests/unit/../../depot/sbuf.h \
 tests/unit/../../depot/xalloc.h tests/unit/unit.h
tests/unit/../../depot/depot_int.h:
tests/unit/../../depot/error.h:
tests/unit/../../depot/dv_limits.h:
tests/unit/../../depot/sbuf.h:
tests/unit/../../depot/xalloc.h:
tests/unit/unit.h:
