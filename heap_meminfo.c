/* memprof: a heap snapshot in php-meminfo's JSON, so that its analyzer and
 * the scripts people wrote for it keep working: {"header": {...}, "items":
 * {"0x..": {type, size, is_root, symbol_name, frame, class, object_handle,
 * children}}}, sizes and handles as strings as meminfo writes them.
 *
 * What meminfo has no field for goes in fields it does not read: "#site"
 * (the allocation's call path, innermost frame first). References are not
 * items of meminfo's: an edge to one leads to its value. meminfo also lists
 * scalars as items; a snapshot has only what has a block of its own. */
#include "heap_graph.h"

/* An edge's target, through a reference to its value. */
typedef struct items {
	const mp_hgraph *g;
	uint32_t *ref_to;       /* per node: a reference's value's node, else the node itself */
	mp_hedge *root_edge;    /* per node: the first root edge to it ... */
	uint32_t *root_holder;  /* ... and its holder + 1, 0 if none */
} items;

static uint32_t resolve(const items *it, uint32_t t)
{
	return it->ref_to[t];
}

static bool is_item(const mp_hgraph *g, uint32_t t)
{
	if (t >= g->nnodes) {
		return false;
	}
	unsigned k = mp_hkind_of(g, t);
	return k == MP_HK_OBJECT || k == MP_HK_ARRAY || k == MP_HK_STRING;
}

static void write_id(mp_writer *w, uint32_t i)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "\"0x%x\"", i);
	mp_write(w, buf, (size_t)n);
}

static void write_name(mp_writer *w, const mp_hgraph *g, uint32_t id)
{
	size_t len;
	const char *s = mp_hgraph_str(g, id, &len);
	mp_json_str(w, s, len);
}

static void write_edge_name(mp_writer *w, const mp_hgraph *g, const mp_hedge *e)
{
	unsigned kind = mp_hedge_kind_of(e);
	if (kind == MP_HE_INDEX || kind == MP_HE_INTERNAL) {
		char buf[24];
		int n = snprintf(buf, sizeof(buf), kind == MP_HE_INDEX ? "\"%u\"" : "\"#%u\"", e->name);
		mp_write(w, buf, (size_t)n);
	} else {
		write_name(w, g, e->name);
	}
}

/* meminfo's frame names for the kinds of root */
static const char *root_frame(const mp_hgraph *g, uint32_t holder)
{
	static const char *const frames[][2] = {
		{"(globals)", "<GLOBAL>"}, {"(class statics)", "<CLASS_STATIC_MEMBER>"},
		{"(function statics)", "<STATIC_VARIABLE>"}, {"(handlers)", "<HANDLER>"},
	};
	size_t len;
	const char *name = mp_hgraph_str(g, mp_hname_of(g, holder), &len);
	if (mp_hkind_of(g, holder) == MP_HK_FRAME) {
		return NULL; /* the frame's own label */
	}
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		if (len == strlen(frames[i][0]) && !memcmp(name, frames[i][0], len)) {
			return frames[i][1];
		}
	}
	return "<UNREACHED>";
}

static void write_site(mp_writer *w, const mp_hgraph *g, const mp_hsites *s, uint32_t site)
{
	mp_buf frame = {0};
	mp_writes(w, ",\"#site\":[");
	for (uint32_t k = site; k != MP_NO_SITE; k = s->site[k].parent) {
		const mp_hsite *st = &s->site[k];
		size_t len;
		/* names are not NUL-terminated: no %s for them */
		mp_buf_reset(&frame);
		const char *str = mp_hgraph_str(g, st->fn, &len);
		mp_buf_append(&frame, str, len);
		mp_buf_appendc(&frame, ' ');
		str = mp_hgraph_str(g, st->file, &len);
		mp_buf_append(&frame, str, len);
		mp_buf_appendc(&frame, ':');
		mp_buf_append_u64(&frame, st->line);
		if (k != site) {
			mp_write(w, ",", 1);
		}
		mp_json_str(w, frame.p ? frame.p : "", frame.len);
	}
	mp_write(w, "]", 1);
	if (frame.failed) {
		w->failed = true;
	}
	mp_buf_free(&frame);
}

/* Where references lead, and the first root edge to each value (its
 * symbol name and frame): passes over the node records and edges. */
static bool prepare(items *it)
{
	const mp_hgraph *g = it->g;
	uint32_t n = g->nnodes;
	it->ref_to = malloc((n ? n : 1) * sizeof(uint32_t));
	it->root_edge = calloc(n ? n : 1, sizeof(mp_hedge));
	it->root_holder = calloc(n ? n : 1, sizeof(uint32_t));
	mp_hreader *nr = mp_hnodes_open(g);
	mp_hreader *er = mp_hedges_open(g);
	bool ok = it->ref_to && it->root_edge && it->root_holder && nr && er;
	mp_hnode nd;
	for (uint32_t i = 0; i < n && ok; i++) {
		ok = mp_hreader_next(nr, &nd);
		it->ref_to[i] = ok && mp_hkind_of(g, i) == MP_HK_REFERENCE ? nd.handle : i;
	}
	mp_hreader_close(nr);
	nr = ok ? mp_hnodes_open(g) : NULL;
	ok = ok && nr;
	for (uint32_t h = 0; h < n && ok; h++) {
		ok = mp_hreader_next(nr, &nd);
		bool holder = h != 0 && (mp_hkind_of(g, h) == MP_HK_ROOT || mp_hkind_of(g, h) == MP_HK_FRAME);
		for (uint32_t j = 0; ok && j < nd.nedges; j++) {
			mp_hedge e;
			ok = mp_hreader_next(er, &e);
			uint32_t t = ok ? mp_hedge_to(&e) : 0;
			t = t < n ? resolve(it, t) : t;
			if (ok && holder && is_item(g, t) && !it->root_holder[t]) {
				it->root_edge[t] = e;
				it->root_holder[t] = h + 1;
			}
		}
	}
	mp_hreader_close(nr);
	mp_hreader_close(er);
	return ok;
}

void mp_heap_write_meminfo(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	uint32_t n = g->nnodes;
	items it = {.g = g};
	mp_hreader *nr = NULL, *er = NULL;
	if (!prepare(&it) || !(nr = mp_hnodes_open(g)) || !(er = mp_hedges_open(g))) {
		w->failed = true;
		goto out;
	}
	mp_writef(w, "{\"header\":{\"memory_usage\":%" PRIu64 ",\"memory_usage_real\":%" PRIu64
		",\"peak_memory_usage\":%" PRIu64 ",\"peak_memory_usage_real\":%" PRIu64 "},\n\"items\":{",
		g->meta.memory_usage, g->meta.memory_usage_real, g->meta.peak_memory_usage, g->meta.peak_memory_usage_real);
	bool first = true;
	for (uint32_t i = 0; i < n && !w->failed; i++) {
		mp_hnode nd;
		if (!mp_hreader_next(nr, &nd)) {
			w->failed = true;
			break;
		}
		bool item = is_item(g, i);
		if (item) {
			mp_writes(w, first ? "\n" : ",\n");
			first = false;
			write_id(w, i);
			mp_writef(w, ":{\"type\":\"%s\",\"size\":\"%" PRIu64 "\",\"is_root\":%s", mp_hkind_names[mp_hkind_of(g, i)],
				mp_hnode_size(g, i, &nd), it.root_holder[i] ? "true" : "false");
			if (it.root_holder[i]) {
				mp_writes(w, ",\"symbol_name\":");
				write_edge_name(w, g, &it.root_edge[i]);
				mp_writes(w, ",\"frame\":");
				const char *frame = root_frame(g, it.root_holder[i] - 1);
				if (frame) {
					mp_json_str(w, frame, strlen(frame));
				} else {
					write_name(w, g, mp_hname_of(g, it.root_holder[i] - 1));
				}
			}
			if (mp_hkind_of(g, i) == MP_HK_OBJECT) {
				mp_writes(w, ",\"class\":");
				write_name(w, g, mp_hname_of(g, i));
				mp_writef(w, ",\"object_handle\":\"%u\"", nd.handle);
			}
			if (mp_hkind_of(g, i) != MP_HK_STRING) {
				mp_writes(w, ",\"children\":{");
			}
		}
		bool firstc = true;
		for (uint32_t j = 0; j < nd.nedges; j++) {
			mp_hedge e;
			if (!mp_hreader_next(er, &e)) {
				w->failed = true;
				break;
			}
			uint32_t t = mp_hedge_to(&e);
			t = t < n ? resolve(&it, t) : t;
			if (!item || !is_item(g, t)) {
				continue;
			}
			if (!firstc) {
				mp_write(w, ",", 1);
			}
			firstc = false;
			write_edge_name(w, g, &e);
			mp_write(w, ":", 1);
			write_id(w, t);
		}
		if (!item) {
			continue;
		}
		if (mp_hkind_of(g, i) != MP_HK_STRING) {
			mp_write(w, "}", 1);
		}
		uint32_t site = mp_hsite_of(s, &nd);
		if (site != MP_NO_SITE) {
			write_site(w, g, s, site);
		}
		mp_write(w, "}", 1);
	}
	mp_writes(w, "\n}}\n");
out:
	mp_hreader_close(nr);
	mp_hreader_close(er);
	free(it.ref_to);
	free(it.root_edge);
	free(it.root_holder);
}
