build-ex/obj/install_sh.o: build-ex/obj/install_sh.c
