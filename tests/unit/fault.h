/* fault.h - make a system call of the libraries fail, for the unit tests. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef UNIT_FAULT_H
#define UNIT_FAULT_H

/*
 * The unit binary alone is linked with -Wl,--wrap=CALL for each of these
 * (Makefile, UNIT_WRAP): every call from depot/ and bundle/ goes through
 * fault.c, which passes it to the C library unless a test armed it.
 */
enum fault_call {
	FAULT_RENAMEAT2,
	FAULT_RENAMEAT,
	FAULT_MKDTEMP,
	FAULT_FSYNC,
	FAULT_SYNCFS,
	FAULT_COPY_FILE_RANGE,
	FAULT_LINKAT,
	FAULT_WRITE,
	FAULT_CLOSE, /* the descriptor is closed all the same, as on NFS */
	FAULT_NCALLS
};

/* Let skip calls of call through, then fail times of them (-1: every
 * one) with errno err. */
void fault_arm(enum fault_call call, int skip, int times, int err);
/* Every call passes again. */
void fault_clear(void);
/* How many calls of call failed since it was armed. */
int fault_hits(enum fault_call call);
/* How many calls of call were made since it was armed (failed or not). */
int fault_calls(enum fault_call call);

#endif
