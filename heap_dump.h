/* memprof: heap snapshots as the rest of the module asks for them
 * (heap_dump.c): the format by name, a dump to a writer, to a path or to a
 * new file in output_dir. */
#ifndef MEMPROF_HEAP_DUMP_H
#define MEMPROF_HEAP_DUMP_H

#include "export.h"

typedef enum { MP_HFMT_NATIVE, MP_HFMT_MEMINFO, MP_HFMT_CHROME, MP_HFMT_INVALID } mp_hformat;
mp_hformat mp_heap_format_parse(const char *name);
#define MP_HFMT_ACCEPTED "native, meminfo, heapsnapshot"

typedef struct mp_heap_stats {
	uint64_t nodes, edges, bytes, unreached_objects, unattributed_bytes;
	double seconds;
	bool sites;
} mp_heap_stats;

/* How the dump was asked for: at the memory limit the innermost frame may
 * be in the middle of an opcode. */
typedef struct mp_heap_req {
	mp_hformat fmt;
	bool at_limit;
	mp_heap_stats stats;    /* out */
} mp_heap_req;

/* Walks the heap and writes a snapshot to w (finished: SUCCESS only if
 * every byte reached it). */
int mp_heap_dump(mp_heap_req *q, mp_writer *w);
int mp_heap_dump_at_path(mp_heap_req *q, const char *path, mp_dump_result *r);
/* A new file in output_dir, memprof.heap.<pid>.<µs>.<ext>. */
int mp_heap_dump_new_file(mp_heap_req *q, mp_dump_result *r);

#endif
