build-ex/obj/depot/sbuf.o: depot/sbuf.c depot/error.h depot/sbuf.h \
 depot/xalloc.h
depot/error.h:
depot/sbuf.h:
depot/xalloc.h:
