build-ex/obj/depot/parse.o: depot/parse.c depot/depot.h depot/error.h \
 depot/xalloc.h depot/depot_int.h depot/dv_limits.h depot/sbuf.h \
 depot/parse.h
depot/depot.h:
depot/error.h:
depot/xalloc.h:
depot/depot_int.h:
depot/dv_limits.h:
depot/sbuf.h:
depot/parse.h:
