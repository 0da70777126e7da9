#ifndef RSVP_FUZZ_H
#define RSVP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * The libFuzzer entry points every harness defines.  replay.c calls the
 * same ones from a plain main(), so the regression inputs also run
 * without clang's fuzzer.
 */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

#endif
