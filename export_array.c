/* memprof: memprof_dump_array(), the nested array shape of the original
 * memprof: one entry per function, lines of a function merged, callees keyed
 * by function name, plus our alloc_* and peak_* counters. */
#include "export.h"

static const char *const self_keys[MP_NVALUES] = {
	"memory_size", "blocks_count", "alloc_memory_size", "alloc_blocks_count",
	"peak_memory_size", "peak_blocks_count",
};
static const char *const incl_keys[MP_NVALUES] = {
	"memory_size_inclusive", "blocks_count_inclusive",
	"alloc_memory_size_inclusive", "alloc_blocks_count_inclusive",
	"peak_memory_size_inclusive", "peak_blocks_count_inclusive",
};
/* native profiles: the native part of each, after the totals */
static const char *const native_self_keys[MP_NVALUES] = {
	"native_memory_size", "native_blocks_count", "native_alloc_memory_size",
	"native_alloc_blocks_count", "native_peak_memory_size", "native_peak_blocks_count",
};
static const char *const native_incl_keys[MP_NVALUES] = {
	"native_memory_size_inclusive", "native_blocks_count_inclusive",
	"native_alloc_memory_size_inclusive", "native_alloc_blocks_count_inclusive",
	"native_peak_memory_size_inclusive", "native_peak_blocks_count_inclusive",
};

static void merge_frame(zval *dst, zval *src);

static void frame_array(const mp_view *v, uint32_t call, zval *out)
{
	zval callees;
	array_init(out);
	/* memprof's key order first, then ours */
	add_assoc_long(out, self_keys[0], (zend_long)v->self[call][0]);
	add_assoc_long(out, self_keys[1], (zend_long)v->self[call][1]);
	add_assoc_long(out, incl_keys[0], (zend_long)v->incl[call][0]);
	add_assoc_long(out, incl_keys[1], (zend_long)v->incl[call][1]);
	add_assoc_long(out, "calls", (zend_long)mp_g.nodes[call].calls);
	for (int k = 2; k < MP_NVALUES; k++) {
		add_assoc_long(out, self_keys[k], (zend_long)v->self[call][k]);
		add_assoc_long(out, incl_keys[k], (zend_long)v->incl[call][k]);
	}
	if (v->sample_rate) {
		/* the values are estimates: how many samples they stand on */
		add_assoc_long(out, "samples_count", (zend_long)v->self[call][MP_ALLOC_SAMPLES]);
		add_assoc_long(out, "samples_count_inclusive", (zend_long)v->incl[call][MP_ALLOC_SAMPLES]);
		add_assoc_long(out, "inuse_samples_count", (zend_long)v->self[call][MP_INUSE_SAMPLES]);
		add_assoc_long(out, "inuse_samples_count_inclusive", (zend_long)v->incl[call][MP_INUSE_SAMPLES]);
	}
	for (int k = 0; v->nself && k < MP_NVALUES; k++) {
		add_assoc_long(out, native_self_keys[k], (zend_long)v->nself[call][k]);
		add_assoc_long(out, native_incl_keys[k], (zend_long)v->nincl[call][k]);
	}
	array_init(&callees);
	for (uint32_t pos = mp_first_child(call); pos != MP_NO_NODE; pos = mp_next_sibling(pos)) {
		for (uint32_t c = mp_first_child(pos); c != MP_NO_NODE; c = mp_next_sibling(c)) {
			mp_buf name = {0};
			zval child;
			mp_func_name(mp_node_func(c), &name);
			frame_array(v, c, &child);
			zval *existing = zend_hash_str_find(Z_ARRVAL(callees), mp_buf_cstr(&name), name.len);
			if (existing) {
				merge_frame(existing, &child);
				zval_ptr_dtor(&child);
			} else {
				zend_hash_str_update(Z_ARRVAL(callees), mp_buf_cstr(&name), name.len, &child);
			}
			mp_buf_free(&name);
		}
	}
	add_assoc_zval(out, "called_functions", &callees);
}

/* Adds src's counters into dst and merges their callees by name. */
static void merge_frame(zval *dst, zval *src)
{
	zend_string *key;
	zval *sv;
	ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(src), key, sv) {
		zval *dv = zend_hash_find(Z_ARRVAL_P(dst), key);
		if (!dv) {
			continue;
		}
		if (Z_TYPE_P(sv) == IS_LONG && Z_TYPE_P(dv) == IS_LONG) {
			Z_LVAL_P(dv) += Z_LVAL_P(sv);
		} else if (Z_TYPE_P(sv) == IS_ARRAY && Z_TYPE_P(dv) == IS_ARRAY) {
			zend_string *ck;
			zval *cv;
			SEPARATE_ARRAY(dv);
			ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(sv), ck, cv) {
				zval *have = ck ? zend_hash_find(Z_ARRVAL_P(dv), ck) : NULL;
				if (have) {
					SEPARATE_ARRAY(have);
					merge_frame(have, cv);
				} else if (ck) {
					Z_TRY_ADDREF_P(cv);
					zend_hash_add_new(Z_ARRVAL_P(dv), ck, cv);
				}
			} ZEND_HASH_FOREACH_END();
		}
	} ZEND_HASH_FOREACH_END();
}

void mp_export_array(const mp_view *v, zval *out)
{
	frame_array(v, MP_ROOT, out);
	if (v->sample_rate) {
		add_assoc_long(out, "sample_rate", (zend_long)v->sample_rate);
	}
}
