build-ex/obj/depot/archive.o: depot/archive.c depot/archive.h \
 depot/error.h depot/sbuf.h depot/vib.h depot/crypto.h depot/dv_limits.h \
 depot/xalloc.h
depot/archive.h:
depot/error.h:
depot/sbuf.h:
depot/vib.h:
depot/crypto.h:
depot/dv_limits.h:
depot/xalloc.h:
