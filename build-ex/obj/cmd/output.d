build-ex/obj/cmd/output.o: cmd/output.c cmd/output.h cmd/../depot/json.h \
 cmd/../depot/xalloc.h
cmd/output.h:
cmd/../depot/json.h:
cmd/../depot/xalloc.h:
