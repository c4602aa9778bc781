// A fast 64-bit fingerprint of a weights file, so that cached vectors are
// keyed by the checkpoint's content and not only by its folder name. It is
// not a cryptographic hash: different checkpoints get different
// fingerprints barring chance, but a crafted collision is possible.

#include "encoder_kernels.h"

#include <string.h>

static inline uint64_t rotate_left(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

// The finaliser of SplitMix64: every input bit changes about half the output bits.
static inline uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t papersift_fingerprint(const void *bytes, size_t length) {
  const unsigned char *p = (const unsigned char *)bytes;
  // Four lanes, so that the multiplications of consecutive words overlap.
  uint64_t lanes[4] = {
      0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0x27D4EB2F165667C5ULL};
  size_t offset = 0;
  for (; offset + 32 <= length; offset += 32) {
    for (int lane = 0; lane < 4; lane++) {
      uint64_t word;
      memcpy(&word, p + offset + 8 * lane, 8);
      lanes[lane] = rotate_left(lanes[lane] ^ (word * 0x9E3779B97F4A7C15ULL), 29)
          * 0xC2B2AE3D27D4EB4FULL;
    }
  }
  uint64_t tail[4] = {0, 0, 0, 0};
  memcpy(tail, p + offset, length - offset);
  uint64_t h = mix((uint64_t)length);
  for (int lane = 0; lane < 4; lane++) {
    h = mix(h ^ lanes[lane]);
    h = mix(h ^ tail[lane]);
  }
  return h;
}
