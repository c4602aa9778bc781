// Matrix products in bfloat16 for the encoder's linear layers: weights and
// activations rounded to bf16, products summed in float32 by the AVX-512
// BF16 instruction vdpbf16ps.

#include "encoder_kernels.h"

#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#define HAS_BF16_TARGET 1
#define BF16_TARGET __attribute__((target("avx512f,avx512bf16,avx512bw,avx512vl")))
#else
#define HAS_BF16_TARGET 0
#endif

int papersift_bf16_supported(void) {
#if HAS_BF16_TARGET
  // Every call after the first reads the cached result, because the product
  // kernel asks on each call. Racing first calls store the same value.
  static int supported = -1;
  int cached = __atomic_load_n(&supported, __ATOMIC_RELAXED);
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw");
    __atomic_store_n(&supported, cached, __ATOMIC_RELAXED);
  }
  return cached;
#else
  return 0;
#endif
}

// Rounds to nearest even, as vcvtne2ps2bf16 does; NaN stays NaN.
static inline uint16_t to_bf16(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return (uint16_t)((bits + rounding) >> 16);
}

// Packs w [out, in] (row-major) into blocks of 16 output columns: for block
// b and input pair p, 16 pairs (w[b*16 + j][2p], w[b*16 + j][2p + 1]).
void papersift_bf16_pack(const float *w, size_t out, size_t in, uint16_t *packed) {
  size_t pairs = in / 2;
  for (size_t block = 0; block < out / 16; block++) {
    for (size_t pair = 0; pair < pairs; pair++) {
      uint16_t *line = packed + (block * pairs + pair) * 32;
      for (size_t j = 0; j < 16; j++) {
        const float *row = w + (block * 16 + j) * in;
        line[2 * j] = to_bf16(row[2 * pair]);
        line[2 * j + 1] = to_bf16(row[2 * pair + 1]);
      }
    }
  }
}

#if HAS_BF16_TARGET
// Rounds `rows` rows of `in` floats to bf16 pairs, one uint32 per pair.
BF16_TARGET
static void convert_rows(const float *a, size_t rows, size_t in, uint32_t *pairs) {
  for (size_t r = 0; r < rows; r++) {
    const float *row = a + r * in;
    uint32_t *out = pairs + r * (in / 2);
    size_t k = 0;
    for (; k + 32 <= in; k += 32) {
      __m512 low = _mm512_loadu_ps(row + k);
      __m512 high = _mm512_loadu_ps(row + k + 16);
      // Element i of the result is low[i] for i < 16 and high[i - 16] above.
      __m512bh packed = _mm512_cvtne2ps_pbh(high, low);
      _mm512_storeu_si512((void *)(out + k / 2), (__m512i)packed);
    }
    for (; k < in; k += 2) {
      out[k / 2] = (uint32_t)to_bf16(row[k]) | ((uint32_t)to_bf16(row[k + 1]) << 16);
    }
  }
}

#define TILE_ROWS 4
#define TILE_BLOCKS 4

// C[r, 64-column panel] for TILE_ROWS rows: 16 accumulators.
BF16_TARGET
static void tile_4x64(const uint32_t *a, size_t pairs, const uint16_t *b, float *c, size_t out) {
  __m512 acc[TILE_ROWS][TILE_BLOCKS];
  for (int r = 0; r < TILE_ROWS; r++)
    for (int j = 0; j < TILE_BLOCKS; j++) acc[r][j] = _mm512_setzero_ps();
  const size_t block_stride = pairs * 32;
  for (size_t p = 0; p < pairs; p++) {
    __m512bh w[TILE_BLOCKS];
    for (int j = 0; j < TILE_BLOCKS; j++) {
      w[j] = (__m512bh)_mm512_loadu_si512((const void *)(b + j * block_stride + p * 32));
    }
    for (int r = 0; r < TILE_ROWS; r++) {
      __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[r * pairs + p]);
      for (int j = 0; j < TILE_BLOCKS; j++) acc[r][j] = _mm512_dpbf16_ps(acc[r][j], x, w[j]);
    }
  }
  for (int r = 0; r < TILE_ROWS; r++)
    for (int j = 0; j < TILE_BLOCKS; j++) _mm512_storeu_ps(c + r * out + j * 16, acc[r][j]);
}

// One row against one 16-column block, for the edges.
BF16_TARGET
static void tile_1x16(const uint32_t *a, size_t pairs, const uint16_t *b, float *c) {
  __m512 acc = _mm512_setzero_ps();
  for (size_t p = 0; p < pairs; p++) {
    __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[p]);
    __m512bh w = (__m512bh)_mm512_loadu_si512((const void *)(b + p * 32));
    acc = _mm512_dpbf16_ps(acc, x, w);
  }
  _mm512_storeu_ps(c, acc);
}

BF16_TARGET
static void gemm_bf16(
    const float *a, size_t m, size_t in, const uint16_t *packed, size_t out, float *c,
    uint32_t *scratch) {
  const size_t pairs = in / 2;
  const size_t blocks = out / 16;
  const size_t block_stride = pairs * 32;
  for (size_t row = 0; row < m; row += TILE_ROWS) {
    size_t rows = m - row < TILE_ROWS ? m - row : TILE_ROWS;
    convert_rows(a + row * in, rows, in, scratch);
    float *c_rows = c + row * out;
    if (rows == TILE_ROWS) {
      size_t block = 0;
      for (; block + TILE_BLOCKS <= blocks; block += TILE_BLOCKS) {
        tile_4x64(scratch, pairs, packed + block * block_stride, c_rows + block * 16, out);
      }
      for (; block < blocks; block++) {
        for (size_t r = 0; r < rows; r++) {
          tile_1x16(scratch + r * pairs, pairs, packed + block * block_stride,
                    c_rows + r * out + block * 16);
        }
      }
    } else {
      for (size_t block = 0; block < blocks; block++) {
        for (size_t r = 0; r < rows; r++) {
          tile_1x16(scratch + r * pairs, pairs, packed + block * block_stride,
                    c_rows + r * out + block * 16);
        }
      }
    }
  }
}
#endif

int papersift_bf16_gemm(
    const float *a, size_t m, size_t in, const uint16_t *packed, size_t out, float *c,
    uint32_t *scratch) {
#if HAS_BF16_TARGET
  if (in % 2 != 0 || out % 16 != 0 || !papersift_bf16_supported()) return 0;
  gemm_bf16(a, m, in, packed, out, c, scratch);
  return 1;
#else
  (void)a; (void)m; (void)in; (void)packed; (void)out; (void)c; (void)scratch;
  return 0;
#endif
}
