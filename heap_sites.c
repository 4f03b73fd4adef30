/* memprof: the allocation sites of a heap snapshot: the call paths of the
 * position nodes its nodes were allocated at, as one table every format
 * writes (a site is a frame with its parent site), and per site the live
 * bytes no node accounts for ("unreached": what the walk could not see). */
#include "heap_graph.h"

/* A position node's caller position; none above file-level code (the
 * engine's root position stands for no PHP code at all). */
static uint32_t parent_pos(uint32_t pos)
{
	uint32_t call = mp_g.nodes[pos].parent;
	if (call == MP_ROOT) {
		return MP_NO_NODE;
	}
	uint32_t up = mp_g.nodes[call].parent;
	return mp_g.nodes[up].parent == MP_ROOT ? MP_NO_NODE : up;
}

static uint64_t unclaimed(const mp_hgraph *g, uint32_t pos, int k)
{
	const mp_node *n = &mp_g.nodes[pos];
	uint64_t live = k == 0 ? n->inuse_bytes : n->inuse_blocks;
	uint64_t seen = pos < g->nclaimed ? g->claimed[pos][k] : 0;
	return live > seen ? live - seen : 0;
}

static void mark(uint32_t *index, uint32_t pos)
{
	for (; pos != MP_NO_NODE && !index[pos]; pos = parent_pos(pos)) {
		index[pos] = 1;
	}
}

int mp_hsites_build(mp_hgraph *g, mp_hsites *s)
{
	memset(s, 0, sizeof(*s));
	if (!g->sites) {
		return SUCCESS;
	}
	uint32_t n = g->nclaimed;
	s->index = calloc(n ? n : 1, sizeof(uint32_t));
	if (!s->index) {
		return FAILURE;
	}
	mp_hreader *r = mp_hnodes_open(g);
	mp_hnode nd;
	while (r && mp_hreader_next(r, &nd)) {
		if (nd.site < n) {
			mark(s->index, nd.site);
		}
	}
	bool read_ok = r && !r->failed;
	mp_hreader_close(r);
	if (!read_ok) {
		mp_hsites_free(s);
		return FAILURE;
	}
	for (uint32_t p = 0; p < n; p++) {
		if (mp_g.nodes[p].line != MP_CALL_LINE && unclaimed(g, p, 0)) {
			mark(s->index, p);
		}
	}
	uint32_t count = 0;
	for (uint32_t p = 0; p < n; p++) {
		count += s->index[p] != 0;
	}
	s->site = calloc(count ? count : 1, sizeof(mp_hsite));
	if (!s->site) {
		mp_hsites_free(s);
		return FAILURE;
	}
	/* a node is created after its parent: in index order, parents come first */
	mp_buf name = {0};
	for (uint32_t p = 0; p < n; p++) {
		if (!s->index[p]) {
			continue;
		}
		uint32_t id = s->count++;
		s->index[p] = id + 1;
		mp_hsite *st = &s->site[id];
		const mp_func *f = &mp_g.funcs[mp_g.nodes[p].fn];
		mp_buf_reset(&name);
		mp_func_name(f, &name);
		st->fn = mp_hgraph_name(g, name.p ? name.p : "", name.len);
		st->file = mp_hgraph_cname(g, mp_func_file(f));
		st->line = mp_g.nodes[p].line;
		uint32_t up = parent_pos(p);
		st->parent = up == MP_NO_NODE ? MP_NO_SITE : s->index[up] - 1;
		st->unreached_bytes = unclaimed(g, p, 0);
		st->unreached_blocks = unclaimed(g, p, 1);
		s->unreached_bytes += st->unreached_bytes;
	}
	mp_buf_free(&name);
	if (name.failed || g->oom) {
		mp_hsites_free(s);
		return FAILURE;
	}
	return SUCCESS;
}

void mp_hsites_free(mp_hsites *s)
{
	free(s->index);
	free(s->site);
	memset(s, 0, sizeof(*s));
}
