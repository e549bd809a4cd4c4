build-ex/obj/tests/unit/test_output.o: tests/unit/test_output.c \
 tests/unit/../../cmd/output.h tests/unit/../../cmd/../depot/json.h \
 tests/unit/../../cmd/../depot/xalloc.h tests/unit/unit.h
tests/unit/../../cmd/output.h:
tests/unit/../../cmd/../depot/json.h:
tests/unit/../../cmd/../depot/xalloc.h:
tests/unit/unit.h:
