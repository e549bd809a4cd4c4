build-ex/obj/cmd/depot.o: cmd/depot.c cmd/../depot/depot.h \
 cmd/../depot/error.h cmd/../depot/xalloc.h cmd/../depot/depot_int.h \
 cmd/../depot/dv_limits.h cmd/../depot/sbuf.h cmd/../depot/verify.h \
 cmd/../depot/crypto.h cmd/../depot/depot.h cmd/../depot/vib.h cmd/cmd.h \
 cmd/../depot/error.h cmd/output.h cmd/../depot/json.h \
 cmd/../depot/xalloc.h cmd/../depot/version.h
cmd/../depot/depot.h:
cmd/../depot/error.h:
cmd/../depot/xalloc.h:
cmd/../depot/depot_int.h:
cmd/../depot/dv_limits.h:
cmd/../depot/sbuf.h:
cmd/../depot/verify.h:
cmd/../depot/crypto.h:
cmd/../depot/depot.h:
cmd/../depot/vib.h:
cmd/cmd.h:
cmd/../depot/error.h:
cmd/output.h:
cmd/../depot/json.h:
cmd/../depot/xalloc.h:
cmd/../depot/version.h:
