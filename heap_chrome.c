/* memprof: a heap snapshot in Chrome DevTools' format (.heapsnapshot), which
 * DevTools' Memory panel and memlab load: they compute retainers, dominators
 * and retained sizes themselves. Class names are node names; the allocation
 * site of each node is its allocation stack (trace_node_id into trace_tree,
 * whose function infos are our sites: function, file, line).
 *
 * Node i has id 2i+1. */
#include "heap_graph.h"

enum { T_HIDDEN = 0, T_STRING = 2, T_OBJECT = 3, T_CLOSURE = 5, T_SYNTHETIC = 9 };
enum { E_CONTEXT = 0, E_ELEMENT = 1, E_PROPERTY = 2, E_HIDDEN = 4 };
#define NODE_FIELDS 7

static const char META[] =
	"{\"snapshot\":{\"meta\":{"
	"\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],"
	"\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\",\"number\","
	"\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\",\"bigint\",\"object shape\"],"
	"\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],"
	"\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
	"\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],"
	"\"string_or_number\",\"node\"],"
	"\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],"
	"\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
	"\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
	"\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},";

static unsigned node_type(const mp_hgraph *g, uint32_t i)
{
	switch (mp_hkind_of(g, i)) {
		case MP_HK_OBJECT: {
			size_t len;
			const char *name = mp_hgraph_str(g, mp_hname_of(g, i), &len);
			return len == 7 && !memcmp(name, "Closure", 7) ? T_CLOSURE : T_OBJECT;
		}
		case MP_HK_ARRAY: return T_OBJECT;
		case MP_HK_STRING: return T_STRING;
		case MP_HK_REFERENCE: return T_HIDDEN;
		default: return T_SYNTHETIC;
	}
}

/* Odd, as V8's heap object ids; readers keep them in 32 bits. */
static uint64_t node_id(uint32_t i)
{
	return (uint64_t)i * 2 + 1;
}

static void nums(mp_writer *w, const uint64_t *v, int n, bool comma)
{
	for (int i = 0; i < n; i++) {
		if (comma || i) {
			mp_write(w, ",", 1);
		}
		mp_json_u64(w, v[i]);
	}
}

static void write_trace_tree(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	uint32_t S = s->count;
	uint64_t (*stat)[2] = calloc(S + 1, sizeof(*stat));
	uint32_t *first = malloc((S + 1) * sizeof(uint32_t));
	uint32_t *next = malloc((S + 1) * sizeof(uint32_t));
	uint32_t *stack = malloc((S + 2) * sizeof(uint32_t));
	if (!stat || !first || !next || !stack) {
		w->failed = true;
		goto out;
	}
	mp_hreader *r = mp_hnodes_open(g);
	mp_hnode nd;
	for (uint32_t i = 0; r && mp_hreader_next(r, &nd); i++) {
		uint32_t k = mp_hsite_of(s, &nd);
		if (k != MP_NO_SITE) {
			stat[k][0]++;
			stat[k][1] += mp_hnode_size(g, i, &nd);
		}
	}
	if (!r || r->failed) {
		w->failed = true;
	}
	mp_hreader_close(r);
	/* children lists; S stands for the root of the tree */
	for (uint32_t k = 0; k <= S; k++) {
		first[k] = next[k] = MP_NO_SITE;
	}
	for (uint32_t k = S; k-- > 0;) {
		uint32_t p = s->site[k].parent == MP_NO_SITE ? S : s->site[k].parent;
		next[k] = first[p];
		first[p] = k;
	}
	/* nested arrays, without recursion: call paths can be 10 000 frames deep */
	uint32_t depth = 0;
	stack[depth++] = S;
	mp_writef(w, "[%u,%u,0,0,[", S + 1, S);
	uint32_t cur = first[S];
	while (depth) {
		if (cur != MP_NO_SITE) {
			if (cur != first[stack[depth - 1]]) {
				mp_write(w, ",", 1);
			}
			uint64_t v[4] = {cur + 1, cur, stat[cur][0], stat[cur][1]};
			mp_write(w, "[", 1);
			nums(w, v, 4, false);
			mp_write(w, ",[", 2);
			stack[depth++] = cur;
			cur = first[cur];
		} else {
			mp_write(w, "]]", 2);
			cur = next[stack[--depth]];
			if (depth == 0) {
				break;
			}
		}
	}
out:
	free(stat);
	free(first);
	free(next);
	free(stack);
}

void mp_heap_write_chrome(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	uint32_t n = g->nnodes;
	mp_writes(w, META);
	mp_writef(w, "\"node_count\":%u,\"edge_count\":%" PRIu64 ",\"trace_function_count\":%u},\n\"nodes\":[",
		n, g->edges.count, s->count + 1);
	mp_hreader *nr = mp_hnodes_open(g);
	mp_hnode nd;
	for (uint32_t i = 0; i < n && !w->failed; i++) {
		if (!nr || !mp_hreader_next(nr, &nd)) {
			w->failed = true;
			break;
		}
		uint32_t site = mp_hsite_of(s, &nd);
		uint64_t v[NODE_FIELDS] = {node_type(g, i), mp_hname_of(g, i), node_id(i), mp_hnode_size(g, i, &nd),
			nd.nedges, site == MP_NO_SITE ? 0 : site + 1, 0};
		nums(w, v, NODE_FIELDS, i > 0);
		mp_write(w, "\n", 1);
	}
	mp_hreader_close(nr);
	mp_writes(w, "],\n\"edges\":[");
	/* the edges in node order, each node's count from its record */
	nr = mp_hnodes_open(g);
	mp_hreader *er = mp_hedges_open(g);
	bool firste = true;
	for (uint32_t i = 0; i < n && !w->failed; i++) {
		if (!nr || !er || !mp_hreader_next(nr, &nd)) {
			w->failed = true;
			break;
		}
		for (uint32_t j = 0; j < nd.nedges; j++) {
			mp_hedge e;
			if (!mp_hreader_next(er, &e)) {
				w->failed = true;
				break;
			}
			unsigned type;
			switch (mp_hedge_kind_of(&e)) {
				case MP_HE_VAR: type = E_CONTEXT; break;
				case MP_HE_PROP: case MP_HE_KEY: type = E_PROPERTY; break;
				case MP_HE_INDEX: type = E_ELEMENT; break;
				default: type = mp_hkind_of(g, i) == MP_HK_REFERENCE ? E_HIDDEN : E_ELEMENT; break;
			}
			uint64_t v[3] = {type, e.name, (uint64_t)mp_hedge_to(&e) * NODE_FIELDS};
			nums(w, v, 3, !firste);
			firste = false;
		}
		if (nd.nedges) {
			mp_write(w, "\n", 1);
		}
	}
	mp_hreader_close(nr);
	mp_hreader_close(er);
	mp_writes(w, "],\n\"trace_function_infos\":[");
	for (uint32_t k = 0; k < s->count; k++) {
		uint64_t v[6] = {k + 1, s->site[k].fn, s->site[k].file, 0, s->site[k].line, 0};
		nums(w, v, 6, k > 0);
	}
	/* the trace tree's root */
	uint64_t root[6] = {0, mp_hname_of(g, 0), 0, 0, 0, 0};
	nums(w, root, 6, s->count > 0);
	mp_writes(w, "],\n\"trace_tree\":");
	write_trace_tree(g, s, w);
	mp_writes(w, ",\n\"samples\":[],\n\"locations\":[],\n\"strings\":[");
	for (uint32_t i = 0; i < g->names.count && !w->failed; i++) {
		size_t len;
		const char *str = mp_hgraph_str(g, i, &len);
		if (i) {
			mp_write(w, ",\n", 2);
		}
		mp_json_str(w, str, len);
	}
	mp_writes(w, "]}\n");
}
