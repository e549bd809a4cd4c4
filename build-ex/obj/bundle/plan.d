build-ex/obj/bundle/plan.o: bundle/plan.c bundle/../depot/depot_int.h \
 bundle/../depot/error.h bundle/../depot/dv_limits.h \
 bundle/../depot/sbuf.h bundle/../depot/xalloc.h bundle/../depot/verify.h \
 bundle/../depot/crypto.h bundle/../depot/depot.h bundle/../depot/vib.h \
 bundle/bundle.h bundle/../depot/crypto.h bundle/../depot/depot.h \
 bundle/../depot/sbuf.h
bundle/../depot/depot_int.h:
bundle/../depot/error.h:
bundle/../depot/dv_limits.h:
bundle/../depot/sbuf.h:
bundle/../depot/xalloc.h:
bundle/../depot/verify.h:
bundle/../depot/crypto.h:
bundle/../depot/depot.h:
bundle/../depot/vib.h:
bundle/bundle.h:
bundle/../depot/crypto.h:
bundle/../depot/depot.h:
bundle/../depot/sbuf.h:
