build-ex/obj/depot/crypto.o: depot/crypto.c depot/crypto.h depot/error.h \
 depot/xalloc.h
depot/crypto.h:
depot/error.h:
depot/xalloc.h:
