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
static uint32_t resolve(const mp_hgraph *g, uint32_t t)
{
	const mp_hnode *n = &g->nodes[t];
	if (n->kind == MP_HK_REFERENCE && n->nedges) {
		return mp_hedge_to(&g->edges[n->first_edge]);
	}
	return t;
}

static bool is_item(const mp_hnode *n)
{
	return n->kind == MP_HK_OBJECT || n->kind == MP_HK_ARRAY || n->kind == MP_HK_STRING;
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
	const char *name = mp_hgraph_str(g, g->nodes[holder].name, &len);
	if (g->nodes[holder].kind == MP_HK_FRAME) {
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
	mp_writes(w, ",\"#site\":[");
	for (uint32_t k = site; k != MP_NO_SITE; k = s->site[k].parent) {
		const mp_hsite *st = &s->site[k];
		size_t fl, ff;
		const char *fn = mp_hgraph_str(g, st->fn, &fl);
		const char *file = mp_hgraph_str(g, st->file, &ff);
		char buf[1024];
		int n = snprintf(buf, sizeof(buf), "%.*s %.*s:%u", (int)fl, fn, (int)ff, file, st->line);
		if (k != site) {
			mp_write(w, ",", 1);
		}
		mp_json_str(w, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	}
	mp_write(w, "]", 1);
}

void mp_heap_write_meminfo(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	uint32_t n = g->nnodes;
	/* the first root edge to each value: its symbol name and frame */
	uint32_t *root_edge = calloc(n ? n : 1, sizeof(uint32_t));
	uint32_t *root_holder = calloc(n ? n : 1, sizeof(uint32_t));
	if (!root_edge || !root_holder) {
		free(root_edge);
		free(root_holder);
		w->failed = true;
		return;
	}
	for (uint32_t h = 0; h < n; h++) {
		const mp_hnode *nd = &g->nodes[h];
		if ((nd->kind != MP_HK_ROOT && nd->kind != MP_HK_FRAME) || h == 0) {
			continue;
		}
		for (uint32_t j = 0; j < nd->nedges; j++) {
			uint32_t t = resolve(g, mp_hedge_to(&g->edges[nd->first_edge + j]));
			if (is_item(&g->nodes[t]) && !root_edge[t]) {
				root_edge[t] = nd->first_edge + j + 1;
				root_holder[t] = h;
			}
		}
	}
	mp_writef(w, "{\"header\":{\"memory_usage\":%" PRIu64 ",\"memory_usage_real\":%" PRIu64
		",\"peak_memory_usage\":%" PRIu64 ",\"peak_memory_usage_real\":%" PRIu64 "},\n\"items\":{",
		g->meta.memory_usage, g->meta.memory_usage_real, g->meta.peak_memory_usage, g->meta.peak_memory_usage_real);
	bool first = true;
	for (uint32_t i = 0; i < n && !w->failed; i++) {
		const mp_hnode *nd = &g->nodes[i];
		if (!is_item(nd)) {
			continue;
		}
		mp_writes(w, first ? "\n" : ",\n");
		first = false;
		write_id(w, i);
		mp_writef(w, ":{\"type\":\"%s\",\"size\":\"%" PRIu64 "\",\"is_root\":%s", mp_hkind_names[nd->kind],
			nd->size, root_edge[i] ? "true" : "false");
		if (root_edge[i]) {
			const mp_hedge *e = &g->edges[root_edge[i] - 1];
			mp_writes(w, ",\"symbol_name\":");
			write_edge_name(w, g, e);
			mp_writes(w, ",\"frame\":");
			const char *frame = root_frame(g, root_holder[i]);
			if (frame) {
				mp_json_str(w, frame, strlen(frame));
			} else {
				write_name(w, g, g->nodes[root_holder[i]].name);
			}
		}
		if (nd->kind == MP_HK_OBJECT) {
			mp_writes(w, ",\"class\":");
			write_name(w, g, nd->name);
			mp_writef(w, ",\"object_handle\":\"%u\"", nd->handle);
		}
		if (nd->kind != MP_HK_STRING) {
			mp_writes(w, ",\"children\":{");
			bool firstc = true;
			for (uint32_t j = 0; j < nd->nedges; j++) {
				const mp_hedge *e = &g->edges[nd->first_edge + j];
				uint32_t t = resolve(g, mp_hedge_to(e));
				if (!is_item(&g->nodes[t])) {
					continue;
				}
				if (!firstc) {
					mp_write(w, ",", 1);
				}
				firstc = false;
				write_edge_name(w, g, e);
				mp_write(w, ":", 1);
				write_id(w, t);
			}
			mp_write(w, "}", 1);
		}
		uint32_t site = mp_hsite_of(s, nd);
		if (site != MP_NO_SITE) {
			write_site(w, g, s, site);
		}
		mp_write(w, "}", 1);
	}
	mp_writes(w, "\n}}\n");
	free(root_edge);
	free(root_holder);
}
