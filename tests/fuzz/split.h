/* What the decoder fuzzers share: a decoder is fed the input in one piece, in 1-byte
 * pieces and in pieces whose sizes come from the input itself, and the three transcripts
 * it gives back must be equal (a decoder's output never depends on where its input was
 * split). Each target defines its decode and calls fuzz_split_invariant with it. */
#ifndef GP_FUZZ_SPLIT_H
#define GP_FUZZ_SPLIT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes data[0..size) fed in pieces whose sizes cycle through sizes[0..n_sizes) (each
 * target maps a byte to a small piece size), or whole when n_sizes is 0; returns a heap
 * transcript of what came out. */
typedef char *(*fuzz_decode_fn)(const uint8_t *data, size_t size, const uint8_t *sizes,
                                size_t n_sizes);

/* Aborts (a finding) unless the three ways of splitting give the same transcript. */
static inline void fuzz_split_invariant(fuzz_decode_fn decode, const uint8_t *data, size_t size) {
  static const uint8_t one = 0;
  char *whole = decode(data, size, NULL, 0);
  char *bytes = decode(data, size, &one, 1);
  char *mixed = decode(data, size, data, size < 8 ? size : 8);
  if (strcmp(whole, bytes) != 0 || strcmp(whole, mixed) != 0) abort();
  free(whole);
  free(bytes);
  free(mixed);
}

#endif
