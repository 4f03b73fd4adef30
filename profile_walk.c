/* memprof: the read-only view exporters walk: child lists, own and inclusive
 * counters per node, and names. Built once per export; names are only ever
 * resolved here, never on the allocation or call paths. */
#include "export.h"

bool mp_counters_zero(const uint64_t c[MP_NCOUNTERS])
{
	for (int i = 0; i < MP_NCOUNTERS; i++) {
		if (c[i]) {
			return false;
		}
	}
	return true;
}

int mp_view_build(mp_view *v)
{
	mp_graph_flush_calls();
	uint32_t n = mp_g.nnodes;
	v->nnodes = n;
	v->nfuncs = mp_g.nfuncs;
	v->self = calloc(n, sizeof(*v->self));
	v->incl = calloc(n, sizeof(*v->incl));
	if (!v->self || !v->incl) {
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
	v->root_pos = MP_NO_NODE;
	for (uint32_t c = mp_g.nodes[MP_ROOT].first_child; c != MP_NO_NODE; c = mp_g.nodes[c].next_sibling) {
		if (mp_g.nodes[c].line == 0) {
			v->root_pos = c;
		}
	}
	return SUCCESS;
}

void mp_view_free(mp_view *v)
{
	free(v->self);
	free(v->incl);
	v->self = v->incl = NULL;
}

void mp_func_name(const mp_func *f, mp_buf *out)
{
	switch (f->kind) {
		case MP_FN_ROOT:
			mp_buf_appends(out, "root");
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
			if (f->name) {
				mp_buf_append(out, ZSTR_VAL(f->name), ZSTR_LEN(f->name));
			} else {
				mp_buf_appends(out, "{unknown}");
			}
	}
}

const char *mp_func_file(const mp_func *f)
{
	if (f->file) {
		return ZSTR_VAL(f->file);
	}
	return "php:internal";
}
