/* memprof: the heap walk. Everything reachable from the roots (globals,
 * every frame, class and function statics, the error and exception
 * handlers) and then, under "(unreached)", every object of the object store
 * that none of those reach.
 *
 * An object's edges are the engine's own GC view (get_gc): it runs no user
 * code (no __debugInfo, no __get) and covers what debug views miss:
 * closures' bound variables and $this, ArrayObject and SplObjectStorage
 * storage, generator and fiber frames, WeakMap values (not its keys). Plain
 * objects are read directly instead: zend_std_get_gc would separate a shared
 * property table, a write we must not make.
 *
 * Breadth first, with the node array as the queue: no recursion, and the
 * first path found to a node is a shortest one. */
#include "php.h"
#include "zend_closures.h"
#include "zend_generators.h"
#include "zend_fibers.h"
#include "zend_gc.h"
#include "zend_stack.h"
#include "heap_graph.h"
#include "php_compat.h"

#define NONE (MP_HNODE_MAX + 1)
#define CACHE 1024

typedef struct walk {
	mp_hgraph *g;
	uint32_t array_name, string_name, ref_name;
	bool top_frame_exact;    /* the innermost user frame's stored opline is its current one */
	/* class entry -> name id, and (property name, class) -> display name id:
	 * objects of one class come in runs, and hashing names per edge is slow */
	struct { const void *key, *ce; uint32_t id; } names[CACHE];
} walk;

static inline uint32_t cache_slot(const void *a, const void *b)
{
	return (uint32_t)((((uintptr_t)a ^ ((uintptr_t)b >> 4)) >> 3) * 0x9E3779B1u) >> 22;
}

static uint32_t class_name(walk *w, const zend_class_entry *ce)
{
	uint32_t s = cache_slot(ce, NULL);
	if (w->names[s].key != ce || w->names[s].ce != NULL) {
		w->names[s].key = ce;
		w->names[s].ce = NULL;
		w->names[s].id = mp_hgraph_name(w->g, ZSTR_VAL(ce->name), ZSTR_LEN(ce->name));
	}
	return w->names[s].id;
}

/* A property's name as a reader writes it: "name", or "Parent::name" for a
 * private property of a parent class (which a child may declare again). */
static uint32_t prop_name(walk *w, const zend_string *mangled, const zend_class_entry *obj_ce)
{
	uint32_t s = cache_slot(mangled, obj_ce);
	if (w->names[s].key == mangled && w->names[s].ce == obj_ce) {
		return w->names[s].id;
	}
	const char *cls = NULL, *prop = NULL;
	size_t len = 0;
	uint32_t id;
	if (zend_unmangle_property_name_ex(mangled, &cls, &prop, &len) == SUCCESS && cls && cls[0] != '*'
			&& strcasecmp(cls, ZSTR_VAL(obj_ce->name)) != 0) {
		char buf[512];
		int n = snprintf(buf, sizeof(buf), "%s::%.*s", cls, (int)len, prop);
		id = mp_hgraph_name(w->g, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	} else {
		id = prop ? mp_hgraph_name(w->g, prop, len) : mp_hgraph_name(w->g, ZSTR_VAL(mangled), ZSTR_LEN(mangled));
	}
	w->names[s].key = mangled;
	w->names[s].ce = obj_ce;
	w->names[s].id = id;
	return id;
}

static uint32_t namef(walk *w, const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 2, 3);
static uint32_t namef(walk *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return mp_hgraph_name(w->g, buf, n < 0 ? 0 : (n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1));
}

static uint32_t var_name(walk *w, const char *prefix, const char *s, size_t len)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s%.*s", prefix, (int)len, s);
	return mp_hgraph_name(w->g, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The node of a value; NONE for values with no block of their own
 * (scalars, interned strings, immutable arrays). */
static uint32_t value_node(walk *w, zval *zv)
{
	if (Z_TYPE_P(zv) == IS_INDIRECT) {
		zv = Z_INDIRECT_P(zv);
	}
	mp_hkind kind;
	const void *ptr;
	switch (Z_TYPE_P(zv)) {
		case IS_OBJECT:
			kind = MP_HK_OBJECT;
			ptr = Z_OBJ_P(zv);
			break;
		case IS_ARRAY:
			if (GC_FLAGS(Z_ARR_P(zv)) & IS_ARRAY_IMMUTABLE) {
				return NONE;
			}
			kind = MP_HK_ARRAY;
			ptr = Z_ARR_P(zv);
			break;
		case IS_STRING:
			if (ZSTR_IS_INTERNED(Z_STR_P(zv))) {
				return NONE;
			}
			kind = MP_HK_STRING;
			ptr = Z_STR_P(zv);
			break;
		case IS_REFERENCE:
			kind = MP_HK_REFERENCE;
			ptr = Z_REF_P(zv);
			break;
		default:
			return NONE;
	}
	bool added;
	uint32_t n = mp_hgraph_node_of(w->g, kind, ptr, 0, &added);
	if (added) {
		uint32_t *nk = &w->g->name_kind[n];
		switch (kind) {
			case MP_HK_OBJECT: *nk |= class_name(w, Z_OBJCE_P(zv)); break;
			case MP_HK_ARRAY: *nk |= w->array_name; break;
			case MP_HK_STRING: *nk |= w->string_name; break;
			default: *nk |= w->ref_name; break;
		}
	}
	return n;
}

static void edge_to(walk *w, zval *zv, mp_hedge_kind kind, uint32_t name)
{
	uint32_t n = value_node(w, zv);
	if (n != NONE) {
		mp_hgraph_edge(w->g, n, kind, name);
	}
}

/* An array's elements, or a table of named variables (prefix "$"). */
static void table_edges(walk *w, HashTable *ht, const char *var_prefix)
{
	zend_ulong h;
	zend_string *key;
	zval *zv;
	ZEND_HASH_FOREACH_KEY_VAL(ht, h, key, zv) {
		if (Z_TYPE_P(zv) == IS_INDIRECT && Z_TYPE_P(Z_INDIRECT_P(zv)) == IS_UNDEF) {
			continue;
		}
		if (var_prefix) {
			uint32_t name = key ? var_name(w, var_prefix, ZSTR_VAL(key), ZSTR_LEN(key))
				: (uint32_t)h;
			edge_to(w, zv, key ? MP_HE_VAR : MP_HE_INDEX, name);
		} else if (key) {
			edge_to(w, zv, MP_HE_KEY, mp_hgraph_name(w->g, ZSTR_VAL(key), ZSTR_LEN(key)));
		} else if (h <= UINT32_MAX) {
			edge_to(w, zv, MP_HE_INDEX, (uint32_t)h);
		} else {
			/* a key too wide for the edge: written as its digits */
			char buf[24];
			int n = snprintf(buf, sizeof(buf), ZEND_LONG_FMT, (zend_long)h);
			edge_to(w, zv, MP_HE_KEY, mp_hgraph_name(w->g, buf, (size_t)n));
		}
	} ZEND_HASH_FOREACH_END();
}

/* A hash table's blocks in a node's self size: the header and its data. */
static void table_blocks(walk *w, HashTable *ht, bool main)
{
	mp_hgraph_block(w->g, ht, sizeof(HashTable), main);
	if (!(HT_FLAGS(ht) & HASH_FLAG_UNINITIALIZED)) {
		mp_hgraph_block(w->g, HT_GET_DATA_ADDR(ht),
			HT_IS_PACKED(ht) ? HT_PACKED_SIZE(ht) : HT_SIZE(ht), false);
	}
}

/* ---- frames ------------------------------------------------------------- */

static uint32_t frame_label(walk *w, const zend_execute_data *ex)
{
	const zend_function *f = ex->func;
	char buf[1024];
	int n;
	if (f->common.function_name == NULL) {
		/* file-level code */
		n = snprintf(buf, sizeof(buf), "main %s", ZEND_USER_CODE(f->type) && f->op_array.filename
			? ZSTR_VAL(f->op_array.filename) : "");
	} else if (f->common.fn_flags & ZEND_ACC_CLOSURE) {
		n = snprintf(buf, sizeof(buf), "{closure}()");
	} else {
		n = snprintf(buf, sizeof(buf), "%s%s%s()", f->common.scope ? ZSTR_VAL(f->common.scope->name) : "",
			f->common.scope ? "::" : "", ZSTR_VAL(f->common.function_name));
	}
	return mp_hgraph_name(w->g, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Whether ex's stored opline is one of its function's: only then can the
 * engine tell which temporaries are live. */
static bool opline_valid(const zend_execute_data *ex)
{
	const zend_op_array *op = &ex->func->op_array;
	return ex->opline && (uintptr_t)ex->opline - (uintptr_t)op->opcodes < (uintptr_t)op->last * sizeof(zend_op);
}

/* Whether the node being expanded has an edge to node to already. */
static bool has_edge(const mp_hgraph *g, uint32_t to)
{
	for (uint32_t i = 0; i < g->ncur; i++) {
		if (mp_hedge_to(&g->cur[i]) == to) {
			return true;
		}
	}
	return false;
}

/* A frame's variables by name, $this, extra arguments, its closure; then,
 * if exact, what else the engine says the frame holds (live temporaries,
 * arguments of calls being set up). Which temporaries are live depends on
 * the frame's current opline, which the engine stores only where it must:
 * a frame that called the dump is at its call, but one below a destructor
 * or error handler may hold an older opline, and its slots for that one
 * may hold values freed since. */
static void frame_edges(walk *w, zend_execute_data *ex, bool exact)
{
	mp_hgraph *g = w->g;
	const zend_function *f = ex->func;
	uint32_t info = ZEND_CALL_INFO(ex);
	if (Z_TYPE(ex->This) == IS_OBJECT) {
		edge_to(w, &ex->This, MP_HE_VAR, mp_hgraph_cname(g, "$this"));
	}
	if (!ZEND_USER_CODE(f->type)) {
		/* an internal function: its arguments */
		uint32_t n = ZEND_CALL_NUM_ARGS(ex);
		for (uint32_t i = 0; i < n; i++) {
			edge_to(w, ZEND_CALL_ARG(ex, i + 1), MP_HE_INTERNAL, i);
		}
		return;
	}
	const zend_op_array *op = &f->op_array;
	if (info & ZEND_CALL_HAS_SYMBOL_TABLE) {
		/* the main script's table is "(globals)" */
		if (ex->symbol_table && ex->symbol_table != &EG(symbol_table)) {
			table_edges(w, ex->symbol_table, "$");
		}
	} else {
		for (int i = 0; i < op->last_var; i++) {
			zval *zv = ZEND_CALL_VAR_NUM(ex, i);
			uint32_t n = value_node(w, zv);
			if (n != NONE) {
				mp_hgraph_edge(g, n, MP_HE_VAR,
					var_name(w, "$", ZSTR_VAL(op->vars[i]), ZSTR_LEN(op->vars[i])));
			}
		}
	}
	if (info & ZEND_CALL_FREE_EXTRA_ARGS) {
		zval *zv = ZEND_CALL_VAR_NUM(ex, op->last_var + op->T);
		uint32_t extra = ZEND_CALL_NUM_ARGS(ex) - op->num_args;
		for (uint32_t i = 0; i < extra; i++) {
			edge_to(w, zv + i, MP_HE_INTERNAL, op->num_args + i);
		}
	}
	if (info & ZEND_CALL_CLOSURE) {
		zval c;
		ZVAL_OBJ(&c, ZEND_CLOSURE_OBJECT(f));
		edge_to(w, &c, MP_HE_VAR, mp_hgraph_cname(g, "(closure)"));
	}
	if (info & ZEND_CALL_HAS_EXTRA_NAMED_PARAMS) {
		zval a;
		ZVAL_ARR(&a, ex->extra_named_params);
		edge_to(w, &a, MP_HE_VAR, mp_hgraph_cname(g, "(named arguments)"));
	}
	if (!exact || !opline_valid(ex)) {
		return;
	}
	zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
	zend_unfinished_execution_gc_ex(ex, ex->call, buf, false);
	uint32_t tmp = mp_hgraph_cname(g, "(temporary)");
	for (zval *zv = buf->start; zv < buf->cur; zv++) {
		uint32_t n = value_node(w, zv);
		if (n != NONE && !has_edge(g, n)) {
			mp_hgraph_edge(g, n, MP_HE_VAR, tmp);
		}
	}
	/* the shared buffer is only reset, as the collector does */
	buf->cur = buf->start;
}

/* ---- objects ------------------------------------------------------------ */

/* Names for what a suspended generator's or fiber's frames hold, so that the
 * entries of their (unnamed) GC view can be called by their variables. */
typedef struct frame_var { const void *ptr; uint32_t name; } frame_var;

static uint32_t collect_frame_vars(walk *w, zend_execute_data *ex, frame_var *out, uint32_t max, uint32_t n)
{
	if (!ex->func || !ZEND_USER_CODE(ex->func->type) || (ZEND_CALL_INFO(ex) & ZEND_CALL_HAS_SYMBOL_TABLE)) {
		return n;
	}
	const zend_op_array *op = &ex->func->op_array;
	for (int i = 0; i < op->last_var && n < max; i++) {
		zval *zv = ZEND_CALL_VAR_NUM(ex, i);
		if (Z_REFCOUNTED_P(zv)) {
			out[n].ptr = Z_COUNTED_P(zv);
			out[n++].name = var_name(w, "$", ZSTR_VAL(op->vars[i]), ZSTR_LEN(op->vars[i]));
		}
	}
	return n;
}

#define MAX_FRAME_VARS 256

static uint32_t suspended_vars(walk *w, zend_object *obj, frame_var *vars)
{
	uint32_t n = 0;
	if (obj->ce == zend_ce_generator) {
		zend_generator *gen = (zend_generator *)obj;
		if (gen->execute_data && !(gen->flags & ZEND_GENERATOR_CURRENTLY_RUNNING)) {
			n = collect_frame_vars(w, gen->execute_data, vars, MAX_FRAME_VARS, 0);
		}
	} else if (obj->ce == zend_ce_fiber) {
		zend_fiber *fib = (zend_fiber *)obj;
		if (fib->context.status == ZEND_FIBER_STATUS_SUSPENDED) {
			for (zend_execute_data *ex = fib->execute_data; ex; ex = ex->prev_execute_data) {
				n = collect_frame_vars(w, ex, vars, MAX_FRAME_VARS, n);
				if (ex == fib->stack_bottom) {
					break;
				}
			}
		}
	}
	return n;
}

/* A plain object: its declared properties by name, then its dynamic ones
 * (whose table, once built, covers the declared ones too). */
static void std_object_edges(walk *w, zend_object *obj)
{
	zend_class_entry *ce = obj->ce;
	if (obj->properties) {
		zend_string *key;
		zval *zv;
		zend_ulong h;
		ZEND_HASH_FOREACH_KEY_VAL(obj->properties, h, key, zv) {
			if (Z_TYPE_P(zv) == IS_INDIRECT && Z_TYPE_P(Z_INDIRECT_P(zv)) == IS_UNDEF) {
				continue;
			}
			if (key) {
				edge_to(w, zv, MP_HE_PROP, prop_name(w, key, ce));
			} else {
				edge_to(w, zv, MP_HE_INDEX, (uint32_t)h);
			}
		} ZEND_HASH_FOREACH_END();
		return;
	}
	for (int i = 0; i < ce->default_properties_count; i++) {
		zval *zv = &obj->properties_table[i];
		if (Z_TYPE_P(zv) == IS_UNDEF) {
			continue;
		}
		zend_property_info *pi = ce->properties_info_table ? ce->properties_info_table[i] : NULL;
		if (pi) {
			edge_to(w, zv, MP_HE_PROP, prop_name(w, pi->name, ce));
		} else {
			edge_to(w, zv, MP_HE_INTERNAL, (uint32_t)i);
		}
	}
}

/* Any other object: what its get_gc handler reports, named where we can. */
static void gc_object_edges(walk *w, zend_object *obj)
{
	mp_hgraph *g = w->g;
	zval *table = NULL;
	int n = 0;
	HashTable *ht = obj->handlers->get_gc(obj, &table, &n);
	bool closure = obj->ce == zend_ce_closure;
	frame_var vars[MAX_FRAME_VARS];
	uint32_t nvars = suspended_vars(w, obj, vars);
	/* the table may be the shared GC buffer: consumed before anything else
	 * could call a get_gc handler */
	for (int i = 0; i < n; i++) {
		zval *zv = &table[i];
		uint32_t to = value_node(w, zv);
		if (to == NONE) {
			continue;
		}
		mp_hedge_kind kind = MP_HE_INTERNAL;
		uint32_t name = (uint32_t)i;
		if (closure) {
			kind = MP_HE_VAR;
			name = mp_hgraph_cname(g, "$this");
		}
		const void *p = Z_TYPE_P(zv) == IS_INDIRECT ? NULL : (Z_REFCOUNTED_P(zv) ? Z_COUNTED_P(zv) : NULL);
		for (uint32_t v = 0; p && v < nvars; v++) {
			if (vars[v].ptr == p) {
				kind = MP_HE_VAR;
				name = vars[v].name;
				break;
			}
		}
		mp_hgraph_edge(g, to, kind, name);
	}
	if (!ht || (GC_FLAGS(ht) & IS_ARRAY_IMMUTABLE)) {
		return;
	}
	if (ht == obj->properties) {
		table_edges(w, ht, NULL);
		return;
	}
	/* a table the object owns (a closure's bound variables, a frame's symbol table) */
	table_blocks(w, ht, false);
	table_edges(w, ht, closure ? "$" : NULL);
}

static void object_node(walk *w, uint32_t node)
{
	zend_object *obj = (zend_object *)w->g->ptrs[node];
	w->g->cur_node.handle = obj->handle;
	const zend_class_entry *ce = obj->ce;
	const zend_object_handlers *h = obj->handlers;
	/* SPL, Date and others embed the zend_object at the end of their struct */
	void *block = (char *)obj - h->offset;
	size_t guess = h->offset + sizeof(zend_object) + zend_object_properties_size((zend_class_entry *)ce);
	if (ce->create_object) {
		/* an internal struct of unknown size: the heap knows (0 under custom handlers) */
		size_t real = zend_mem_block_size(block);
		if (real > guess) {
			guess = real;
		}
	}
	mp_hgraph_block(w->g, block, guess, true);
	if (obj->properties && !(GC_FLAGS(obj->properties) & IS_ARRAY_IMMUTABLE)) {
		table_blocks(w, obj->properties, false);
	}
	if (ce == zend_ce_generator && ((zend_generator *)obj)->execute_data) {
		/* a generator's frame lives in a block of its own */
		void *frame = ((zend_generator *)obj)->execute_data;
		mp_hgraph_block(w->g, frame, zend_mem_block_size(frame), false);
	}
	if (OBJ_FLAGS(obj) & IS_OBJ_FREE_CALLED) {
		/* being freed: its contents are not to be read (the collector skips them too) */
		return;
	}
	if (h->get_gc == zend_std_get_gc && !mp_object_is_lazy(obj)) {
		std_object_edges(w, obj);
	} else {
		gc_object_edges(w, obj);
	}
}

/* ---- roots -------------------------------------------------------------- */

enum { R_GLOBALS, R_STACK, R_CLASS_STATICS, R_FUNCTION_STATICS, R_HANDLERS, R_UNREACHED, R_COUNT };
static const char *const root_names[R_COUNT] = {
	"(globals)", "(stack)", "(class statics)", "(function statics)", "(handlers)", "(unreached)"
};

static void stack_edges(walk *w)
{
	uint32_t depth = 0;
	for (zend_execute_data *ex = EG(current_execute_data); ex; ex = ex->prev_execute_data) {
		if (!ex->func) {
			continue;
		}
		uint32_t n = mp_hgraph_add(w->g, MP_HK_FRAME, ex, frame_label(w, ex));
		mp_hgraph_edge(w->g, n, MP_HE_INTERNAL, depth++);
	}
}

static void statics_of(walk *w, const zend_op_array *op, const zend_class_entry *scope)
{
	if (!op->static_variables) {
		return;
	}
	HashTable *ht = ZEND_MAP_PTR_GET(op->static_variables_ptr);
	if (!ht) {
		return;
	}
	char prefix[512];
	snprintf(prefix, sizeof(prefix), "%s%s%s()::$", scope ? ZSTR_VAL(scope->name) : "", scope ? "::" : "",
		op->function_name ? ZSTR_VAL(op->function_name) : "");
	table_edges(w, ht, prefix);
}

/* Every class once: not its aliases, not the runtime keys of classes
 * declared conditionally. */
static bool class_key_is_own(const zend_string *key, const zend_class_entry *ce)
{
	return key && ZSTR_LEN(key) && ZSTR_VAL(key)[0] != '\0' && zend_string_equals_ci(key, ce->name);
}

static void class_static_edges(walk *w)
{
	zend_string *key;
	zend_class_entry *ce;
	ZEND_HASH_FOREACH_STR_KEY_PTR(EG(class_table), key, ce) {
		if (!class_key_is_own(key, ce)) {
			continue;
		}
		zval *table = ce->default_static_members_count ? CE_STATIC_MEMBERS(ce) : NULL;
		zend_property_info *pi;
		if (table) {
			ZEND_HASH_FOREACH_PTR(&ce->properties_info, pi) {
				/* inherited statics are the parent's: named once, there */
				if ((pi->flags & ZEND_ACC_STATIC) && pi->ce == ce) {
					zval *zv = &table[pi->offset];
					ZVAL_DEINDIRECT(zv);
					const char *cls, *prop;
					size_t len;
					zend_unmangle_property_name_ex(pi->name, &cls, &prop, &len);
					edge_to(w, zv, MP_HE_VAR, namef(w, "%s::$%.*s", ZSTR_VAL(ce->name), (int)len, prop));
				}
			} ZEND_HASH_FOREACH_END();
		}
		if (ce->type == ZEND_USER_CLASS) {
			zend_string *cname;
			zend_class_constant *c;
			ZEND_HASH_FOREACH_STR_KEY_PTR(CE_CONSTANTS_TABLE(ce), cname, c) {
				/* enum cases, once created */
				if (Z_TYPE(c->value) == IS_OBJECT && c->ce == ce) {
					edge_to(w, &c->value, MP_HE_VAR, namef(w, "%s::%s", ZSTR_VAL(ce->name), ZSTR_VAL(cname)));
				}
			} ZEND_HASH_FOREACH_END();
		}
	} ZEND_HASH_FOREACH_END();
}

static void function_static_edges(walk *w)
{
	zend_function *f;
	ZEND_HASH_FOREACH_PTR(EG(function_table), f) {
		if (f->type == ZEND_USER_FUNCTION) {
			statics_of(w, &f->op_array, NULL);
		}
	} ZEND_HASH_FOREACH_END();
	zend_string *key;
	zend_class_entry *ce;
	ZEND_HASH_FOREACH_STR_KEY_PTR(EG(class_table), key, ce) {
		if (ce->type != ZEND_USER_CLASS || !class_key_is_own(key, ce)) {
			continue;
		}
		ZEND_HASH_FOREACH_PTR(&ce->function_table, f) {
			/* an inherited method shares its parent's statics */
			if (f->type == ZEND_USER_FUNCTION && f->common.scope == ce) {
				statics_of(w, &f->op_array, ce);
			}
		} ZEND_HASH_FOREACH_END();
	} ZEND_HASH_FOREACH_END();
}

static void handler_stack_edges(walk *w, zend_stack *st, const char *what)
{
	int n = zend_stack_count(st);
	zval *base = n ? (zval *)zend_stack_base(st) : NULL;
	for (int i = 0; i < n; i++) {
		edge_to(w, &base[i], MP_HE_VAR, namef(w, "%s (replaced, %d)", what, i + 1));
	}
}

static void handler_edges(walk *w)
{
	edge_to(w, &EG(user_error_handler), MP_HE_VAR, mp_hgraph_cname(w->g, "set_error_handler()"));
	handler_stack_edges(w, &EG(user_error_handlers), "set_error_handler()");
	edge_to(w, &EG(user_exception_handler), MP_HE_VAR, mp_hgraph_cname(w->g, "set_exception_handler()"));
	handler_stack_edges(w, &EG(user_exception_handlers), "set_exception_handler()");
	if (EG(exception)) {
		zval e;
		ZVAL_OBJ(&e, EG(exception));
		edge_to(w, &e, MP_HE_VAR, mp_hgraph_cname(w->g, "(exception being thrown)"));
	}
}

/* Objects of the store that nothing walked so far reaches. */
static void unreached_edges(walk *w)
{
	zend_objects_store *st = &EG(objects_store);
	for (uint32_t i = 1; i < st->top; i++) {
		zend_object *obj = st->object_buckets[i];
		if (!IS_OBJ_VALID(obj)) {
			continue;
		}
		bool added;
		uint32_t n = mp_hgraph_node_of(w->g, MP_HK_OBJECT, obj, class_name(w, obj->ce), &added);
		if (added) {
			mp_hgraph_edge(w->g, n, MP_HE_INTERNAL, obj->handle);
			w->g->unreached_objects++;
		}
	}
}

/* ---- the walk ----------------------------------------------------------- */

static void expand(walk *w, uint32_t i, const uint32_t *roots)
{
	mp_hgraph *g = w->g;
	const void *ptr = g->ptrs[i];
	if (ptr && mp_hkind_of(g, i) >= MP_HK_OBJECT) {
		g->cur_node.refcount = GC_REFCOUNT((const zend_refcounted *)ptr);
	}
	switch (mp_hkind_of(g, i)) {
		case MP_HK_ROOT:
			if (i == roots[R_GLOBALS]) {
				table_edges(w, &EG(symbol_table), "$");
			} else if (i == roots[R_STACK]) {
				stack_edges(w);
			} else if (i == roots[R_CLASS_STATICS]) {
				class_static_edges(w);
			} else if (i == roots[R_FUNCTION_STATICS]) {
				function_static_edges(w);
			} else if (i == roots[R_HANDLERS]) {
				handler_edges(w);
			} else if (i == g->unreached) {
				unreached_edges(w);
			}
			break;
		case MP_HK_FRAME: {
			zend_execute_data *ex = (zend_execute_data *)ptr;
					/* temporaries of the innermost user frame only, and only when it
			 * is at the call that dumps (not at the memory limit) */
			bool exact = false;
			if (ZEND_USER_CODE(ex->func->type)) {
				exact = w->top_frame_exact;
				w->top_frame_exact = false;
			}
			frame_edges(w, ex, exact);
			break;
		}
		case MP_HK_OBJECT:
			object_node(w, i);
			break;
		case MP_HK_ARRAY:
			table_blocks(w, (HashTable *)ptr, true);
			table_edges(w, (HashTable *)ptr, NULL);
			break;
		case MP_HK_STRING:
			mp_hgraph_block(g, ptr, _ZSTR_STRUCT_SIZE(ZSTR_LEN((const zend_string *)ptr)), true);
			break;
		case MP_HK_REFERENCE: {
			mp_hgraph_block(g, ptr, sizeof(zend_reference), true);
			uint32_t to = value_node(w, &((zend_reference *)ptr)->val);
			g->cur_node.handle = to;
			if (to != NONE) {
				mp_hgraph_edge(g, to, MP_HE_INTERNAL, 0);
			}
			break;
		}
	}
	mp_hgraph_done(g);
}

int mp_heap_walk(mp_hgraph *g, bool top_frame_exact)
{
	walk *w = calloc(1, sizeof(walk));
	if (!w) {
		return FAILURE;
	}
	w->g = g;
	w->top_frame_exact = top_frame_exact;
	w->array_name = mp_hgraph_cname(g, "array");
	w->string_name = mp_hgraph_cname(g, "string");
	w->ref_name = mp_hgraph_cname(g, "reference");

	/* "(roots)" first, then its categories. "(unreached)" is made last, once
	 * everything else is walked, and its edge from "(roots)" pointed at it
	 * then: edges are written in node order. */
	uint32_t roots[R_COUNT];
	uint32_t top = mp_hgraph_add(g, MP_HK_ROOT, NULL, mp_hgraph_cname(g, "(roots)"));
	for (int r = 0; r < R_UNREACHED; r++) {
		roots[r] = mp_hgraph_add(g, MP_HK_ROOT, NULL, mp_hgraph_cname(g, root_names[r]));
		mp_hgraph_edge(g, roots[r], MP_HE_INTERNAL, (uint32_t)r);
	}
	uint64_t unreached_edge = R_UNREACHED;
	mp_hgraph_edge(g, top, MP_HE_INTERNAL, R_UNREACHED);
	mp_hgraph_done(g);
	uint32_t i = top + 1;
	for (; i < g->nnodes && !g->oom; i++) {
		expand(w, i, roots);
	}
	if (!g->oom) {
		g->unreached = mp_hgraph_add(g, MP_HK_ROOT, NULL, mp_hgraph_cname(g, root_names[R_UNREACHED]));
		roots[R_UNREACHED] = g->unreached;
		mp_hgraph_retarget(g, unreached_edge, g->unreached);
	}
	for (; i < g->nnodes && !g->oom; i++) {
		expand(w, i, roots);
	}
	free(w);
	mp_hgraph_walked(g);
	return g->oom ? FAILURE : SUCCESS;
}
