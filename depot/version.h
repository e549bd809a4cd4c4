/* version.h - the one place the release number is written. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_VERSION_H
#define DV_VERSION_H

#define ESXSTAGE_VERSION "0.1.0"

#endif
