/* memprof: the read-only view exporters walk: child lists, own and inclusive
 * counters per node, and names. Built once per export; names are only ever
 * resolved here, never on the allocation or call paths. */
#include "export.h"
#include "sampler.h"
#include "native.h"
#include "got_patch.h"
#include "native_side.h"

bool mp_counters_zero(const uint64_t c[MP_NCOUNTERS])
{
	for (int i = 0; i < MP_NCOUNTERS; i++) {
		if (c[i]) {
			return false;
		}
	}
	return true;
}

static int find_shared_basenames(mp_view *v);

int mp_view_build(mp_view *v)
{
	mp_graph_flush_calls();
	mp_native_export_sync(); /* may add [thread] and [startup] nodes */
	uint32_t n = mp_g.nnodes;
	v->nnodes = n;
	v->nfuncs = mp_g.nfuncs;
	v->label_path = NULL;
	v->sample_rate = mp_tracker_sampled() ? mp_smp.rate : 0;
	v->self = calloc(n, sizeof(*v->self));
	v->incl = calloc(n, sizeof(*v->incl));
	bool native = mp_native_active();
	v->nself = native ? calloc(n, sizeof(*v->nself)) : NULL;
	v->nincl = native ? calloc(n, sizeof(*v->nincl)) : NULL;
	if (!v->self || !v->incl || (native && (!v->nself || !v->nincl))) {
		mp_view_free(v);
		return FAILURE;
	}
	for (uint32_t i = 0; i < n; i++) {
		mp_g.nodes[i].first_child = MP_NO_NODE;
		mp_g.nodes[i].next_sibling = MP_NO_NODE;
	}
	for (uint32_t i = 0; i < n; i++) {
		const mp_node *nd = &mp_g.nodes[i];
		if (nd->line == MP_CALL_LINE) {
			continue;
		}
		uint64_t *s = v->self[i];
		s[MP_INUSE_BYTES] = nd->inuse_bytes;
		s[MP_INUSE_BLOCKS] = nd->inuse_blocks;
		s[MP_ALLOC_BYTES] = nd->alloc_bytes;
		s[MP_ALLOC_BLOCKS] = nd->alloc_blocks;
		s[MP_PEAK_BYTES] = mp_node_peak_bytes(nd);
		s[MP_PEAK_BLOCKS] = mp_node_peak_blocks(nd);
		s[MP_ALLOC_SAMPLES] = nd->alloc_samples;
		s[MP_INUSE_SAMPLES] = nd->inuse_samples;
	}
	for (uint32_t i = 0; native && i < n; i++) {
		/* native blocks live in the positions of "[native] <library>" frames */
		if (mp_g.nodes[i].line != MP_CALL_LINE && mp_g.funcs[mp_g.nodes[i].fn].kind == MP_FN_NATIVE) {
			memcpy(v->nself[i], v->self[i], sizeof(v->nself[i]));
		}
	}
	/* A child is always created after its parent, so one backward pass both
	 * links children (in creation order) and sums subtrees. */
	for (uint32_t i = n; i-- > 1;) {
		mp_node *nd = &mp_g.nodes[i];
		uint32_t p = nd->parent;
		nd->next_sibling = mp_g.nodes[p].first_child;
		mp_g.nodes[p].first_child = i;
		bool is_pos = nd->line != MP_CALL_LINE;
		for (int k = 0; k < MP_NCOUNTERS; k++) {
			if (is_pos) {
				/* a line's own cost; a call's is the sum of its lines */
				v->incl[i][k] += v->self[i][k];
				v->self[p][k] += v->self[i][k];
			}
			v->incl[p][k] += v->incl[i][k];
		}
	}
	for (uint32_t i = n; native && i-- > 1;) {
		/* the same sums for the native part, in a pass of their own */
		uint32_t p = mp_g.nodes[i].parent;
		bool is_pos = mp_g.nodes[i].line != MP_CALL_LINE;
		for (int k = 0; k < MP_NCOUNTERS; k++) {
			if (is_pos) {
				v->nincl[i][k] += v->nself[i][k];
				v->nself[p][k] += v->nself[i][k];
			}
			v->nincl[p][k] += v->nincl[i][k];
		}
	}
	v->root_pos = MP_NO_NODE;
	for (uint32_t c = mp_g.nodes[MP_ROOT].first_child; c != MP_NO_NODE; c = mp_g.nodes[c].next_sibling) {
		if (mp_g.nodes[c].line == 0) {
			v->root_pos = c;
		}
	}
	return find_shared_basenames(v);
}

static bool labels_by_file(const mp_func *f)
{
	return (f->kind == MP_FN_MAIN || f->kind == MP_FN_COMPILE) && f->file;
}

static const char *basename_of(const zend_string *file, size_t *len)
{
	const char *slash = zend_memrchr(ZSTR_VAL(file), '/', ZSTR_LEN(file));
	const char *b = slash ? slash + 1 : ZSTR_VAL(file);
	*len = ZSTR_LEN(file) - (size_t)(b - ZSTR_VAL(file));
	return b;
}

/* Which labels need the whole path (see mp_func_label). */
static int find_shared_basenames(mp_view *v)
{
	v->label_path = calloc(v->nfuncs ? v->nfuncs : 1, sizeof(bool));
	/* base name id -> the first function with that base name */
	uint32_t *first = malloc((v->nfuncs ? v->nfuncs : 1) * sizeof(uint32_t));
	mp_idmap names = {0};
	int rc = v->label_path && first ? SUCCESS : FAILURE;
	for (uint32_t i = 0; i < v->nfuncs && rc == SUCCESS; i++) {
		const mp_func *f = &mp_g.funcs[i];
		if (!labels_by_file(f)) {
			continue;
		}
		size_t len;
		const char *b = basename_of(f->file, &len);
		bool added;
		int64_t id = mp_idmap_id(&names, b, len, &added);
		if (id < 0) {
			rc = FAILURE;
		} else if (added) {
			first[id] = i;
		} else if (!zend_string_equals(mp_g.funcs[first[id]].file, f->file)) {
			v->label_path[i] = v->label_path[first[id]] = true;
		}
	}
	mp_idmap_free(&names);
	free(first);
	if (rc == FAILURE) {
		mp_view_free(v);
	}
	return rc;
}

void mp_view_free(mp_view *v)
{
	free(v->self);
	free(v->incl);
	free(v->nself);
	free(v->nincl);
	free(v->label_path);
	v->self = v->incl = v->nself = v->nincl = NULL;
	v->label_path = NULL;
}

/* A native frame's library, by base name. */
static void native_name(const mp_func *f, mp_buf *out)
{
	uint32_t obj = mp_func_native_id(f);
	const char *path = obj == MP_OBJ_UNKNOWN ? NULL : mp_got_object_get(obj)->path;
	const char *slash = path ? strrchr(path, '/') : NULL;
	mp_buf_appends(out, "[native] ");
	mp_buf_appends(out, path ? (slash ? slash + 1 : path) : "(unknown)");
}

void mp_func_name(const mp_func *f, mp_buf *out)
{
	switch (f->kind) {
		case MP_FN_NATIVE:
			native_name(f, out);
			return;
		case MP_FN_NATIVE_ROOT:
			mp_buf_appends(out, mp_func_native_id(f) == MP_SIDE_THREAD ? "[thread]" : "[startup]");
			return;
		case MP_FN_ROOT:
			/* memory allocated with no PHP code running: request start-up,
			 * other extensions, the engine's own tables */
			mp_buf_appends(out, "(engine)");
			return;
		case MP_FN_COMPILE:
			mp_buf_appends(out, "compile ");
			mp_buf_append(out, ZSTR_VAL(f->file), ZSTR_LEN(f->file));
			return;
		case MP_FN_MAIN:
			mp_buf_appends(out, "main ");
			if (f->file) {
				mp_buf_append(out, ZSTR_VAL(f->file), ZSTR_LEN(f->file));
			}
			return;
		default:
			if (f->scope) {
				mp_buf_append(out, ZSTR_VAL(f->scope), ZSTR_LEN(f->scope));
				mp_buf_appends(out, "::");
			}
			if (f->name && zend_string_starts_with_literal(f->name, "{closure:")) {
				/* PHP 8.4+ names closures {closure:file:line}; profiles read
				 * the same on every version, file and line are in the location */
				mp_buf_appends(out, "{closure}");
			} else if (f->name) {
				mp_buf_append(out, ZSTR_VAL(f->name), ZSTR_LEN(f->name));
			} else {
				mp_buf_appends(out, "{unknown}");
			}
	}
}

void mp_func_label(const mp_view *v, uint32_t fid, mp_buf *out)
{
	const mp_func *f = &mp_g.funcs[fid];
	if (!labels_by_file(f) || (fid < v->nfuncs && v->label_path[fid])) {
		mp_func_name(f, out);
		return;
	}
	size_t len;
	const char *b = basename_of(f->file, &len);
	mp_buf_appends(out, f->kind == MP_FN_MAIN ? "main " : "compile ");
	mp_buf_append(out, b, len);
}

const char *mp_func_file(const mp_func *f)
{
	if (f->file) {
		return ZSTR_VAL(f->file);
	}
	if (f->kind == MP_FN_NATIVE && mp_func_native_id(f) != MP_OBJ_UNKNOWN && mp_got_object_get(mp_func_native_id(f))->path) {
		return mp_got_object_get(mp_func_native_id(f))->path;
	}
	if (f->kind == MP_FN_NATIVE || f->kind == MP_FN_NATIVE_ROOT) {
		return "php:native";
	}
	return f->kind == MP_FN_ROOT ? "php:engine" : "php:internal";
}
