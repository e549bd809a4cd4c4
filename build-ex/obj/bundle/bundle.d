build-ex/obj/bundle/bundle.o: bundle/bundle.c bundle/../depot/depot_int.h \
 bundle/../depot/error.h bundle/../depot/dv_limits.h \
 bundle/../depot/sbuf.h bundle/../depot/xalloc.h bundle/../depot/json.h \
 bundle/bundle.h bundle/../depot/crypto.h bundle/../depot/depot.h \
 bundle/../depot/sbuf.h bundle/../depot/version.h
bundle/../depot/depot_int.h:
bundle/../depot/error.h:
bundle/../depot/dv_limits.h:
bundle/../depot/sbuf.h:
bundle/../depot/xalloc.h:
bundle/../depot/json.h:
bundle/bundle.h:
bundle/../depot/crypto.h:
bundle/../depot/depot.h:
bundle/../depot/sbuf.h:
bundle/../depot/version.h:
