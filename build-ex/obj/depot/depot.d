build-ex/obj/depot/depot.o: depot/depot.c depot/depot.h depot/error.h \
 depot/xalloc.h depot/depot_int.h depot/dv_limits.h depot/sbuf.h \
 depot/parse.h
depot/depot.h:
depot/error.h:
depot/xalloc.h:
depot/depot_int.h:
depot/dv_limits.h:
depot/sbuf.h:
depot/parse.h:
