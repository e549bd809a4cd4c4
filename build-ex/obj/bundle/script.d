build-ex/obj/bundle/script.o: bundle/script.c bundle/bundle.h \
 bundle/../depot/crypto.h bundle/../depot/error.h bundle/../depot/depot.h \
 bundle/../depot/xalloc.h bundle/../depot/sbuf.h
bundle/bundle.h:
bundle/../depot/crypto.h:
bundle/../depot/error.h:
bundle/../depot/depot.h:
bundle/../depot/xalloc.h:
bundle/../depot/sbuf.h:
