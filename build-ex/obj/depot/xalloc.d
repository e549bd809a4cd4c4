build-ex/obj/depot/xalloc.o: depot/xalloc.c depot/xalloc.h
depot/xalloc.h:
