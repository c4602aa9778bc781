#ifndef PAPERSIFT_ENCODER_KERNELS_H
#define PAPERSIFT_ENCODER_KERNELS_H

#include <stddef.h>

/// Replaces each of `rows` rows of `cols` scores in `x` by its softmax, in place.
void papersift_softmax_rows(float *x, size_t rows, size_t cols);

/// Applies GELU in its exact form, x/2 * (1 + erf(x / sqrt 2)), to `count` floats in place.
void papersift_gelu(float *x, size_t count);

/// Writes e^x for each of `count` floats of `x` into `y` (x <= 88).
void papersift_exp(float *y, const float *x, size_t count);

/// Writes erf(x) for each of `count` floats of `x` into `y`.
void papersift_erf(float *y, const float *x, size_t count);

#endif
