build-ex/obj/depot/values.o: depot/values.c depot/depot.h depot/error.h \
 depot/xalloc.h depot/depot_int.h depot/dv_limits.h depot/sbuf.h
depot/depot.h:
depot/error.h:
depot/xalloc.h:
depot/depot_int.h:
depot/dv_limits.h:
depot/sbuf.h:
