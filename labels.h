/* memprof: the labels a profile carries (labels.c): which process, SAPI and
 * request it is of, and the fixed ones of memprof.labels, so that profiles
 * of many workers can be merged and filtered (pprof's -tagfocus). */
#ifndef MEMPROF_LABELS_H
#define MEMPROF_LABELS_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*mp_label_cb)(void *ctx, const char *key, size_t key_len, const char *val, size_t val_len);

/* Calls cb for each label: pid, sapi, method, uri (the path only: a query
 * string may hold secrets), script, then memprof.labels' in their order. */
void mp_labels_each(mp_label_cb cb, void *ctx);
/* Whether v is a valid memprof.labels value: "key=value,key=value" (or
 * key:value, which php.ini and -d take without quotes) */
bool mp_labels_valid(const char *v);

#endif
