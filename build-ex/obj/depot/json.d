build-ex/obj/depot/json.o: depot/json.c depot/json.h
depot/json.h:
