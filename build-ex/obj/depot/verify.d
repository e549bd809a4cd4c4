build-ex/obj/depot/verify.o: depot/verify.c depot/depot_int.h \
 depot/error.h depot/dv_limits.h depot/sbuf.h depot/xalloc.h \
 depot/parse.h depot/depot.h depot/verify.h depot/crypto.h depot/vib.h
depot/depot_int.h:
depot/error.h:
depot/dv_limits.h:
depot/sbuf.h:
depot/xalloc.h:
depot/parse.h:
depot/depot.h:
depot/verify.h:
depot/crypto.h:
depot/vib.h:
