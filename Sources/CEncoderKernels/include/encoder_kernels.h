#ifndef PAPERSIFT_ENCODER_KERNELS_H
#define PAPERSIFT_ENCODER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Replaces each of `rows` rows of `cols` scores in `x` by its softmax, in place.
void papersift_softmax_rows(float *x, size_t rows, size_t cols);

/// Writes e^x for each of `count` floats of `x` into `y` (x <= 88).
void papersift_exp(float *y, const float *x, size_t count);

/// Writes erf(x) for each of `count` floats of `x` into `y`.
void papersift_erf(float *y, const float *x, size_t count);

/// Adds `bias` [cols] to each of `rows` rows of `x` [rows, cols].
void papersift_add_bias(float *x, const float *bias, size_t rows, size_t cols);

/// Adds `bias` to each row of `x`, then applies GELU in its exact form,
/// x/2 * (1 + erf(x / sqrt 2)), in place.
void papersift_bias_gelu(float *x, const float *bias, size_t rows, size_t cols);

/// LayerNorm of each row of `x` in place: (x - mean) / sqrt(var + epsilon) * gamma + beta.
void papersift_layernorm(
    float *x, const float *gamma, const float *beta, size_t rows, size_t cols, float epsilon);

/// `hidden = LayerNorm(hidden + delta + bias)` row by row, in place.
void papersift_residual_layernorm(
    float *hidden, const float *delta, const float *bias, const float *gamma, const float *beta,
    size_t rows, size_t cols, float epsilon);

/// Returns 1 when the CPU has AVX-512 BF16 (and BW), so that the bf16 products can run.
int papersift_bf16_supported(void);

/// Packs a linear layer's weight `w` [out, in] (row-major, float32) into
/// `packed` (out * in values) as bf16 pairs in blocks of 16 output columns,
/// the layout `papersift_bf16_gemm` reads. `in` must be even and `out` a
/// multiple of 16.
void papersift_bf16_pack(const float *w, size_t out, size_t in, uint16_t *packed);

/// Writes `c` [m, out] = `a` [m, in] times the transpose of the packed weight,
/// with `a` rounded to bf16 and the products summed in float32.
/// `scratch` has room for 4 * in / 2 values. Returns 0 without writing when the
/// CPU lacks AVX-512 BF16 or the shapes are not supported, else 1.
int papersift_bf16_gemm(
    const float *a, size_t m, size_t in, const uint16_t *packed, size_t out, float *c,
    uint32_t *scratch);

/// Returns a 64-bit fingerprint of `length` bytes: any change of content or
/// length changes it, barring a chance collision. Not a cryptographic hash.
uint64_t papersift_fingerprint(const void *bytes, size_t length);

#endif
