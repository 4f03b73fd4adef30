/* memprof: pprof output, gzip-compressed profile.proto, encoded by hand (the
 * wire format needs only varints and length-delimited fields).
 *
 * Sample types follow the Go heap profile convention so `go tool pprof`
 * picks in-use bytes by default; peak values come after. One location per
 * distinct (function, line); one sample per call path with any cost. */
#include <errno.h>
#include <sys/time.h>
#include "export.h"
#include "labels.h"

typedef struct {
	unsigned char *p;
	size_t len, cap;
	bool failed;
} pb_buf;

static void pb_reserve(pb_buf *b, size_t more)
{
	if (b->failed || b->len + more <= b->cap) {
		return;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more) {
		cap *= 2;
	}
	unsigned char *np = realloc(b->p, cap);
	if (!np) {
		b->failed = true;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void pb_varint(pb_buf *b, uint64_t v)
{
	pb_reserve(b, 10);
	if (b->failed) {
		return;
	}
	while (v >= 0x80) {
		b->p[b->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b->p[b->len++] = (unsigned char)v;
}

static void pb_bytes(pb_buf *b, const void *data, size_t len)
{
	pb_reserve(b, len);
	if (!b->failed) {
		memcpy(b->p + b->len, data, len);
		b->len += len;
	}
}

/* field number + wire type 0 (varint) */
static void pb_uint(pb_buf *b, uint32_t field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

/* field number + wire type 2 (length-delimited) */
static void pb_submsg(pb_buf *b, uint32_t field, const pb_buf *msg)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, msg->len);
	pb_bytes(b, msg->p, msg->len);
	if (msg->failed) {
		b->failed = true;
	}
}

/* ---- string table ---- */
typedef struct {
	mp_idmap index;    /* string -> id */
	pb_buf out;        /* the encoded string_table fields */
} pb_strings;

static uint64_t str_id(pb_strings *st, const char *s, size_t len)
{
	bool added;
	int64_t id = mp_idmap_id(&st->index, s, len, &added);
	if (id < 0) {
		st->out.failed = true;
		return 0;
	}
	if (added) {
		pb_varint(&st->out, 6 << 3 | 2);
		pb_varint(&st->out, len);
		pb_bytes(&st->out, s, len);
	}
	return (uint64_t)id;
}

static uint64_t cstr_id(pb_strings *st, const char *s)
{
	return str_id(st, s, strlen(s));
}

static void value_type(pb_buf *out, uint32_t field, pb_strings *st, const char *type, const char *unit)
{
	pb_buf m = {0};
	pb_uint(&m, 1, cstr_id(st, type));
	pb_uint(&m, 2, cstr_id(st, unit));
	pb_submsg(out, field, &m);
	free(m.p);
}

/* The labels of this profile (labels.h), encoded once as the Label fields
 * every sample carries. */
typedef struct {
	pb_buf *out;
	pb_strings *st;
} label_ctx;

static void add_label(void *ctx, const char *key, size_t key_len, const char *val, size_t val_len)
{
	label_ctx *lc = ctx;
	pb_buf m = {0};
	pb_uint(&m, 1, str_id(lc->st, key, key_len));
	pb_uint(&m, 2, str_id(lc->st, val, val_len));
	pb_submsg(lc->out, 3, &m);
	free(m.p);
}

void mp_export_pprof(const mp_view *v, mp_writer *w)
{
	pb_buf out = {0}, msg = {0}, packed = {0}, labels = {0};
	pb_strings st;
	memset(&st, 0, sizeof(st));
	mp_buf name = {0}, file = {0};
	cstr_id(&st, ""); /* string 0 must be empty */

	static const char *const types[][2] = {
		{"alloc_objects", "count"}, {"alloc_space", "bytes"},
		{"inuse_objects", "count"}, {"inuse_space", "bytes"},
		{"peak_objects", "count"}, {"peak_space", "bytes"},
	};
	/* our counter index for each sample type above */
	static const int order[] = {MP_ALLOC_BLOCKS, MP_ALLOC_BYTES, MP_INUSE_BLOCKS,
	                            MP_INUSE_BYTES, MP_PEAK_BLOCKS, MP_PEAK_BYTES};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		value_type(&out, 1, &st, types[i][0], types[i][1]);
	}
	/* native profiles: the native part of each, after the totals */
	static const char *const native_types[][2] = {
		{"native_alloc_objects", "count"}, {"native_alloc_space", "bytes"},
		{"native_inuse_objects", "count"}, {"native_inuse_space", "bytes"},
		{"native_peak_objects", "count"}, {"native_peak_space", "bytes"},
	};
	for (size_t i = 0; v->nself && i < sizeof(native_types) / sizeof(native_types[0]); i++) {
		value_type(&out, 1, &st, native_types[i][0], native_types[i][1]);
	}

	/* locations: one per distinct (function, line); ids start at 1 */
	uint32_t *loc_of = calloc(v->nnodes, sizeof(uint32_t));
	bool *fn_used = calloc(v->nfuncs, sizeof(bool));
	mp_idmap locs = {0};
	if (!loc_of || !fn_used) {
		w->failed = true;
		w->err = ENOMEM;
		goto done;
	}
	for (uint32_t n = 0; n < v->nnodes; n++) {
		if (mp_is_call(n)) {
			continue;
		}
		uint32_t key[2] = {mp_g.nodes[n].fn, mp_g.nodes[n].line};
		bool added;
		int64_t id = mp_idmap_id(&locs, key, sizeof(key), &added);
		if (id < 0) {
			w->failed = true;
			w->err = ENOMEM;
			goto done;
		}
		loc_of[n] = (uint32_t)id + 1;
		if (!added) {
			continue;
		}
		fn_used[mp_g.nodes[n].fn] = true;

		pb_buf line = {0};
		pb_uint(&line, 1, (uint64_t)mp_g.nodes[n].fn + 1); /* function_id */
		pb_uint(&line, 2, mp_g.nodes[n].line);
		msg.len = 0;
		pb_uint(&msg, 1, loc_of[n]);    /* id */
		pb_uint(&msg, 2, 1);            /* mapping_id */
		pb_uint(&msg, 3, loc_of[n]);    /* address: unique, never symbolized */
		pb_submsg(&msg, 4, &line);
		free(line.p);
		pb_submsg(&out, 4, &msg);
	}

	mp_labels_each(add_label, &(label_ctx){&labels, &st});

	/* samples: the path of each line node with any cost, leaf first */
	for (uint32_t n = 0; n < v->nnodes && !out.failed; n++) {
		if (mp_is_call(n) || mp_counters_zero(v->self[n])) {
			continue;
		}
		packed.len = 0;
		for (uint32_t p = n; ; p = mp_g.nodes[mp_g.nodes[p].parent].parent) {
			if (p == v->root_pos && p != n) {
				break; /* the root only stands for itself */
			}
			pb_varint(&packed, loc_of[p]);
			if (mp_g.nodes[p].parent == MP_ROOT) {
				break;
			}
		}
		msg.len = 0;
		pb_submsg(&msg, 1, &packed); /* location_id, packed */
		packed.len = 0;
		for (int k = 0; k < 6; k++) {
			pb_varint(&packed, v->self[n][order[k]]);
		}
		for (int k = 0; v->nself && k < 6; k++) {
			pb_varint(&packed, v->nself[n][order[k]]);
		}
		pb_submsg(&msg, 2, &packed); /* value, packed */
		pb_bytes(&msg, labels.p, labels.len);
		pb_submsg(&out, 2, &msg);
	}

	/* one mapping that says symbols are already there */
	msg.len = 0;
	pb_uint(&msg, 1, 1);                       /* id */
	pb_uint(&msg, 5, cstr_id(&st, "php"));     /* filename */
	pb_uint(&msg, 7, 1);                       /* has_functions */
	pb_uint(&msg, 8, 1);                       /* has_filenames */
	pb_uint(&msg, 9, 1);                       /* has_line_numbers */
	pb_submsg(&out, 3, &msg);

	for (uint32_t f = 0; f < v->nfuncs; f++) {
		if (!fn_used[f]) {
			continue;
		}
		mp_buf_reset(&name);
		mp_func_label(v, f, &name);
		/* pprof's source view adds up everything at one (file, line): each
		 * internal function gets a file of its own, or they all merge at
		 * php:internal line 0 */
		mp_buf_reset(&file);
		mp_buf_appends(&file, mp_func_file(&mp_g.funcs[f]));
		if (mp_g.funcs[f].kind == MP_FN_INTERNAL) {
			mp_buf_appendc(&file, '/');
			mp_buf_append(&file, name.p, name.len);
		}
		if (name.failed || file.failed) {
			st.out.failed = true;
			break;
		}
		uint64_t name_id = str_id(&st, name.p, name.len);
		uint64_t file_id = str_id(&st, file.p, file.len);
		msg.len = 0;
		pb_uint(&msg, 1, (uint64_t)f + 1);                          /* id */
		pb_uint(&msg, 2, name_id);                                  /* name */
		pb_uint(&msg, 3, name_id);                                  /* system_name */
		pb_uint(&msg, 4, file_id);                                  /* filename */
		pb_uint(&msg, 5, mp_g.funcs[f].line_start);                 /* start_line */
		pb_submsg(&out, 5, &msg);
	}

	struct timeval tv;
	gettimeofday(&tv, NULL);
	pb_uint(&out, 9, (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000); /* time_nanos */
	value_type(&out, 11, &st, "space", "bytes");  /* period_type */
	/* sampled: values are already estimates; the period says how far apart
	 * the samples were, and a comment says so in words */
	pb_uint(&out, 12, v->sample_rate ? v->sample_rate : 1); /* period */
	if (v->sample_rate) {
		char c[96];
		int n = snprintf(c, sizeof(c), "memprof: sampled, sample_rate=%" PRIu64 " bytes; values are estimates", v->sample_rate);
		pb_uint(&out, 13, str_id(&st, c, (size_t)n));  /* comment */
	}
	pb_uint(&out, 14, cstr_id(&st, "inuse_space")); /* default_sample_type */

	if (out.failed || st.out.failed || msg.failed || packed.failed || labels.failed) {
		/* a pb_buf fails only when malloc does */
		w->failed = true;
		w->err = ENOMEM;
		goto done;
	}
	if (mp_writer_gzip(w, out.len + st.out.len)) {
		mp_write(w, out.p, out.len);
		mp_write(w, st.out.p, st.out.len);
	}

done:
	mp_idmap_free(&locs);
	mp_idmap_free(&st.index);
	mp_buf_free(&name);
	mp_buf_free(&file);
	free(loc_of);
	free(fn_used);
	free(out.p);
	free(msg.p);
	free(packed.p);
	free(labels.p);
	free(st.out.p);
}
