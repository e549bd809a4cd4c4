build-ex/obj/cmd/msg.o: cmd/msg.c cmd/cmd.h cmd/../depot/error.h
cmd/cmd.h:
cmd/../depot/error.h:
