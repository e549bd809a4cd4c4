build-ex/obj/depot/vib.o: depot/vib.c depot/archive.h depot/error.h \
 depot/sbuf.h depot/vib.h depot/crypto.h depot/xalloc.h
depot/archive.h:
depot/error.h:
depot/sbuf.h:
depot/vib.h:
depot/crypto.h:
depot/xalloc.h:
