/* memprof: what the exporters share: an output sink and a read-only view of
 * the call tree with inclusive totals and names. */
#ifndef MEMPROF_EXPORT_H
#define MEMPROF_EXPORT_H

#include "php_memprof.h"
#include "callgraph.h"
#include "alloc_tracker.h"

/* ---- export_mem.c: scratch memory on malloc, never the Zend heap ------ */
typedef struct mp_buf {
	char *p;
	size_t len, cap;
	bool failed;            /* out of memory: the content is incomplete */
} mp_buf;

void mp_buf_append(mp_buf *b, const char *s, size_t len);
static inline void mp_buf_appends(mp_buf *b, const char *s) { mp_buf_append(b, s, strlen(s)); }
void mp_buf_appendc(mp_buf *b, char c);
void mp_buf_append_u64(mp_buf *b, uint64_t v);
/* v in decimal, written at the end of buf (24 bytes): returns its first
 * digit; the digits run to buf + 24. */
char *mp_u64_digits(char buf[24], uint64_t v);
static inline void mp_buf_reset(mp_buf *b) { b->len = 0; }
/* The content, NUL-terminated ("" if out of memory). */
const char *mp_buf_cstr(mp_buf *b);
void mp_buf_free(mp_buf *b);

/* Byte strings to dense ids 0, 1, 2... in the order they were first seen. */
typedef struct mp_idmap {
	uint32_t *table;        /* entry index + 1, 0 = empty */
	uint32_t mask;
	uint32_t count, cap;
	struct mp_idmap_entry *entries;
	mp_buf keys;
} mp_idmap;

/* The id of key, added if new (*added says so); -1 when out of memory. */
int64_t mp_idmap_id(mp_idmap *m, const void *key, size_t len, bool *added);
/* The key of an id. */
const char *mp_idmap_key(const mp_idmap *m, uint32_t id, size_t *len);
void mp_idmap_free(mp_idmap *m);

/* ---- writer.c: buffered output to a PHP stream or a file descriptor ---- */
typedef struct mp_writer {
	php_stream *stream;     /* one of stream / fd */
	int fd;
	char *buf;
	size_t len, cap;
	void *gz;               /* z_stream* while gzip is on */
	bool failed;
	int err;                /* errno of the first failure, 0 if unknown */
} mp_writer;

void mp_writer_init_stream(mp_writer *w, php_stream *stream);
void mp_writer_init_fd(mp_writer *w, int fd);
/* size_hint: the bytes about to be written, if known (else SIZE_MAX) */
bool mp_writer_gzip(mp_writer *w, size_t size_hint);
void mp_write(mp_writer *w, const void *data, size_t len);
void mp_writef(mp_writer *w, const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 2, 3);
static inline void mp_writes(mp_writer *w, const char *s) { mp_write(w, s, strlen(s)); }
/* Flushes everything; SUCCESS only if every byte reached the sink. */
int mp_writer_finish(mp_writer *w);
/* Frees what the writers keep between dumps (module shutdown). */
void mp_writer_mshutdown(void);

/* ---- profile_walk.c: the tree as exporters see it ---------------------- */
/* The six values every format writes, then (sampled mode) the samples
 * behind the estimates. */
enum { MP_INUSE_BYTES, MP_INUSE_BLOCKS, MP_ALLOC_BYTES, MP_ALLOC_BLOCKS,
       MP_PEAK_BYTES, MP_PEAK_BLOCKS, MP_NVALUES,
       MP_ALLOC_SAMPLES = MP_NVALUES, MP_INUSE_SAMPLES, MP_NCOUNTERS };

typedef struct mp_view {
	uint64_t (*self)[MP_NCOUNTERS];  /* per node; call nodes: sum of their lines */
	uint64_t (*incl)[MP_NCOUNTERS];  /* per node, subtree included */
	/* Native profiles (NULL otherwise): the same for native blocks alone,
	 * which live in "[native] <library>" leaves; the totals above count
	 * them too. */
	uint64_t (*nself)[MP_NCOUNTERS];
	uint64_t (*nincl)[MP_NCOUNTERS];
	uint32_t root_pos;
	uint64_t sample_rate;  /* 0: exact mode; otherwise values are estimates (sampler.h) */
	/* The tree's size when the view was built. An export can run PHP code (a
	 * userspace stream), whose calls add nodes and functions: exports walk
	 * only what the view counted. */
	uint32_t nnodes, nfuncs;
	/* per function: file-level code or a compile whose file's base name
	 * another one in this profile shares, so that its label needs the path */
	bool *label_path;
} mp_view;

/* Builds child lists and totals. Call with mp_busy set. */
int  mp_view_build(mp_view *v);
void mp_view_free(mp_view *v);

static inline uint32_t mp_first_child(uint32_t n) { return mp_g.nodes[n].first_child; }
static inline uint32_t mp_next_sibling(uint32_t n) { return mp_g.nodes[n].next_sibling; }
static inline bool mp_is_call(uint32_t n) { return mp_g.nodes[n].line == MP_CALL_LINE; }
static inline const mp_func *mp_node_func(uint32_t n) { return &mp_g.funcs[mp_g.nodes[n].fn]; }

/* memprof_dump_array()'s keys (the original's): "fn", "Class::method",
 * "{closure}", "main /path/file.php", "compile /path/file.php", "(engine)";
 * native frames "[native] libxml2.so.2", "[thread]", "[startup]" */
void mp_func_name(const mp_func *f, mp_buf *out);
/* The name in formats that give the file separately (pprof, callgrind,
 * folded): file-level code and compiles by the file's base name
 * ("main x.php", "compile x.php"; the path when two files share one),
 * so the path is not written twice; otherwise as mp_func_name(). */
void mp_func_label(const mp_view *v, uint32_t fid, mp_buf *out);
/* the file of a function: "php:internal" for internal functions,
 * "php:engine" for the root (no PHP code running), the library's path for
 * a native frame, "php:native" for [thread] and [startup] */
const char *mp_func_file(const mp_func *f);
bool mp_counters_zero(const uint64_t c[MP_NCOUNTERS]);

/* ---- the exporters ---------------------------------------------------- */
void mp_export_array(const mp_view *v, zval *out);
void mp_export_callgrind(const mp_view *v, mp_writer *w);
void mp_export_pprof(const mp_view *v, mp_writer *w);
void mp_export_folded(const mp_view *v, mp_writer *w);

/* ---- output_file.c: automatic dumps ---------------------------------- */
typedef enum { MP_FMT_CALLGRIND, MP_FMT_PPROF, MP_FMT_FOLDED, MP_FMT_INVALID } mp_format;
mp_format mp_format_parse(const char *name);
extern const char *const mp_format_names[];
typedef struct mp_dump_result {
	char path[MAXPATHLEN];  /* the profile written, or where writing failed */
	const char *what;       /* on failure: what failed ("cannot create", ...) */
	int err;                /* on failure: errno, 0 if unknown */
} mp_dump_result;
/* Exports the current profile to a new file in output_dir: SUCCESS with its
 * path in r, or FAILURE with what failed in r. Warns of nothing itself:
 * mp_dump_warn() does, or the caller says it another way. */
int mp_dump_to_file(mp_format fmt, mp_dump_result *r);
/* What writes a file's content (SUCCESS only if complete). */
typedef int (*mp_dump_fn)(void *ctx, mp_writer *w);
/* fn's output in a new file of output_dir, memprof.<kind>.<pid>.<µs><ext>,
 * under its final name only when complete, never overwriting one. */
int mp_dump_new_file(const char *kind, const char *ext, mp_dump_fn fn, void *ctx, mp_dump_result *r);
/* fn's output at path, through a temporary name beside it and a rename:
 * path holds either what it held or the complete new content. */
int mp_dump_at_path(const char *path, mp_dump_fn fn, void *ctx, mp_dump_result *r);
/* strerror() of the failure, or a word when there is no errno */
const char *mp_dump_reason(const mp_dump_result *r);
/* One warning naming what failed, the path and the OS error. */
void mp_dump_warn(const mp_dump_result *r);

/* memprof.c: the export entry point used by files and streams alike */
int mp_export(mp_format fmt, mp_writer *w);

#endif
