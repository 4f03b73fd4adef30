/* memprof: the heap snapshot's storage (see heap_graph.h): growable node and
 * edge arrays, the set that makes a value shared by several holders one
 * node, and the names. All on malloc. */
#include "heap_graph.h"
#include "block_map.h"

const char *const mp_hkind_names[MP_HK_COUNT] = {"root", "frame", "object", "array", "string", "reference"};

int mp_hgraph_init(mp_hgraph *g, bool sites)
{
	memset(g, 0, sizeof(*g));
	g->sites = sites;
	g->set_mask = 1023;
	g->set = calloc(g->set_mask + 1, sizeof(uint32_t));
	if (sites) {
		/* the tree does not grow during the walk: we are busy */
		g->nclaimed = mp_g.nnodes;
		g->claimed = calloc(g->nclaimed ? g->nclaimed : 1, sizeof(*g->claimed));
	}
	g->unreached = MP_HNODE_MAX + 1;
	mp_hgraph_cname(g, "");
	if (!g->set || (sites && !g->claimed) || g->names.keys.failed) {
		mp_hgraph_free(g);
		return FAILURE;
	}
	return SUCCESS;
}

void mp_hgraph_free(mp_hgraph *g)
{
	free(g->nodes);
	free(g->edges);
	free(g->set);
	free(g->claimed);
	mp_idmap_free(&g->names);
	memset(g, 0, sizeof(*g));
}

uint32_t mp_hgraph_name(mp_hgraph *g, const char *s, size_t len)
{
	bool added;
	int64_t id = mp_idmap_id(&g->names, s, len, &added);
	if (id < 0) {
		g->oom = true;
		return 0;
	}
	return (uint32_t)id;
}

const char *mp_hgraph_str(const mp_hgraph *g, uint32_t id, size_t *len)
{
	return mp_idmap_key(&g->names, id, len);
}

uint32_t mp_hgraph_add(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name)
{
	if (g->nnodes == g->cap_nodes) {
		uint32_t cap = g->cap_nodes ? g->cap_nodes + g->cap_nodes / 2 : 4096;
		if (cap > MP_HNODE_MAX) {
			cap = MP_HNODE_MAX;
		}
		mp_hnode *n = cap > g->cap_nodes ? realloc(g->nodes, (size_t)cap * sizeof(mp_hnode)) : NULL;
		if (!n) {
			g->oom = true;
			return MP_HNODE_MAX + 1;
		}
		g->nodes = n;
		g->cap_nodes = cap;
	}
	uint32_t i = g->nnodes++;
	g->nodes[i] = (mp_hnode){.ptr = ptr, .name = name, .site = MP_NO_SITE, .kind = (uint8_t)kind};
	return i;
}

static inline uint32_t ptr_home(const void *p, uint32_t mask)
{
	return (uint32_t)((((uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

static bool set_grow(mp_hgraph *g)
{
	uint32_t size = (g->set_mask + 1) * 2;
	uint32_t *s = calloc(size, sizeof(uint32_t));
	if (!s) {
		return false;
	}
	for (uint32_t j = 0; j <= g->set_mask; j++) {
		uint32_t v = g->set[j];
		if (v) {
			uint32_t i = ptr_home(g->nodes[v - 1].ptr, size - 1);
			while (s[i]) {
				i = (i + 1) & (size - 1);
			}
			s[i] = v;
		}
	}
	free(g->set);
	g->set = s;
	g->set_mask = size - 1;
	return true;
}

uint32_t mp_hgraph_node_of(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name, bool *added)
{
	*added = false;
	uint32_t i = ptr_home(ptr, g->set_mask);
	for (uint32_t v; (v = g->set[i]) != 0; i = (i + 1) & g->set_mask) {
		if (g->nodes[v - 1].ptr == ptr) {
			return v - 1;
		}
	}
	/* at most 3/4 full: short probes, and they always end */
	if ((uint64_t)(g->nnodes + 1) * 4 > (uint64_t)(g->set_mask + 1) * 3) {
		if (!set_grow(g)) {
			g->oom = true;
			return MP_HNODE_MAX + 1;
		}
		for (i = ptr_home(ptr, g->set_mask); g->set[i]; i = (i + 1) & g->set_mask) {
		}
	}
	uint32_t n = mp_hgraph_add(g, kind, ptr, name);
	if (n > MP_HNODE_MAX) {
		return n;
	}
	g->set[i] = n + 1;
	*added = true;
	return n;
}

void mp_hgraph_edge(mp_hgraph *g, uint32_t to, mp_hedge_kind kind, uint32_t name)
{
	if (to > MP_HNODE_MAX) {
		return;
	}
	if (g->nedges == g->cap_edges) {
		uint64_t cap = g->cap_edges ? g->cap_edges + g->cap_edges / 2 : 8192;
		mp_hedge *e = realloc(g->edges, cap * sizeof(mp_hedge));
		if (!e) {
			g->oom = true;
			return;
		}
		g->edges = e;
		g->cap_edges = cap;
	}
	g->edges[g->nedges++] = (mp_hedge){.to_kind = to | (uint32_t)kind << MP_HNODE_BITS, .name = name};
}

void mp_hgraph_block(mp_hgraph *g, uint32_t node, const void *addr, size_t fallback, bool main)
{
	mp_hnode *n = &g->nodes[node];
	uint32_t pos;
	size_t size;
	if (g->sites && mp_bm_lookup((uintptr_t)addr, &pos, &size)) {
		if (main) {
			n->site = pos;
		}
		if (pos < g->nclaimed) {
			g->claimed[pos][0] += size;
			g->claimed[pos][1]++;
		}
	} else {
		size = fallback;
	}
	n->size += size;
	g->bytes += size;
}
