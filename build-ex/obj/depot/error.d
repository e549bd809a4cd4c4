build-ex/obj/depot/error.o: depot/error.c depot/error.h
depot/error.h:
