/* memprof: the heap snapshot's storage (see heap_graph.h): growable node
 * arrays, the set that makes a value shared by several holders one node,
 * the names; node records and edges spilled to unlinked temporary files as
 * each node is done. All on malloc. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "heap_graph.h"
#include "block_map.h"
#include "main/php_open_temporary_file.h"

const char *const mp_hkind_names[MP_HK_COUNT] = {"root", "frame", "object", "array", "string", "reference"};

/* An anonymous file in the temporary directory: gone when closed. */
static int temp_fd(void)
{
	const char *dir = php_get_temporary_directory();
#ifdef O_TMPFILE
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		return fd;
	}
#endif
	char path[MAXPATHLEN];
	snprintf(path, sizeof(path), "%s/.memprof.heap-edges.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path);
	}
	return fd;
}

static bool spill_open(mp_hspill *s)
{
	s->count = 0;
	s->fd = temp_fd();
	if (s->fd < 0) {
		return false;
	}
	mp_writer_init_fd(&s->w, s->fd);
	return !s->w.failed;
}

static void spill_append(mp_hgraph *g, mp_hspill *s, const void *rec, size_t size, uint64_t n)
{
	mp_write(&s->w, rec, size * n);
	s->count += n;
	if (s->w.failed) {
		g->oom = true;
	}
}

/* Flushed, so that readers see everything; the writer's buffer is freed. */
static void spill_finish(mp_hgraph *g, mp_hspill *s)
{
	if (s->w.buf && mp_writer_finish(&s->w) == FAILURE) {
		g->oom = true;
	}
}

static void spill_close(mp_hspill *s)
{
	if (s->w.buf) {
		s->w.failed = true;
		mp_writer_finish(&s->w);
	}
	if (s->fd >= 0) {
		close(s->fd);
	}
	s->fd = -1;
}

int mp_hgraph_init(mp_hgraph *g, bool sites)
{
	memset(g, 0, sizeof(*g));
	g->nodes.fd = g->edges.fd = -1;
	g->sites = sites;
	g->set_cap = 1024;
	g->set = calloc(g->set_cap, sizeof(uint32_t));
	if (sites) {
		/* the tree does not grow during the walk: we are busy */
		g->nclaimed = mp_g.nnodes;
		g->claimed = calloc(g->nclaimed ? g->nclaimed : 1, sizeof(*g->claimed));
	}
	g->unreached = MP_HNODE_MAX + 1;
	g->cur_node.site = MP_NO_SITE;
	bool spilled = spill_open(&g->nodes) && spill_open(&g->edges);
	mp_hgraph_cname(g, "");
	if (!g->set || (sites && !g->claimed) || g->names.keys.failed || !spilled) {
		mp_hgraph_free(g);
		return FAILURE;
	}
	return SUCCESS;
}

void mp_hgraph_walked(mp_hgraph *g)
{
	free(g->ptrs);
	free(g->set);
	free(g->cur);
	g->ptrs = NULL;
	g->set = NULL;
	g->cur = NULL;
	g->set_cap = g->cap_cur = 0;
	spill_finish(g, &g->nodes);
	spill_finish(g, &g->edges);
}

void mp_hgraph_free(mp_hgraph *g)
{
	spill_close(&g->nodes);
	spill_close(&g->edges);
	free(g->name_kind);
	free(g->ptrs);
	free(g->cur);
	free(g->set);
	free(g->big);
	free(g->claimed);
	mp_idmap_free(&g->names);
	memset(g, 0, sizeof(*g));
	g->nodes.fd = g->edges.fd = -1;
}

uint32_t mp_hgraph_name(mp_hgraph *g, const char *s, size_t len)
{
	bool added;
	int64_t id = mp_idmap_id(&g->names, s, len, &added);
	if (id < 0 || id >= (1 << MP_HKIND_SHIFT)) {
		g->oom = true;
		return 0;
	}
	return (uint32_t)id;
}

const char *mp_hgraph_str(const mp_hgraph *g, uint32_t id, size_t *len)
{
	return mp_idmap_key(&g->names, id, len);
}

uint64_t mp_hnode_size(const mp_hgraph *g, uint32_t i, const mp_hnode *n)
{
	if (n->size != UINT32_MAX) {
		return n->size;
	}
	for (uint32_t k = 0; k < g->nbig; k++) {
		if (g->big[k].node == i) {
			return g->big[k].size;
		}
	}
	return UINT32_MAX;
}

uint32_t mp_hgraph_add(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name)
{
	if (g->nnodes == g->cap_nodes) {
		uint32_t cap = g->cap_nodes ? g->cap_nodes + g->cap_nodes / 2 : 4096;
		if (cap > MP_HNODE_MAX) {
			cap = MP_HNODE_MAX;
		}
		uint32_t *nk = cap > g->cap_nodes ? realloc(g->name_kind, (size_t)cap * sizeof(uint32_t)) : NULL;
		if (nk) {
			g->name_kind = nk;
		}
		const void **p = nk ? realloc(g->ptrs, (size_t)cap * sizeof(void *)) : NULL;
		if (!p) {
			g->oom = true;
			return MP_HNODE_MAX + 1;
		}
		g->ptrs = p;
		g->cap_nodes = cap;
	}
	uint32_t i = g->nnodes++;
	g->name_kind[i] = name | (uint32_t)kind << MP_HKIND_SHIFT;
	g->ptrs[i] = ptr;
	return i;
}

/* Home slot: Fibonacci hashing scaled to the capacity, so the set can grow
 * by half instead of doubling. */
static inline uint32_t ptr_home(const void *p, uint32_t cap)
{
	uint32_t h = (uint32_t)((((uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ULL) >> 32);
	return (uint32_t)(((uint64_t)h * cap) >> 32);
}

static bool set_grow(mp_hgraph *g)
{
	uint32_t cap = g->set_cap + g->set_cap / 2;
	uint32_t *s = calloc(cap, sizeof(uint32_t));
	if (!s) {
		return false;
	}
	for (uint32_t j = 0; j < g->set_cap; j++) {
		uint32_t v = g->set[j];
		if (v) {
			uint32_t i = ptr_home(g->ptrs[v - 1], cap);
			while (s[i]) {
				i = i + 1 == cap ? 0 : i + 1;
			}
			s[i] = v;
		}
	}
	free(g->set);
	g->set = s;
	g->set_cap = cap;
	return true;
}

uint32_t mp_hgraph_node_of(mp_hgraph *g, mp_hkind kind, const void *ptr, uint32_t name, bool *added)
{
	*added = false;
	uint32_t i = ptr_home(ptr, g->set_cap);
	for (uint32_t v; (v = g->set[i]) != 0; i = i + 1 == g->set_cap ? 0 : i + 1) {
		if (g->ptrs[v - 1] == ptr) {
			return v - 1;
		}
	}
	/* at most 4/5 full: probes stay short, and they always end */
	if ((uint64_t)(g->nnodes + 1) * 5 > (uint64_t)g->set_cap * 4) {
		if (!set_grow(g)) {
			g->oom = true;
			return MP_HNODE_MAX + 1;
		}
		for (i = ptr_home(ptr, g->set_cap); g->set[i]; i = i + 1 == g->set_cap ? 0 : i + 1) {
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
	if (g->ncur == g->cap_cur) {
		uint32_t cap = g->cap_cur ? g->cap_cur * 2 : 256;
		mp_hedge *e = realloc(g->cur, (size_t)cap * sizeof(mp_hedge));
		if (!e) {
			g->oom = true;
			return;
		}
		g->cur = e;
		g->cap_cur = cap;
	}
	g->cur[g->ncur++] = (mp_hedge){.to_kind = to | (uint32_t)kind << MP_HNODE_BITS, .name = name};
}

void mp_hgraph_done(mp_hgraph *g)
{
	g->cur_node.nedges = g->ncur;
	spill_append(g, &g->nodes, &g->cur_node, sizeof(mp_hnode), 1);
	spill_append(g, &g->edges, g->cur, sizeof(mp_hedge), g->ncur);
	g->ncur = 0;
	g->cur_node = (mp_hnode){.site = MP_NO_SITE};
}

void mp_hgraph_retarget(mp_hgraph *g, uint64_t i, uint32_t to)
{
	/* the writer's buffer may still hold it */
	mp_writer *w = &g->edges.w;
	uint64_t on_disk = g->edges.count * sizeof(mp_hedge) - w->len;
	uint64_t off = i * sizeof(mp_hedge);
	uint32_t v;
	if (off >= on_disk) {
		memcpy(&v, w->buf + (off - on_disk), sizeof(v));
		v = (v & ~MP_HNODE_MAX) | to;
		memcpy(w->buf + (off - on_disk), &v, sizeof(v));
	} else if (pread(g->edges.fd, &v, sizeof(v), (off_t)off) != sizeof(v)
			|| (v = (v & ~MP_HNODE_MAX) | to, pwrite(g->edges.fd, &v, sizeof(v), (off_t)off) != sizeof(v))) {
		g->oom = true;
	}
}

void mp_hgraph_block(mp_hgraph *g, const void *addr, size_t fallback, bool main)
{
	mp_hnode *n = &g->cur_node;
	uint32_t node = (uint32_t)g->nodes.count;
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
	g->bytes += size;
	uint64_t total = mp_hnode_size(g, node, n) + size;
	if (total < UINT32_MAX) {
		n->size = (uint32_t)total;
		return;
	}
	/* rare: a string or array of 4 GiB */
	for (uint32_t k = 0; k < g->nbig; k++) {
		if (g->big[k].node == node) {
			g->big[k].size = total;
			return;
		}
	}
	void *b = realloc(g->big, (g->nbig + 1) * sizeof(*g->big));
	if (!b) {
		g->oom = true;
		return;
	}
	g->big = b;
	g->big[g->nbig].node = node;
	g->big[g->nbig++].size = total;
	n->size = UINT32_MAX;
}

/* ---- reading back ------------------------------------------------------- */

mp_hreader *mp_hreader_open(const mp_hspill *s, size_t rec)
{
	mp_hreader *r = malloc(sizeof(*r));
	if (!r) {
		return NULL;
	}
	r->fd = s->fd;
	r->off = 0;
	r->rec = rec;
	r->len = r->pos = 0;
	r->failed = false;
	return r;
}

bool mp_hreader_next(mp_hreader *r, void *out)
{
	if (r->pos + r->rec > r->len) {
		/* the buffer holds whole records: none straddles a refill */
		size_t want = sizeof(r->buf) / r->rec * r->rec;
		size_t got = 0;
		while (got < want) {
			ssize_t n = pread(r->fd, r->buf + got, want - got, (off_t)r->off);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				r->failed = n < 0;
				break;
			}
			got += (size_t)n;
			r->off += (uint64_t)n;
		}
		r->len = got;
		r->pos = 0;
		if (got < r->rec) {
			return false;
		}
	}
	memcpy(out, r->buf + r->pos, r->rec);
	r->pos += r->rec;
	return true;
}

void mp_hreader_close(mp_hreader *r)
{
	free(r);
}
