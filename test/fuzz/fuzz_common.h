/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _FUZZ_COMMON_H_
#define _FUZZ_COMMON_H_

/*
 * Shared by the fuzz targets. Each target defines the libFuzzer entry
 * points; built with clang and -fsanitize=fuzzer they are fuzzers, built
 * with fuzz_replay.c they replay a corpus (suite "fuzz").
 */

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Start the EAL once for target @name: no shared config, no hugepages, no PCI,
 * IOVA as VA, quiet logs. Aborts on failure: a fuzzer without its
 * environment must not report "no crash".
 */
void fuzz_eal_init(const char *name);

/* Little-endian cursor over the fuzz input; reads past the end give 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t
fuzz_take(struct fuzz_in *in, unsigned int nbytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < nbytes && in->left > 0; i++, in->p++, in->left--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

#endif /* _FUZZ_COMMON_H_ */
