build-ex/obj/depot/zip.o: depot/zip.c depot/depot_int.h depot/error.h \
 depot/dv_limits.h depot/sbuf.h depot/xalloc.h
depot/depot_int.h:
depot/error.h:
depot/dv_limits.h:
depot/sbuf.h:
depot/xalloc.h:
