/* memprof: the call tree (callgraph.c) and the position in it that the
 * allocation hooks read.
 *
 * Two kinds of node alternate along a path: a call node (a function entered
 * from a given caller position) and a position node (a line inside that call).
 * Keeping lines as their own nodes lets `calls` live on the function while
 * costs live on the exact line. Nodes are addressed by index so the arena can
 * grow with realloc and so a live block's site fits in 32 bits. */
#ifndef MEMPROF_CALLGRAPH_H
#define MEMPROF_CALLGRAPH_H

#include <stdint.h>
#include <stdbool.h>
#include "php.h"

#define MP_CALL_LINE  UINT32_MAX   /* line value that marks a call node */
#define MP_NO_NODE    UINT32_MAX
#define MP_ROOT       0            /* call node standing for "no PHP frame" */

typedef struct mp_node {
	uint32_t parent;        /* call node: caller position; position: its call node */
	uint32_t line;          /* MP_CALL_LINE for call nodes */
	uint32_t fn;            /* function id (both kinds) */
	uint32_t cache_child;   /* call nodes of internal functions: their one position */
	uint64_t inuse_bytes, inuse_blocks;
	uint64_t alloc_bytes, alloc_blocks;
	uint64_t peak_bytes, peak_blocks; /* valid only when peak_stamp == tracker's stamp */
	uint64_t peak_stamp;
	uint64_t calls;         /* call nodes only */
	uint32_t alloc_samples, inuse_samples; /* sampled mode: samples behind the estimates */
	uint32_t first_child, next_sibling; /* child lists, built for export only */
	uint32_t *line_pos;     /* call nodes of user code: line -> position node + 1 (see mp_frame.lines) */
} mp_node;

typedef enum { MP_FN_ROOT, MP_FN_USER, MP_FN_INTERNAL, MP_FN_MAIN, MP_FN_COMPILE,
	MP_FN_NATIVE,       /* "[native] <library>": malloc called from that library */
	MP_FN_NATIVE_ROOT   /* [thread] or [startup]: native blocks outside PHP code */
} mp_fn_kind;

/* What we need of a function to name it later. Strings are referenced (not
 * copied) when the function is first seen, so they outlive the function. */
typedef struct mp_func {
	const void *ptr;        /* zend_function*, identity only: may dangle. Compiles: an
	                           odd key from the file name's hash, which no function has.
	                           Native frames: MP_NATIVE_KEY (see mp_func_native_id) */
	zend_string *name;      /* function_name, or NULL; compiles: the file name as the
	                           engine was asked for it (their key) */
	zend_string *scope;     /* class name, or NULL */
	zend_string *file;      /* NULL for internal functions; compiles: the file compiled */
	uint32_t line_start;
	uint8_t kind;
} mp_func;

typedef struct mp_frame {
	const zend_execute_data *ex;
	const zend_function *func;
	uint32_t *lines;        /* the call node's line table, once it has one; lines[-2] is
	                           the function's first line, lines[-1] the table's length */
	uint32_t call;          /* call node of this frame */
	uint32_t caller_line;   /* line of the caller when this frame was pushed */
	uint32_t line;          /* most recent line of this frame ... */
	uint32_t pos;           /* ... and its position node */
} mp_frame;

/* Recently followed call edges, (caller's call node, caller's line,
 * function) -> call node: one line often calls several functions in turn,
 * add(clamp(mul(...))). Keyed by the caller's line rather than its position
 * node (the same thing), so that a call need not look the position up.
 * An entry also carries what a new frame needs from the call node (its line
 * table, an internal function's position) and the calls counted since it
 * was filled, so a call does not touch the node at all; the count goes to
 * the node when the entry is reused and before every export. */
#define MP_EDGE_BITS 12
typedef struct mp_edge {
	uintptr_t key;          /* the zend_function, | 1 when it can be freed mid-request
	                           (closures, file-level code): then a hit must be verified */
	union {
		uint32_t *lines;    /* user code: the child's line table, or NULL */
		uint32_t leaf_pos;  /* internal function: its one position, or MP_NO_NODE */
	};
	uint32_t call, line;    /* the caller's call node and line */
	uint32_t child;
	uint32_t calls;         /* not yet added to the child's node */
} mp_edge;

typedef struct mp_graph {
	mp_node *nodes;
	uint32_t nnodes, cap_nodes;
	uint32_t *table;        /* open addressing: node index + 1, 0 = empty */
	uint32_t table_mask;
	mp_func *funcs;
	uint32_t nfuncs, cap_funcs;
	uint32_t *ftable;       /* function pointer -> func id + 1 */
	uint32_t ftable_mask;
	mp_frame *stack;        /* [0] is the root; [-1] a guard frame that matches nothing,
	                           so "the frame below the top" needs no bounds check */
	mp_frame *top;          /* innermost frame */
	mp_frame *stack_last;   /* last slot allocated: a push needs top < stack_last */
	bool oom;               /* an allocation of ours failed: profile incomplete */
} mp_graph;

extern mp_graph mp_g;

/* Native frames have a key no function has (functions are aligned,
 * compiles' keys odd): their library's number (got_patch.h), or for the
 * roots MP_SIDE_THREAD / MP_SIDE_STARTUP (native_side.h). */
#define MP_NATIVE_KEY(id, root) ((const void *)(((uintptr_t)(id) << 3) | ((root) ? 4 : 2)))
static inline uint32_t mp_func_native_id(const mp_func *f)
{
	return (uint32_t)((uintptr_t)f->ptr >> 3);
}

/* sampled: no call following (sampled mode walks the stack at its samples) */
int  mp_graph_init(bool sampled);
void mp_graph_free(void);
uint32_t mp_graph_pos_slow(mp_frame *top, const zend_execute_data *ex);
void mp_frame_pos_miss(mp_frame *fr, uint32_t line);
void mp_graph_observer_register(void);
/* Whether calls are counted: profiling with the observer, or (off) the process could */
bool mp_graph_counts_calls(void);
bool mp_graph_observer_registered(void);
void mp_graph_sync_now(void);
void mp_graph_flush_calls(void);

/* Compiling a file (or eval'd code) is a frame of its own, under the line
 * that asked for it: what the compiler allocates is charged to it, and
 * frames that the engine fakes while compiling (the optimizer runs some
 * internal functions at compile time under stand-in frames) are not taken
 * for the call stack. begin fills *st for the matching end. */
typedef struct mp_compile_state {
	uint32_t gen;           /* the graph's generation at begin: end is void after a restart */
	uint32_t saved_fr;      /* the enclosing compile's frame and position, restored at end */
	uint32_t saved_pos;
	bool active;
} mp_compile_state;
void mp_graph_compile_begin(mp_compile_state *st, const char *key, size_t key_len);
void mp_graph_compile_end(mp_compile_state *st, zend_string *compiled_file);

/* The "[native] <library obj>" leaf position under position pos (pos
 * itself when out of memory). */
uint32_t mp_graph_native_pos(uint32_t pos, uint32_t obj);
/* The same leaf under the [thread] or [startup] root; MP_NO_NODE when out
 * of memory. */
uint32_t mp_graph_side_pos(uint32_t root, uint32_t obj);

/* The current line of user frame ex, running op. The engine keeps the
 * current opline in a register and stores it in the frame only before
 * handlers that may call out; a frame that has not stored one yet (a
 * function's first opcodes: type checks, a rope) holds whatever the VM
 * stack held there, garbage or a pointer into another function. Only an
 * opline inside op is believed; until then the frame is at its first line. */
static zend_always_inline uint32_t mp_op_line(const zend_execute_data *ex, const zend_op_array *op)
{
	const zend_op *o = ex->opline;
	if (EXPECTED((uintptr_t)o - (uintptr_t)op->opcodes < (uintptr_t)op->last * sizeof(zend_op))) {
		return o->lineno;
	}
	return op->line_start;
}

static zend_always_inline uint32_t mp_frame_line(const zend_execute_data *ex)
{
	if (ex && ex->func && ZEND_USER_CODE(ex->func->type)) {
		return mp_op_line(ex, &ex->func->op_array);
	}
	return 0;
}

/* Makes fr's position the one at line if it is already known: the last
 * one, or in the frame's line table. False if the tree must be asked. */
static zend_always_inline bool mp_frame_pos_known(mp_frame *fr, uint32_t line)
{
	if (EXPECTED(fr->line == line)) {
		return true;
	}
	const uint32_t *t = fr->lines;
	uint32_t off;
	if (UNEXPECTED(t == NULL) || UNEXPECTED((off = line - t[-2]) >= t[-1]) || UNEXPECTED(t[off] == 0)) {
		return false;
	}
	fr->line = line;
	fr->pos = t[off] - 1;
	return true;
}

/* The position node of a frame at a line: the last one, or from the frame's
 * line table; the first time, from the tree (mp_frame_pos_miss). */
static zend_always_inline uint32_t mp_frame_pos(mp_frame *fr, uint32_t line)
{
	if (UNEXPECTED(!mp_frame_pos_known(fr, line))) {
		mp_frame_pos_miss(fr, line);
	}
	return fr->pos;
}

/* The current line of a frame whose function is known to be ex->func. */
static zend_always_inline uint32_t mp_func_line(const zend_execute_data *ex, const zend_function *f)
{
	return ZEND_USER_CODE(f->type) ? mp_op_line(ex, &f->op_array) : 0;
}

/* The common case of the position node the current allocation belongs to,
 * without calling anything (so that the allocation hook keeps few registers):
 * the engine's frame is on top of the mirror, or just below a callee that
 * has returned (no end notification, see pop_to), at a line it already had.
 * False otherwise: then ask mp_graph_current_pos(). */
static zend_always_inline bool mp_graph_pos_fast(uint32_t *pos)
{
	const zend_execute_data *ex = EG(current_execute_data);
	mp_frame *top = mp_g.top;
	if (UNEXPECTED(top->ex != ex)) {
		/* below the root is the guard, which never matches */
		top--;
		if (UNEXPECTED(top->ex != ex)) {
			return false;
		}
	}
	if (UNEXPECTED(ex == NULL) || UNEXPECTED(top->func != ex->func)) {
		return false;
	}
	if (UNEXPECTED(!mp_frame_pos_known(top, mp_func_line(ex, top->func)))) {
		return false;
	}
	mp_g.top = top;
	*pos = top->pos;
	return true;
}

/* The position node the current allocation belongs to. */
static zend_always_inline uint32_t mp_graph_current_pos(void)
{
	uint32_t pos;
	return mp_graph_pos_fast(&pos) ? pos : mp_graph_pos_slow(mp_g.top, EG(current_execute_data));
}

#endif
