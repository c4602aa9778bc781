#ifndef PAPERSIFT_COPENBLAS_SHIM_H
#define PAPERSIFT_COPENBLAS_SHIM_H

#include <cblas.h>

#endif
