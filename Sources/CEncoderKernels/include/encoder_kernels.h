#ifndef PAPERSIFT_ENCODER_KERNELS_H
#define PAPERSIFT_ENCODER_KERNELS_H

#include <stddef.h>

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

#endif
