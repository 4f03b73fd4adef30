/* memprof: a heap snapshot being built (heap_graph.c): nodes, edges and
 * names, built by the walk (heap_walk.c) and read by the formats.
 *
 * Everything is on malloc, never on the Zend heap: the snapshot must not
 * change what it measures, and must work at the memory limit. Nodes are
 * numbered in the order they are found and expanded in that order, so a
 * node's edges are contiguous and in node order; each node's record and
 * edges go to temporary files when it is done (mp_hgraph_done). */
#ifndef MEMPROF_HEAP_GRAPH_H
#define MEMPROF_HEAP_GRAPH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "export.h"

/* Node kinds. Roots and frames are ours (no memory of their own). */
typedef enum {
	MP_HK_ROOT,         /* "(roots)" and its categories: "(globals)", "(stack)", ... */
	MP_HK_FRAME,        /* a call frame: its variables */
	MP_HK_OBJECT,
	MP_HK_ARRAY,
	MP_HK_STRING,
	MP_HK_REFERENCE,    /* a PHP reference (&): a holder of one value */
	MP_HK_COUNT
} mp_hkind;

/* Edge kinds: how the holder names what it holds. */
typedef enum {
	MP_HE_VAR,          /* a variable, static or handler: name is a string */
	MP_HE_PROP,         /* an object property: name is a string */
	MP_HE_INDEX,        /* an array element with an integer key: name is the key */
	MP_HE_KEY,          /* an array element with a string key: name is a string */
	MP_HE_INTERNAL,     /* held by engine state with no name (get_gc entry n): name is n */
	MP_HE_COUNT
} mp_hedge_kind;

#define MP_HNODE_BITS 29            /* node index bits in an edge; kind above */
#define MP_HNODE_MAX  ((1u << MP_HNODE_BITS) - 1)
#define MP_NO_SITE    UINT32_MAX
#define MP_HKIND_SHIFT 28           /* name ids below; the kind above */

/* What a node's expansion found. Written out as each node is done, in node
 * order, and read back by the formats: in memory a node costs only its name
 * and kind (and its value's address while walking), because a heap of 1M
 * objects has 2M nodes and the snapshot must stay well under the heap's own
 * size. */
typedef struct mp_hnode {
	uint32_t size;          /* self size in bytes; UINT32_MAX: see mp_hnode_size() */
	uint32_t site;          /* position node in the call tree, MP_NO_SITE if unknown */
	uint32_t refcount;
	uint32_t handle;        /* objects: their handle; references: their value's node */
	uint32_t nedges;
} mp_hnode;

typedef struct mp_hedge {
	uint32_t to_kind;       /* target node | kind << MP_HNODE_BITS */
	uint32_t name;          /* string id or integer, by kind */
} mp_hedge;

static inline uint32_t mp_hedge_to(const mp_hedge *e) { return e->to_kind & MP_HNODE_MAX; }
static inline unsigned mp_hedge_kind_of(const mp_hedge *e) { return e->to_kind >> MP_HNODE_BITS; }

/* An unlinked temporary file that records are appended to and read back from. */
typedef struct mp_hspill {
	int fd;
	mp_writer w;
	uint64_t count;
} mp_hspill;

/* What the formats say about the process (heap_dump.c fills it in). */
typedef struct mp_hmeta {
	uint64_t time_us;
	long pid;
	uint64_t memory_usage, memory_usage_real, peak_memory_usage, peak_memory_usage_real;
	double walk_seconds;
	const char *script;     /* the script's path, or "" */
} mp_hmeta;

/* Edges are written to an unlinked temporary file as each node is
 * expanded, in node order, and read back by the formats: in memory they
 * would cost more than the nodes. */
typedef struct mp_hgraph {
	uint32_t *name_kind;    /* per node: string id (class, or label of roots and frames) | kind << 28 */
	const void **ptrs;      /* per node: the value (identity) while walking; frames: theirs */
	uint32_t nnodes, cap_nodes;
	mp_hnode cur_node;      /* the node being expanded ... */
	mp_hedge *cur;          /* ... and its edges */
	uint32_t ncur, cap_cur;
	mp_hspill nodes, edges; /* nodes done, and their edges */
	uint32_t *set;          /* open addressing by value pointer: node index + 1, 0 = empty */
	uint32_t set_cap;
	struct { uint32_t node; uint64_t size; } *big; /* sizes of 4 GiB and more */
	uint32_t nbig;
	mp_idmap names;         /* every string the snapshot names */
	uint32_t unreached;     /* the "(unreached)" root, holding what only the object store held */
	/* per position node of the call tree: bytes and blocks that nodes account for */
	uint64_t (*claimed)[2];
	uint32_t nclaimed;
	uint64_t bytes;         /* sum of self sizes */
	uint32_t unreached_objects;
	mp_hmeta meta;
	bool sites;             /* profiling on: sizes and sites from the live-block map */
	bool oom;               /* an allocation or a temporary write of ours failed */
} mp_hgraph;

static inline unsigned mp_hkind_of(const mp_hgraph *g, uint32_t i) { return g->name_kind[i] >> MP_HKIND_SHIFT; }
static inline uint32_t mp_hname_of(const mp_hgraph *g, uint32_t i) { return g->name_kind[i] & ((1u << MP_HKIND_SHIFT) - 1); }
/* Node i's self size, given its record. */
uint64_t mp_hnode_size(const mp_hgraph *g, uint32_t i, const mp_hnode *n);

int  mp_hgraph_init(mp_hgraph *g, bool sites);
void mp_hgraph_free(mp_hgraph *g);

/* The string id of bytes (added if new); 0 ("") when out of memory. */
uint32_t mp_hgraph_name(mp_hgraph *g, const char *s, size_t len);
static inline uint32_t mp_hgraph_cname(mp_hgraph *g, const char *s) { return mp_hgraph_name(g, s, strlen(s)); }
/* The bytes of a string id. */
const char *mp_hgraph_str(const mp_hgraph *g, uint32_t id, size_t *len);

/* A new node; MP_HNODE_MAX + 1 when out of memory. */
uint32_t mp_hgraph_add(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name);
/* The node of value ptr: found, or added (*added). */
uint32_t mp_hgraph_node_of(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name, bool *added);
/* Nodes are expanded in index order: the current node's record and edges
 * are filled in, and written out when it is done. */
void mp_hgraph_edge(mp_hgraph *g, uint32_t to, mp_hedge_kind kind, uint32_t name);
void mp_hgraph_done(mp_hgraph *g);
/* Points edge i (written) at node to. */
void mp_hgraph_retarget(mp_hgraph *g, uint64_t i, uint32_t to);
/* After the walk: the ptrs and the set are no longer needed. */
void mp_hgraph_walked(mp_hgraph *g);

/* Reading node records or edges back, in node order; several readers at
 * once are fine. */
typedef struct mp_hreader {
	int fd;
	uint64_t off;           /* of the next read */
	size_t rec, len, pos;
	bool failed;
	char buf[65536];
} mp_hreader;
mp_hreader *mp_hreader_open(const mp_hspill *s, size_t rec);
/* The next record; false at the end, or on a read error (r->failed). */
bool mp_hreader_next(mp_hreader *r, void *out);
void mp_hreader_close(mp_hreader *r);
static inline mp_hreader *mp_hnodes_open(const mp_hgraph *g) { return mp_hreader_open(&g->nodes, sizeof(mp_hnode)); }
static inline mp_hreader *mp_hedges_open(const mp_hgraph *g) { return mp_hreader_open(&g->edges, sizeof(mp_hedge)); }

/* Counts block addr in the current node's self size: its size and, for the first
 * block (main), its site come from the live-block map when profiling is
 * on; otherwise fallback (the size the engine asked for, as far as it can
 * be told from the structure). */
void mp_hgraph_block(mp_hgraph *g, const void *addr, size_t fallback, bool main);

/* ---- the walk (heap_walk.c) --------------------------------------------- */
/* Builds the snapshot of the current request's heap. No user code runs, no
 * refcount changes. Call with mp_busy set (our own blocks stay untracked).
 * top_frame_exact: the innermost user frame is at the call that dumps (or at
 * a safe point), so its live temporaries can be asked for; false at the
 * memory limit, where it may be in the middle of an opcode. */
int mp_heap_walk(mp_hgraph *g, bool top_frame_exact);

/* ---- the formats (heap_native.c, heap_meminfo.c, heap_chrome.c) ---------- */
/* The sites table the formats share: the position nodes nodes use, and
 * their ancestors, renumbered in call-tree order (parents first). */
typedef struct mp_hsite {
	uint32_t parent;        /* site number, MP_NO_SITE at the top */
	uint32_t fn, file;      /* string ids */
	uint32_t line;
	uint64_t unreached_bytes, unreached_blocks; /* live there, in no node */
} mp_hsite;
typedef struct mp_hsites {
	uint32_t *index;        /* per position node: its site number + 1, 0 if unused */
	mp_hsite *site;
	uint32_t count;
	uint64_t unreached_bytes; /* all sites */
} mp_hsites;
/* Names go to g's strings. No sites when profiling is off. */
int  mp_hsites_build(mp_hgraph *g, mp_hsites *s);
void mp_hsites_free(mp_hsites *s);
/* The site number of a node (its record), MP_NO_SITE if none. */
static inline uint32_t mp_hsite_of(const mp_hsites *s, const mp_hnode *n)
{
	return n->site == MP_NO_SITE || !s->index ? MP_NO_SITE : s->index[n->site] - 1;
}

/* ---- JSON text (heap_json.c) ------------------------------------------ */
/* s as a JSON string, quotes included; bytes that are not UTF-8 become U+FFFD. */
void mp_json_str(mp_writer *w, const char *s, size_t len);
void mp_json_u64(mp_writer *w, uint64_t v);

void mp_heap_write_native(const mp_hgraph *g, const mp_hsites *s, mp_writer *w);
void mp_heap_write_meminfo(const mp_hgraph *g, const mp_hsites *s, mp_writer *w);
void mp_heap_write_chrome(const mp_hgraph *g, const mp_hsites *s, mp_writer *w);

extern const char *const mp_hkind_names[MP_HK_COUNT];

#endif
