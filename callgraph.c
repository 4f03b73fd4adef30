/* memprof: the call tree and the current position in it.
 *
 * The engine tells us when a call begins through the observer API; we mirror
 * its stack in mp_g.stack. Every lookup is keyed by integers and pointers:
 * names are only looked at when a profile is exported. Frames that returned
 * are dropped when the next call or allocation shows it (pop_to). When our
 * mirror and EG(current_execute_data) disagree otherwise (profiling started
 * mid-request, a fiber switch...) we rebuild the mirror from the engine's own
 * frames instead of guessing. */
#include "callgraph.h"
#include "alloc_tracker.h"
#include "zend_observer.h"
#include "zend_closures.h"
#include "php_compat.h"
#include "got_patch.h"

#define MP_GUARD_EX ((const zend_execute_data *)(uintptr_t)1)

/* The whole mirror while there is no graph (profiling off): a frame that
 * matches no caller, so a begin handler still attached to a function goes
 * to observer_begin_slow, which tests mp_observing; the hot path need not.
 * With a guard below it, as below every mirror (mp_graph_pos_fast looks one
 * frame down). */
static mp_frame off_frames[2] = {{.ex = MP_GUARD_EX}, {.ex = MP_GUARD_EX}};
#define OFF_FRAME (&off_frames[1])

mp_graph mp_g = {.stack = OFF_FRAME, .top = OFF_FRAME};

#define MP_MAX_LINE_SPAN 4096  /* longest function given a direct line table */

/* True while profiling is on; read first thing by every observer callback. */
static bool mp_observing;

/* While compiling (see mp_graph_compile_begin): the compile's frame in the
 * mirror (observer mode; 0 = none, the root is never one) and its position
 * (both modes; MP_NO_NODE = not compiling). */
static uint32_t compile_fr;
static uint32_t compile_pos = MP_NO_NODE;
/* Counts graph restarts, so that a compile that began before one ends in peace. */
static uint32_t graph_gen;

static zend_always_inline uint32_t mix32(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static zend_always_inline uint32_t node_hash(uint32_t parent, uint32_t line, uint32_t fn)
{
	return mix32(((uint64_t)parent << 32 | line) ^ ((uint64_t)fn * 0x9E3779B97F4A7C15ULL));
}

static bool table_grow(uint32_t **table, uint32_t *mask, uint32_t min_entries)
{
	uint32_t size = *mask + 1;
	while (size < min_entries * 2) {
		size *= 2;
	}
	uint32_t *t = calloc(size, sizeof(uint32_t));
	if (!t) {
		return false;
	}
	free(*table);
	*table = t;
	*mask = size - 1;
	return true;
}

static void node_table_insert(uint32_t idx)
{
	const mp_node *n = &mp_g.nodes[idx];
	uint32_t h = node_hash(n->parent, n->line, n->fn) & mp_g.table_mask;
	while (mp_g.table[h]) {
		h = (h + 1) & mp_g.table_mask;
	}
	mp_g.table[h] = idx + 1;
}

static void func_table_insert(uint32_t id)
{
	uint32_t h = mix32((uintptr_t)mp_g.funcs[id].ptr) & mp_g.ftable_mask;
	while (mp_g.ftable[h]) {
		h = (h + 1) & mp_g.ftable_mask;
	}
	mp_g.ftable[h] = id + 1;
}

/* Returns MP_NO_NODE when out of memory. */
static uint32_t node_new(uint32_t parent, uint32_t line, uint32_t fn)
{
	if (mp_g.nnodes == mp_g.cap_nodes) {
		uint32_t cap = mp_g.cap_nodes * 2;
		mp_node *n = realloc(mp_g.nodes, (size_t)cap * sizeof(mp_node));
		if (!n) {
			mp_g.oom = true;
			return MP_NO_NODE;
		}
		mp_g.nodes = n;
		mp_g.cap_nodes = cap;
	}
	if ((mp_g.nnodes + 1) * 2 > mp_g.table_mask + 1) {
		if (!table_grow(&mp_g.table, &mp_g.table_mask, mp_g.nnodes + 1)) {
			mp_g.oom = true;
			return MP_NO_NODE;
		}
		for (uint32_t i = 1; i < mp_g.nnodes; i++) {
			node_table_insert(i);
		}
	}
	uint32_t idx = mp_g.nnodes++;
	mp_node *n = &mp_g.nodes[idx];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->line = line;
	n->fn = fn;
	n->cache_child = MP_NO_NODE;
	n->peak_stamp = mp_t.peak_stamp; /* did not exist at the last peak: held 0 */
	if (idx != MP_ROOT) {
		node_table_insert(idx);
	}
	return idx;
}

static uint32_t node_child(uint32_t parent, uint32_t line, uint32_t fn)
{
	uint32_t h = node_hash(parent, line, fn) & mp_g.table_mask;
	uint32_t v;
	while ((v = mp_g.table[h]) != 0) {
		const mp_node *n = &mp_g.nodes[v - 1];
		if (n->parent == parent && n->line == line && n->fn == fn) {
			return v - 1;
		}
		h = (h + 1) & mp_g.table_mask;
	}
	return node_new(parent, line, fn);
}

/* ---- functions --------------------------------------------------------- */

static zend_always_inline bool func_matches(const mp_func *rec, const zend_function *f)
{
	if (rec->ptr != f || rec->name != f->common.function_name) {
		return false;
	}
	if (ZEND_USER_CODE(f->type)) {
		return rec->file == f->op_array.filename && rec->line_start == f->op_array.line_start;
	}
	return rec->file == NULL;
}

/* Functions that live until the request ends, so their address cannot be
 * reused by another one: internal functions, declared functions and methods.
 * Closures (of user code, or of internal functions: strlen(...)) and
 * file-level code can be freed mid-request; a closure's function is a copy
 * inside the closure object. */
static zend_always_inline bool func_is_stable(const zend_function *f)
{
	return !(f->common.fn_flags & ZEND_ACC_CLOSURE)
		&& (f->type == ZEND_INTERNAL_FUNCTION || f->common.function_name);
}

/* Whether node's function is still f (see func_is_stable: only freeable
 * functions need the check). */
static zend_always_inline bool node_is_func(uint32_t node, const zend_function *f)
{
	return func_matches(&mp_g.funcs[mp_g.nodes[node].fn], f);
}

/* The innermost frame from ex up that runs a function (or NULL). */
static zend_always_inline const zend_execute_data *func_frame(const zend_execute_data *ex)
{
	while (ex && !ex->func) {
		ex = ex->prev_execute_data;
	}
	return ex;
}

static zend_string *str_ref(zend_string *s)
{
	return s ? zend_string_copy(s) : NULL;
}

/* A string of our own, on our malloc, for names the engine may free
 * before an export. Not zend_string_init(.., 1): that allocates with the
 * PHP binary's malloc, while the inline zend_string_release() frees with
 * ours, and the two differ when an allocator is preloaded (we are loaded
 * with RTLD_DEEPBIND: ours is libc's). The empty string if out of memory. */
static zend_string *str_own(const char *s, size_t len)
{
	zend_string *str = malloc(ZEND_MM_ALIGNED_SIZE(_ZSTR_STRUCT_SIZE(len)));
	if (!str) {
		return ZSTR_EMPTY_ALLOC();
	}
	GC_SET_REFCOUNT(str, 1);
	GC_TYPE_INFO(str) = GC_STRING | (IS_STR_PERSISTENT << GC_FLAGS_SHIFT);
	ZSTR_H(str) = 0;
	ZSTR_LEN(str) = len;
	memcpy(ZSTR_VAL(str), s, len);
	ZSTR_VAL(str)[len] = '\0';
	return str;
}

static void str_own_free(zend_string *s)
{
	if (!ZSTR_IS_INTERNED(s)) {
		free(s);
	}
}

static uint32_t func_register(const zend_function *f)
{
	if (mp_g.nfuncs == mp_g.cap_funcs) {
		uint32_t cap = mp_g.cap_funcs * 2;
		mp_func *n = realloc(mp_g.funcs, (size_t)cap * sizeof(mp_func));
		if (!n) {
			return MP_NO_NODE;
		}
		mp_g.funcs = n;
		mp_g.cap_funcs = cap;
	}
	if ((mp_g.nfuncs + 1) * 2 > mp_g.ftable_mask + 1) {
		if (!table_grow(&mp_g.ftable, &mp_g.ftable_mask, mp_g.nfuncs + 1)) {
			return MP_NO_NODE;
		}
		for (uint32_t i = 1; i < mp_g.nfuncs; i++) {
			if (mp_g.funcs[i].ptr) {
				func_table_insert(i);
			}
		}
	}
	uint32_t id = mp_g.nfuncs++;
	mp_func *rec = &mp_g.funcs[id];
	memset(rec, 0, sizeof(*rec));
	if (!f) {
		return id; /* the caller fills it in */
	}
	rec->ptr = f;
	/* References, not copies: keeps the strings (and so their addresses,
	 * which func_matches() compares) alive after the function is gone. */
	rec->name = str_ref(f->common.function_name);
	rec->scope = f->common.scope ? str_ref(f->common.scope->name) : NULL;
	if (ZEND_USER_CODE(f->type)) {
		rec->file = str_ref(f->op_array.filename);
		rec->line_start = f->op_array.line_start;
		rec->kind = f->common.function_name ? MP_FN_USER : MP_FN_MAIN;
	} else {
		rec->file = NULL;
		rec->line_start = 0;
		rec->kind = MP_FN_INTERNAL;
	}
	return id;
}

static uint32_t func_id(const zend_function *f)
{
	uint32_t h = mix32((uintptr_t)f) & mp_g.ftable_mask;
	uint32_t v;
	while ((v = mp_g.ftable[h]) != 0) {
		mp_func *rec = &mp_g.funcs[v - 1];
		if (rec->ptr == f) {
			if (func_matches(rec, f)) {
				return v - 1;
			}
			/* Same address, different function: the old one was freed. Its
			 * record stays for the nodes that use it, but no longer matches. */
			rec->ptr = NULL;
			break;
		}
		h = (h + 1) & mp_g.ftable_mask;
	}
	uint32_t id = func_register(f);
	if (id != MP_NO_NODE) {
		func_table_insert(id);
	}
	return id;
}

/* The function record of compiling key (a file name, or eval'd code's
 * "file(line) : eval()'d code"): compiles are keyed by name, as the engine
 * has no function for them yet. Not a hot path: once per compile. */
static uint32_t compile_func_id(const char *key, size_t len)
{
	const void *k = (const void *)(uintptr_t)(zend_hash_func(key, len) | 1);
	uint32_t h = mix32((uintptr_t)k) & mp_g.ftable_mask;
	uint32_t v;
	while ((v = mp_g.ftable[h]) != 0) {
		const mp_func *rec = &mp_g.funcs[v - 1];
		if (rec->ptr == k && rec->kind == MP_FN_COMPILE && zend_string_equals_cstr(rec->name, key, len)) {
			return v - 1;
		}
		h = (h + 1) & mp_g.ftable_mask;
	}
	uint32_t id = func_register(NULL);
	if (id == MP_NO_NODE) {
		return id;
	}
	mp_func *rec = &mp_g.funcs[id];
	rec->ptr = k;
	/* our own copies: the engine's may be freed before export */
	rec->name = str_own(key, len);
	rec->file = str_own(key, len);
	rec->kind = MP_FN_COMPILE;
	func_table_insert(id);
	return id;
}

/* ---- positions --------------------------------------------------------- */

static uint32_t root_pos;

/* The edge cache (callgraph.h), and which of its slots were filled since
 * it was last cleared: a new graph clears those only. A sampled profile
 * fills a few, and one per request must not clear (and evict from the CPU's
 * cache) all 128 KiB each time. */
static mp_edge edges[1u << MP_EDGE_BITS];
static uint64_t edges_filled[(1u << MP_EDGE_BITS) / 64];

/* Calls f(slot) for every filled slot. */
#define EDGES_EACH_FILLED(f) do { \
	for (uint32_t w_ = 0; w_ < (1u << MP_EDGE_BITS) / 64; w_++) { \
		for (uint64_t b_ = edges_filled[w_]; b_; b_ &= b_ - 1) { \
			f(&edges[w_ * 64 + (uint32_t)__builtin_ctzll(b_)]); \
		} \
	} \
} while (0)

static void edge_clear(mp_edge *e)
{
	memset(e, 0, sizeof(*e));
}

static void edges_reset(void)
{
	EDGES_EACH_FILLED(edge_clear);
	memset(edges_filled, 0, sizeof(edges_filled));
}

static uint32_t pos_child(uint32_t call, uint32_t line)
{
	uint32_t n = node_child(call, line, mp_g.nodes[call].fn);
	return n == MP_NO_NODE ? root_pos : n;
}

static zend_always_inline mp_edge *edge_slot(uint32_t call, uint32_t line, const zend_function *f)
{
	/* multiply-shift: the top bits of the product mix all of the key's */
	uint32_t h = ((uint32_t)((uintptr_t)f >> 4) ^ (call * 0x9E3779B1u) ^ (line * 0xC2B2AE35u)) * 0x85EBCA6Bu;
	return &edges[h >> (32 - MP_EDGE_BITS)];
}

static void edge_flush(mp_edge *e)
{
	if (e->calls) {
		mp_g.nodes[e->child].calls += e->calls;
		e->calls = 0;
	}
}

void mp_graph_flush_calls(void)
{
	EDGES_EACH_FILLED(edge_flush);
}

/* NULL when out of memory. pos: the caller's position at that line. */
static mp_edge *call_edge_slow(uint32_t call, uint32_t line, uint32_t pos, const zend_function *f, mp_edge *e)
{
	uint32_t fid = func_id(f);
	uint32_t c = fid == MP_NO_NODE ? MP_NO_NODE : node_child(pos, MP_CALL_LINE, fid);
	if (c == MP_NO_NODE) {
		mp_g.oom = true;
		return NULL;
	}
	if (e->key) {
		edge_flush(e);
	}
	uint32_t slot = (uint32_t)(e - edges);
	edges_filled[slot / 64] |= 1ull << (slot % 64);
	e->key = (uintptr_t)f | !func_is_stable(f);
	e->call = call;
	e->line = line;
	e->child = c;
	if (f->type == ZEND_INTERNAL_FUNCTION) {
		e->leaf_pos = mp_g.nodes[c].cache_child;
	} else {
		e->lines = mp_g.nodes[c].line_pos;
	}
	return e;
}

/* Whether cache entry e is the edge (call, line, f). */
static zend_always_inline bool edge_hits(const mp_edge *e, uint32_t call, uint32_t line, const zend_function *f)
{
	return EXPECTED(e->call == call) && EXPECTED(e->line == line)
		&& (EXPECTED(e->key == (uintptr_t)f) || (e->key == ((uintptr_t)f | 1) && node_is_func(e->child, f)));
}

/* The edge from frame caller at line to f. */
static zend_always_inline mp_edge *call_edge(mp_frame *caller, uint32_t line, const zend_function *f)
{
	mp_edge *e = edge_slot(caller->call, line, f);
	return edge_hits(e, caller->call, line, f) ? e : call_edge_slow(caller->call, line, mp_frame_pos(caller, line), f, e);
}

/* The edge that created frame fr, if the cache still holds it. */
static mp_edge *frame_edge(const mp_frame *fr)
{
	if (fr == mp_g.stack || !fr->func) {
		return NULL;
	}
	uint32_t call = fr[-1].call, line = fr->caller_line;
	mp_edge *e = edge_slot(call, line, fr->func);
	return (e->key & ~(uintptr_t)1) == (uintptr_t)fr->func && e->call == call && e->line == line
		&& e->child == fr->call ? e : NULL;
}

/* A loop body allocates on many lines of one frame: a per-call table indexed
 * by line finds their positions without hashing. Frames keep a pointer to
 * it (mp_frame_pos); this fills it. */
/* A line table: [start line, span, span slots]; callers hold a pointer to
 * the first slot so the hot path reads start and span just before it. */
static uint32_t *line_table_new(uint32_t start, uint32_t span)
{
	uint32_t *t = calloc(span + 2, sizeof(uint32_t));
	if (!t) {
		return NULL;
	}
	t[0] = start;
	t[1] = span;
	return t + 2;
}

void mp_frame_pos_miss(mp_frame *fr, uint32_t line)
{
	mp_node *c = &mp_g.nodes[fr->call];
	if (UNEXPECTED(mp_g.funcs[c->fn].kind == MP_FN_COMPILE)) {
		/* a compile has one position whatever line its includer is at */
		fr->line = line;
		return;
	}
	const zend_function *f = fr->func;
	uint32_t start = 0, span = 0;
	if (f && ZEND_USER_CODE(f->type)) {
		start = f->op_array.line_start;
		span = f->op_array.line_end - start + 1;
		span = span <= MP_MAX_LINE_SPAN ? span : 0;
	}
	uint32_t off = line - start;
	uint32_t pos;
	if (fr->func && fr->func->type == ZEND_INTERNAL_FUNCTION && line == 0) {
		/* internal functions have one line: keep it in the call node itself */
		if (c->cache_child == MP_NO_NODE) {
			pos = pos_child(fr->call, 0);
			mp_g.nodes[fr->call].cache_child = pos;
		} else {
			pos = c->cache_child;
		}
		mp_edge *e = frame_edge(fr);
		if (e) {
			e->leaf_pos = pos;
		}
	} else if (off < span) {
		if (!c->line_pos) {
			c->line_pos = line_table_new(start, span);
			mp_edge *e = frame_edge(fr);
			if (e) {
				e->lines = c->line_pos;
			}
		}
		fr->lines = c->line_pos;
		if (c->line_pos && c->line_pos[off]) {
			pos = c->line_pos[off] - 1;
		} else {
			pos = pos_child(fr->call, line);
			c = &mp_g.nodes[fr->call]; /* the arena may have moved */
			if (c->line_pos) {
				c->line_pos[off] = pos + 1;
			}
		}
	} else {
		pos = pos_child(fr->call, line);
	}
	fr->line = line;
	fr->pos = pos;
}

static zend_always_inline void frame_init(mp_frame *fr, const zend_execute_data *ex, uint32_t call,
		uint32_t caller_line, uint32_t *lines)
{
	const zend_function *f = ex ? ex->func : NULL;
	fr->ex = ex;
	fr->func = f;
	fr->call = call;
	fr->caller_line = caller_line;
	fr->line = MP_CALL_LINE; /* no line asked for is this one: pos is not read */
	fr->lines = lines;
}


/* Room for at least one more frame above the top. */
static bool stack_grow(void)
{
	size_t cap = (size_t)(mp_g.stack_last - mp_g.stack + 1) * 2;
	size_t depth = (size_t)(mp_g.top - mp_g.stack);
	mp_frame *s = realloc(mp_g.stack - 1, (cap + 1) * sizeof(mp_frame));
	if (!s) {
		mp_g.oom = true;
		return false;
	}
	mp_g.stack = s + 1;
	mp_g.top = mp_g.stack + depth;
	mp_g.stack_last = mp_g.stack + cap - 1;
	return true;
}

/* A new frame for ex from its cached edge: the child's line table for user
 * code; for an internal function, its one position once known. */
static zend_always_inline void frame_from_edge(mp_frame *fr, const zend_execute_data *ex, const mp_edge *e,
		uint32_t caller_line, bool internal)
{
	frame_init(fr, ex, e->child, caller_line, internal ? NULL : e->lines);
	if (internal && e->leaf_pos != MP_NO_NODE) {
		/* no lookup at its first allocation */
		fr->line = 0;
		fr->pos = e->leaf_pos;
	}
}

/* Pushes ex, called from the top frame. */
static void push_frame(const zend_execute_data *ex, bool count_call)
{
	if (UNEXPECTED(mp_g.top == mp_g.stack_last) && !stack_grow()) {
		return;
	}
	mp_frame *caller = mp_g.top;
	/* the mirror's frames always have their function (see resync) */
	uint32_t cl = caller->ex ? mp_func_line(caller->ex, caller->func) : 0;
	mp_edge *e = call_edge(caller, cl, ex->func);
	mp_frame *fr = ++mp_g.top;
	if (UNEXPECTED(e == NULL)) {
		frame_init(fr, ex, MP_ROOT, cl, NULL);
		return;
	}
	if (count_call && UNEXPECTED(++e->calls == UINT32_MAX)) {
		edge_flush(e);
	}
	frame_from_edge(fr, ex, e, cl, ex->func->type == ZEND_INTERNAL_FUNCTION);
}

/* Whether mirror frame fr still stands for engine frame ex, whose nearest
 * caller with a function is parent: same frame, same function (not a freed
 * one's successor at its address), called from the same line. Then the path
 * up to fr is the same too, if the levels below match in the same way. */
static zend_always_inline bool frame_matches(const mp_frame *fr, const zend_execute_data *ex,
		const zend_execute_data *parent)
{
	const zend_function *f = ex->func;
	return fr->ex == ex && fr->func == f && fr->caller_line == mp_frame_line(parent)
		&& (func_is_stable(f) || node_is_func(fr->call, f));
}

/* The engine's frames, innermost first, while resyncing; freed with the graph. */
static const zend_execute_data **chain;
static uint32_t chain_cap;

/* Rebuild the mirror so that its top is `ex`, keeping the common bottom part. */
static mp_frame *resync(const zend_execute_data *ex, bool count_calls)
{
	uint32_t d = 0;

	for (const zend_execute_data *f = ex; f; f = f->prev_execute_data) {
		if (!f->func) {
			continue;
		}
		if (d == chain_cap) {
			uint32_t cap = chain_cap ? chain_cap * 2 : 256;
			const zend_execute_data **c = realloc(chain, cap * sizeof(*c));
			if (!c) {
				mp_g.oom = true;
				break;
			}
			chain = c;
			chain_cap = cap;
		}
		chain[d++] = f;
	}
	/* chain[d-1] is the outermost frame. Keep what still matches. */
	uint32_t keep = 0;
	uint32_t sp = (uint32_t)(mp_g.top - mp_g.stack);
	while (keep < sp && keep < d) {
		if (!frame_matches(&mp_g.stack[keep + 1], chain[d - 1 - keep], keep ? chain[d - keep] : NULL)) {
			break;
		}
		keep++;
	}
	mp_g.top = mp_g.stack + keep;
	for (uint32_t j = d - keep; j-- > 0;) {
		push_frame(chain[j], count_calls);
	}
	return mp_g.top;
}

static mp_frame *mp_graph_resync(const zend_execute_data *ex)
{
	return resync(ex, false);
}

/* We take no notification when a frame ends (the engine's end dispatch
 * costs every call), so the mirror's top may be a frame that has returned.
 * Dropping entries down to ex's own is exact: a returned frame can never
 * have the address of a frame that was live all along, and every frame
 * entered while profiling was pushed when it began. False if ex is not in
 * the mirror at all (a fiber switch, a frame from before enable...). While
 * compiling, only frames from the compile's up count (see compile_fr). */
static bool pop_to(const zend_execute_data *ex)
{
	const zend_function *f = ex ? ex->func : NULL;
	/* while compiling, nothing below the compile's frame can be running */
	for (mp_frame *fr = mp_g.top; fr >= mp_g.stack + compile_fr; fr--) {
		if (fr->ex == ex && fr->func == f) {
			mp_g.top = fr;
			return true;
		}
	}
	return false;
}

/* Without the observer (memprof.observer) no call is reported, so a frame in
 * the mirror may have returned and another taken its address: every
 * allocation compares the whole engine stack with the mirror (walk_matches,
 * then resync where it differs), which is exact, and costs the stack's depth. Between allocations the mirror is
 * parked behind walk_guard, which the inline path never matches, so it
 * always comes here. */
static bool observer_registered;
/* This graph follows calls through the observer: registered, and not in
 * sampled mode, which takes the stack only at its rare samples. */
static bool follow_calls;
static mp_frame walk_guard[2] = {{.ex = MP_GUARD_EX}, {.ex = MP_GUARD_EX}};
static mp_frame *walk_top;

static void walk_park(void)
{
	walk_top = mp_g.top;
	mp_g.top = &walk_guard[1];
}

bool mp_graph_counts_calls(void)
{
	return mp_g.nodes ? follow_calls : observer_registered;
}

bool mp_graph_observer_registered(void)
{
	return observer_registered;
}

/* Whether the engine's stack, from ex down, is still exactly the parked
 * mirror: resync's test (same frame, function and caller line at every
 * level, and the same number of levels) in one pass, without copying the
 * chain. Usually true: a loop allocates many times in the same frames. */
static bool walk_matches(const zend_execute_data *ex)
{
	const mp_frame *fr = walk_top;
	while (ex) {
		const zend_execute_data *parent = func_frame(ex->prev_execute_data);
		if (fr == mp_g.stack || !frame_matches(fr, ex, parent)) {
			return false;
		}
		ex = parent;
		fr--;
	}
	return fr == mp_g.stack;
}

uint32_t mp_graph_pos_slow(mp_frame *top, const zend_execute_data *ex)
{
	ex = func_frame(ex);
	if (!follow_calls) {
		if (UNEXPECTED(compile_pos != MP_NO_NODE)) {
			/* without calls to follow, everything until the end of a compile is
			 * the compile's: the frames the engine shows meanwhile are the
			 * includer's, or stand-ins (mp_graph_compile_begin) */
			return compile_pos;
		}
		mp_g.top = walk_top;
		top = walk_matches(ex) ? walk_top : resync(ex, false);
		uint32_t pos = mp_frame_pos(top, mp_frame_line(top->ex));
		walk_park();
		return pos;
	}
	if (top->ex != ex || (ex && top->func != ex->func)) {
		if (pop_to(ex)) {
			top = mp_g.top;
		} else if (UNEXPECTED(compile_pos != MP_NO_NODE)) {
			/* a frame no call led to while compiling: a stand-in */
			return compile_pos;
		} else {
			top = mp_graph_resync(ex);
		}
	}
	return mp_frame_pos(top, mp_frame_line(top->ex));
}

/* At enable: frames already running count as one call each. */
void mp_graph_sync_now(void)
{
	if (!follow_calls) {
		return; /* calls are not counted; the first allocation walks */
	}
	resync(EG(current_execute_data), true);
}

/* ---- observer ---------------------------------------------------------- */

/* Everything mp_observer_begin() leaves out: frames without a function in
 * between, a mirror that lost track, first sight of a line or an edge. */
static zend_never_inline void observer_begin_slow(const zend_execute_data *ex)
{
	if (!mp_observing) {
		return;
	}
	const zend_execute_data *prev = func_frame(ex->prev_execute_data);
	const zend_function *pf = prev ? prev->func : NULL;
	const mp_frame *top = mp_g.top;
	if ((top->ex != prev || top->func != pf) && !pop_to(prev)) {
		if (compile_pos != MP_NO_NODE) {
			return; /* called from a stand-in while compiling: not followed */
		}
		mp_graph_resync(prev);
	}
	push_frame(ex, true);
}

/* The common case inline, with nothing kept across a call: the caller is
 * in the mirror (on top, or below callees that have returned), at a line
 * it already had, and the edge is cached. One copy for internal functions
 * (no line table) and one for user code (no single position). */
static zend_always_inline void observer_begin(zend_execute_data *ex, bool internal)
{
	const zend_execute_data *prev = ex->prev_execute_data;
	const zend_function *pf;
	if (UNEXPECTED(prev == NULL) || UNEXPECTED((pf = prev->func) == NULL)) {
		observer_begin_slow(ex);
		return;
	}
	mp_frame *top = mp_g.top;
	if (top->ex != prev || top->func != pf) {
		/* prev's earlier callees have returned: drop them (see pop_to) */
		do {
			if (UNEXPECTED(top == mp_g.stack)) {
				observer_begin_slow(ex); /* prev is not in the mirror */
				return;
			}
			top--;
		} while (top->ex != prev || top->func != pf);
		mp_g.top = top;
	}
	uint32_t cl = mp_func_line(prev, pf);
	const zend_function *f = ex->func;
	mp_edge *e = edge_slot(top->call, cl, f);
	if (UNEXPECTED(!edge_hits(e, top->call, cl, f)) || UNEXPECTED(top == mp_g.stack_last)) {
		observer_begin_slow(ex);
		return;
	}
	mp_frame *fr = top + 1;
	frame_from_edge(fr, ex, e, cl, internal);
	mp_g.top = fr;
	if (UNEXPECTED(++e->calls == UINT32_MAX)) {
		edge_flush(e);
	}
}

static void mp_observer_begin_user(zend_execute_data *ex)
{
	observer_begin(ex, false);
}

static void mp_observer_begin_internal(zend_execute_data *ex)
{
	observer_begin(ex, true);
}

static zend_observer_fcall_begin_handler begin_handler(const zend_function *f)
{
	return f->type == ZEND_INTERNAL_FUNCTION ? mp_observer_begin_internal : mp_observer_begin_user;
}

/* Asked once per function per request, at its first call. While profiling
 * is off we decline, so a loaded-but-off extension costs the engine nothing
 * per call; mp_graph_observe_existing() catches up at enable time. */
static zend_observer_fcall_handlers mp_observer_init(zend_execute_data *ex)
{
	if (!mp_observing) {
		return (zend_observer_fcall_handlers){NULL, NULL};
	}
	/* no end handler: see pop_to() */
	return (zend_observer_fcall_handlers){begin_handler(ex->func), NULL};
}

/* Adds our handlers to a function whose observer slots were already set up
 * (it ran earlier in this request, while we were off). */
static void observe_func(zend_function *f)
{
	if (!f || (f->common.fn_flags & ZEND_ACC_CALL_VIA_TRAMPOLINE)) {
		return;
	}
	void **rtc = ZEND_MAP_PTR_GET(f->common.run_time_cache);
	if (!rtc || !rtc[zend_observer_fcall_op_array_extension]) {
		return; /* not called yet: our init will be asked at its first call */
	}
	/* remove first: never twice, if it was ours already */
	zend_observer_fcall_begin_handler h = begin_handler(f);
	mp_observer_remove_begin(f, h);
	zend_observer_add_begin_handler(f, h);
}

static void observe_tree(zend_function *f, int depth)
{
	observe_func(f);
	if (f && f->type == ZEND_USER_FUNCTION && depth < 64) {
		/* closures declared inside: created later from these op_arrays */
		for (uint32_t i = 0; i < f->op_array.num_dynamic_func_defs; i++) {
			observe_tree((zend_function *)f->op_array.dynamic_func_defs[i], depth + 1);
		}
	}
}

static void observe_existing(void)
{
	zend_function *f;
	zend_class_entry *ce;
	ZEND_HASH_FOREACH_PTR(EG(function_table), f) {
		observe_tree(f, 0);
	} ZEND_HASH_FOREACH_END();
	ZEND_HASH_FOREACH_PTR(EG(class_table), ce) {
		ZEND_HASH_FOREACH_PTR(&ce->function_table, f) {
			observe_tree(f, 0);
		} ZEND_HASH_FOREACH_END();
	} ZEND_HASH_FOREACH_END();
	for (zend_execute_data *ex = EG(current_execute_data); ex; ex = ex->prev_execute_data) {
		observe_tree(ex->func, 0);
	}
	for (uint32_t i = 1; i < EG(objects_store).top; i++) {
		zend_object *obj = EG(objects_store).object_buckets[i];
		if (IS_OBJ_VALID(obj) && obj->ce == zend_ce_closure) {
			observe_tree((zend_function *)zend_get_closure_method_def(obj), 0);
		}
	}
}

void mp_graph_observer_register(void)
{
	zend_observer_fcall_register(mp_observer_init);
	observer_registered = true;
}

/* ---- compiles ---------------------------------------------------------- */

/* The engine compiles with the includer's frame current, and its optimizer
 * evaluates some internal calls (str_repeat('x', 9) ...) under stand-in
 * frames that no call led to and that are freed right after: taking those
 * for the stack planted phantom paths at the root. So a compile is a frame
 * of its own on top of the includer's, and until it ends only frames that
 * calls led to from it count. */
void mp_graph_compile_begin(mp_compile_state *st, const char *key, size_t key_len)
{
	st->active = false;
	if (mp_g.nodes == NULL) {
		return; /* not profiling */
	}
	/* the includer's position, with the mirror synced to the engine */
	uint32_t at = mp_graph_current_pos();
	uint32_t fid = compile_func_id(key, key_len);
	uint32_t call = fid == MP_NO_NODE ? MP_NO_NODE : node_child(at, MP_CALL_LINE, fid);
	uint32_t pos = call == MP_NO_NODE ? MP_NO_NODE : node_child(call, 0, fid);
	if (pos == MP_NO_NODE) {
		mp_g.oom = true;
		return;
	}
	if (follow_calls) {
		if (UNEXPECTED(mp_g.top == mp_g.stack_last) && !stack_grow()) {
			return;
		}
		mp_g.nodes[call].calls++;
		/* a frame that matches the includer's engine frame, so that the hot
		 * path finds the compile on top, and calls made from the includer
		 * while compiling (an error handler) go under the compile */
		const mp_frame *includer = mp_g.top;
		mp_frame *fr = ++mp_g.top;
		frame_init(fr, includer->ex, call, mp_frame_line(includer->ex), NULL);
		fr->line = fr->caller_line;
		fr->pos = pos;
	}
	st->gen = graph_gen;
	st->saved_fr = compile_fr;
	st->saved_pos = compile_pos;
	st->active = true;
	if (follow_calls) {
		compile_fr = (uint32_t)(mp_g.top - mp_g.stack);
	}
	compile_pos = pos;
}

void mp_graph_compile_end(mp_compile_state *st, zend_string *compiled_file)
{
	if (!st->active || st->gen != graph_gen) {
		return;
	}
	mp_func *rec = &mp_g.funcs[mp_g.nodes[compile_pos].fn];
	if (compiled_file && !zend_string_equals(rec->file, compiled_file)) {
		/* the name asked for was relative: show the file it resolved to */
		str_own_free(rec->file);
		rec->file = str_own(ZSTR_VAL(compiled_file), ZSTR_LEN(compiled_file));
	}
	if (follow_calls) {
		/* callees of the includer made while compiling have returned */
		mp_g.top = mp_g.stack + compile_fr - 1;
	}
	compile_fr = st->saved_fr;
	compile_pos = st->saved_pos;
}

/* ---- native frames ------------------------------------------------------ */

/* Function ids of native frames, by library and by root (0: none yet;
 * id 0 is the root's, never one of these). */
static uint32_t native_fid[MP_OBJ_MAX];
static uint32_t side_root_fid[2];

/* Recent (position, library) -> leaf: a loop allocating through a library
 * asks again and again. */
#define LEAF_CACHE 256
static struct leaf_entry {
	uint32_t pos, obj, leaf;
} leaf_cache[LEAF_CACHE];

static void native_reset(void)
{
	memset(native_fid, 0, sizeof(native_fid));
	memset(side_root_fid, 0, sizeof(side_root_fid));
	for (uint32_t i = 0; i < LEAF_CACHE; i++) {
		leaf_cache[i].pos = MP_NO_NODE;
	}
}

static uint32_t native_func(uint32_t *slot, uint32_t id, bool root, mp_fn_kind kind)
{
	if (*slot) {
		return *slot;
	}
	uint32_t fid = func_register(NULL);
	if (fid == MP_NO_NODE) {
		return fid;
	}
	mp_g.funcs[fid].ptr = MP_NATIVE_KEY(id, root);
	mp_g.funcs[fid].kind = (uint8_t)kind;
	func_table_insert(fid);
	*slot = fid;
	return fid;
}

/* A frame of function fid under position at, and its one position. */
static uint32_t leaf_under(uint32_t at, uint32_t fid)
{
	if (fid == MP_NO_NODE) {
		return MP_NO_NODE;
	}
	uint32_t call = node_child(at, MP_CALL_LINE, fid);
	return call == MP_NO_NODE ? MP_NO_NODE : node_child(call, 0, fid);
}

uint32_t mp_graph_native_pos(uint32_t pos, uint32_t obj)
{
	struct leaf_entry *e = &leaf_cache[((pos * 0x9E3779B1u) ^ (obj * 0x85EBCA6Bu)) >> 24];
	if (EXPECTED(e->pos == pos) && EXPECTED(e->obj == obj)) {
		return e->leaf;
	}
	uint32_t leaf = leaf_under(pos, native_func(&native_fid[obj < MP_OBJ_MAX ? obj : 0], obj, false, MP_FN_NATIVE));
	if (leaf == MP_NO_NODE) {
		mp_g.oom = true;
		return pos;
	}
	*e = (struct leaf_entry){pos, obj, leaf};
	return leaf;
}

uint32_t mp_graph_side_pos(uint32_t root, uint32_t obj)
{
	uint32_t at = leaf_under(root_pos, native_func(&side_root_fid[root & 1], root, true, MP_FN_NATIVE_ROOT));
	uint32_t leaf = at == MP_NO_NODE ? MP_NO_NODE : mp_graph_native_pos(at, obj);
	return leaf == at ? MP_NO_NODE : leaf;
}

/* ---- lifecycle --------------------------------------------------------- */

int mp_graph_init(bool sampled)
{
	memset(&mp_g, 0, sizeof(mp_g));
	edges_reset();
	native_reset();
	graph_gen++;
	compile_fr = 0;
	compile_pos = MP_NO_NODE;
	mp_g.cap_nodes = 1024;
	mp_g.nodes = malloc(mp_g.cap_nodes * sizeof(mp_node));
	mp_g.table_mask = 2047;
	mp_g.table = calloc(mp_g.table_mask + 1, sizeof(uint32_t));
	mp_g.cap_funcs = 256;
	mp_g.funcs = malloc(mp_g.cap_funcs * sizeof(mp_func));
	mp_g.ftable_mask = 511;
	mp_g.ftable = calloc(mp_g.ftable_mask + 1, sizeof(uint32_t));
	mp_frame *stack = calloc(256 + 1, sizeof(mp_frame));
	if (stack) {
		stack[0].ex = MP_GUARD_EX;
		mp_g.stack = stack + 1;
		mp_g.stack_last = mp_g.stack + 255;
	}
	if (!mp_g.nodes || !mp_g.table || !mp_g.funcs || !mp_g.ftable || !mp_g.stack) {
		mp_graph_free();
		return FAILURE;
	}
	/* func 0 and node 0: the root, for allocations with no PHP frame */
	memset(&mp_g.funcs[0], 0, sizeof(mp_func));
	mp_g.funcs[0].kind = MP_FN_ROOT;
	mp_g.nfuncs = 1;
	node_new(0, MP_CALL_LINE, 0);
	root_pos = node_child(MP_ROOT, 0, 0);
	mp_g.top = mp_g.stack;
	frame_init(&mp_g.stack[0], NULL, MP_ROOT, 0, NULL);
	mp_g.nodes[MP_ROOT].calls = 1;
	follow_calls = observer_registered && !sampled;
	if (!follow_calls) {
		walk_park();
		return SUCCESS;
	}
	mp_observing = true;
	observe_existing();
	return SUCCESS;
}

void mp_graph_free(void)
{
	mp_observing = false;
	edges_reset(); /* no stale count may reach the next graph's nodes */
	for (uint32_t i = 0; mp_g.funcs && i < mp_g.nfuncs; i++) {
		mp_func *rec = &mp_g.funcs[i];
		if (rec->kind == MP_FN_COMPILE) {
			str_own_free(rec->name);
			str_own_free(rec->file);
			continue;
		}
		if (rec->name) zend_string_release(rec->name);
		if (rec->scope) zend_string_release(rec->scope);
		if (rec->file) zend_string_release(rec->file);
	}
	for (uint32_t i = 0; mp_g.nodes && i < mp_g.nnodes; i++) {
		if (mp_g.nodes[i].line_pos) {
			free(mp_g.nodes[i].line_pos - 2);
		}
	}
	free(mp_g.nodes);
	free(mp_g.table);
	free(mp_g.funcs);
	free(mp_g.ftable);
	if (mp_g.stack && mp_g.stack != OFF_FRAME) {
		free(mp_g.stack - 1);
	}
	memset(&mp_g, 0, sizeof(mp_g));
	mp_g.stack = mp_g.top = OFF_FRAME;
	graph_gen++;
	compile_fr = 0;
	compile_pos = MP_NO_NODE;
	free(chain);
	chain = NULL;
	chain_cap = 0;
}
