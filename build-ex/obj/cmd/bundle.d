build-ex/obj/cmd/bundle.o: cmd/bundle.c cmd/../bundle/bundle.h \
 cmd/../bundle/../depot/crypto.h cmd/../bundle/../depot/error.h \
 cmd/../bundle/../depot/depot.h cmd/../bundle/../depot/xalloc.h \
 cmd/../bundle/../depot/sbuf.h cmd/../depot/depot_int.h \
 cmd/../depot/error.h cmd/../depot/dv_limits.h cmd/../depot/sbuf.h \
 cmd/../depot/xalloc.h cmd/cmd.h cmd/../depot/error.h \
 cmd/../depot/version.h
cmd/../bundle/bundle.h:
cmd/../bundle/../depot/crypto.h:
cmd/../bundle/../depot/error.h:
cmd/../bundle/../depot/depot.h:
cmd/../bundle/../depot/xalloc.h:
cmd/../bundle/../depot/sbuf.h:
cmd/../depot/depot_int.h:
cmd/../depot/error.h:
cmd/../depot/dv_limits.h:
cmd/../depot/sbuf.h:
cmd/../depot/xalloc.h:
cmd/cmd.h:
cmd/../depot/error.h:
cmd/../depot/version.h:
