#ifndef PAPERSIFT_CSQLITE_SHIM_H
#define PAPERSIFT_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift
// cannot import. It tells SQLite to copy bound text and blobs at once.
static inline sqlite3_destructor_type papersift_sqlite_transient(void) {
  return SQLITE_TRANSIENT;
}

#endif
