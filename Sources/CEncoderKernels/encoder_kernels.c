// Element-wise kernels of the BERT forward pass, written as plain loops of
// branch-free arithmetic so that the compiler vectorises them. `exp` and
// `erf` are polynomial approximations with float32 accuracy: calling the C
// library once per element took about a fifth of the forward pass.

#include "encoder_kernels.h"

#include <stdint.h>
#include <math.h>
#include <string.h>

#define LANES 16

// Each exported kernel is compiled for AVX-512, AVX2 and the
// baseline, and the loader picks the best one that the CPU supports.
#if defined(__x86_64__) && defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

static inline float max_float(float a, float b) { return a > b ? a : b; }
static inline float min_float(float a, float b) { return a < b ? a : b; }

// e^x: x = n ln2 + r with |r| <= ln2/2, e^r by its Taylor series to degree 7
// (truncation error under 1e-8 relative), 2^n from the exponent bits.
// Inputs under -87 give about 1.6e-38 instead of a smaller number or zero.
static inline float exp_approx(float x) {
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  x = min_float(max_float(x, -87.0f), 88.0f);
  float shifted = x * 1.44269504f + magic;
  float n = shifted - magic;
  float r = x - n * 0.693145751953125f - n * 1.428606765330187045e-06f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t shifted_bits;
  memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  int32_t magic_bits;
  memcpy(&magic_bits, &magic, sizeof magic_bits);
  int32_t exponent_bits = (shifted_bits - magic_bits + 127) << 23;
  float scale;
  memcpy(&scale, &exponent_bits, sizeof scale);
  return p * scale;
}

// erf(z) from two Chebyshev fits made for this file: z * P(2z^2 - 1) for
// |z| <= 1 and Q((2|z| - 5) / 3) for 1 < |z| < 4, and +-1 beyond. The
// largest absolute error against libm's erff is about 1e-7.
static inline float erf_approx(float z) {
  float a = z < 0 ? -z : z;
  float u = 2 * a * a - 1;
  float small = 1.231640172e-06f;
  small = small * u - 1.766908081e-05f;
  small = small * u + 2.175119898e-04f;
  small = small * u - 2.285419529e-03f;
  small = small * u + 1.985249772e-02f;
  small = small * u - 1.405360973e-01f;
  small = small * u + 9.654687386e-01f;
  small *= a;
  float v = (2 * a - 5) / 3;
  float large = -1.130018049e-03f;
  large = large * v + 1.851567601e-03f;
  large = large * v + 3.426099749e-03f;
  large = large * v - 1.079766058e-02f;
  large = large * v + 7.483625959e-03f;
  large = large * v + 9.810791183e-03f;
  large = large * v - 3.216432598e-02f;
  large = large * v + 4.632206833e-02f;
  large = large * v - 4.360219599e-02f;
  large = large * v + 2.819584552e-02f;
  large = large * v - 1.225590811e-02f;
  large = large * v + 3.266968960e-03f;
  large = large * v + 9.995930794e-01f;
  float result = a > 1 ? large : small;
  result = a >= 4 ? 1.0f : result;
  return z < 0 ? -result : result;
}

VECTOR_CLONES
void papersift_exp(float *y, const float *x, size_t count) {
  for (size_t i = 0; i < count; i++) y[i] = exp_approx(x[i]);
}

VECTOR_CLONES
void papersift_erf(float *y, const float *x, size_t count) {
  for (size_t i = 0; i < count; i++) y[i] = erf_approx(x[i]);
}

VECTOR_CLONES
void papersift_softmax_rows(float *x, size_t rows, size_t cols) {
  size_t whole = cols - cols % LANES;
  for (size_t row = 0; row < rows; row++) {
    float *line = x + row * cols;

    // The maximum, in LANES independent lanes so that the loop vectorises.
    float maxima[LANES];
    for (int lane = 0; lane < LANES; lane++) maxima[lane] = -3.0e38f;
    for (size_t i = 0; i < whole; i += LANES) {
      for (int lane = 0; lane < LANES; lane++) {
        maxima[lane] = max_float(maxima[lane], line[i + lane]);
      }
    }
    float maximum = -3.0e38f;
    for (int lane = 0; lane < LANES; lane++) maximum = max_float(maximum, maxima[lane]);
    for (size_t i = whole; i < cols; i++) maximum = max_float(maximum, line[i]);

    // exp(x - max) in place, and its sum.
    float sums[LANES] = {0};
    for (size_t i = 0; i < whole; i += LANES) {
      for (int lane = 0; lane < LANES; lane++) {
        float e = exp_approx(line[i + lane] - maximum);
        line[i + lane] = e;
        sums[lane] += e;
      }
    }
    float sum = 0;
    for (int lane = 0; lane < LANES; lane++) sum += sums[lane];
    for (size_t i = whole; i < cols; i++) {
      float e = exp_approx(line[i] - maximum);
      line[i] = e;
      sum += e;
    }

    float inverse = 1.0f / sum;
    for (size_t i = 0; i < cols; i++) line[i] *= inverse;
  }
}

VECTOR_CLONES
void papersift_add_bias(float *x, const float *bias, size_t rows, size_t cols) {
  for (size_t row = 0; row < rows; row++) {
    float *line = x + row * cols;
    for (size_t i = 0; i < cols; i++) line[i] += bias[i];
  }
}

VECTOR_CLONES
void papersift_bias_gelu(float *x, const float *bias, size_t rows, size_t cols) {
  const float inverse_sqrt2 = 0.70710678118654752f;
  for (size_t row = 0; row < rows; row++) {
    float *line = x + row * cols;
    for (size_t i = 0; i < cols; i++) {
      float value = line[i] + bias[i];
      line[i] = 0.5f * value * (1.0f + erf_approx(value * inverse_sqrt2));
    }
  }
}

// Normalises one row in place: two passes for the mean and the variance
// (in LANES independent sums, so that the loops vectorise), one to scale.
static inline void layernorm_row(
    float *line, const float *gamma, const float *beta, size_t cols, float epsilon) {
  size_t whole = cols - cols % LANES;
  float sums[LANES] = {0};
  for (size_t i = 0; i < whole; i += LANES) {
    for (int lane = 0; lane < LANES; lane++) sums[lane] += line[i + lane];
  }
  float sum = 0;
  for (int lane = 0; lane < LANES; lane++) sum += sums[lane];
  for (size_t i = whole; i < cols; i++) sum += line[i];
  float mean = sum / (float)cols;

  float squares[LANES] = {0};
  for (size_t i = 0; i < whole; i += LANES) {
    for (int lane = 0; lane < LANES; lane++) {
      float centered = line[i + lane] - mean;
      squares[lane] += centered * centered;
    }
  }
  float square_sum = 0;
  for (int lane = 0; lane < LANES; lane++) square_sum += squares[lane];
  for (size_t i = whole; i < cols; i++) {
    float centered = line[i] - mean;
    square_sum += centered * centered;
  }
  float scale = 1.0f / sqrtf(square_sum / (float)cols + epsilon);
  for (size_t i = 0; i < cols; i++) line[i] = (line[i] - mean) * scale * gamma[i] + beta[i];
}

VECTOR_CLONES
void papersift_layernorm(
    float *x, const float *gamma, const float *beta, size_t rows, size_t cols, float epsilon) {
  for (size_t row = 0; row < rows; row++) layernorm_row(x + row * cols, gamma, beta, cols, epsilon);
}

VECTOR_CLONES
void papersift_residual_layernorm(
    float *hidden, const float *delta, const float *bias, const float *gamma, const float *beta,
    size_t rows, size_t cols, float epsilon) {
  for (size_t row = 0; row < rows; row++) {
    float *line = hidden + row * cols;
    const float *change = delta + row * cols;
    for (size_t i = 0; i < cols; i++) line[i] += change[i] + bias[i];
    layernorm_row(line, gamma, beta, cols, epsilon);
  }
}
