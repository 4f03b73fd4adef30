/* memprof: the native heap snapshot (.phpheap), what bin/memprof reads. Made
 * for a PHP reader: fixed-width little-endian columns that unpack() takes in
 * one call each, and names as one string split with explode().
 *
 *   "MPHEAP01", then sections: tag (4 bytes), count (u32), length (u64), payload
 *   META  count lines "key=value\n"
 *   STRS  count names, joined by NUL (a NUL inside a name is written "\0")
 *   SITE  count sites: parent site, function, file (name ids), line (u32 each);
 *         parent 0xffffffff at the top; parents come before their children
 *   NODE  count nodes, as columns: kind (u8, padded to 4 bytes), name (u32),
 *         self size (u64), site (u32, 0xffffffff = none), refcount (u32),
 *         handle (u32), first edge (count + 1 of u32: node i's edges are
 *         first[i] .. first[i+1]-1)
 *   EDGE  count edges, as columns: target | kind << 29 (u32), name (u32)
 *   UNRE  count rows: site (u32), 0 (u32), bytes (u64), blocks (u64): live
 *         blocks allocated there that no node accounts for
 *   END\0 0, 0
 * Node 0 is "(roots)"; README.md has the kinds and edge kinds. */
#include "heap_graph.h"

#define CHUNK 8192

typedef struct col {
	mp_writer *w;
	unsigned char buf[CHUNK];
	size_t len;
} col;

static void col_flush(col *c)
{
	mp_write(c->w, c->buf, c->len);
	c->len = 0;
}

static inline void put32(col *c, uint32_t v)
{
	if (c->len + 4 > CHUNK) {
		col_flush(c);
	}
	unsigned char *p = c->buf + c->len;
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	c->len += 4;
}

static inline void put64(col *c, uint64_t v)
{
	put32(c, (uint32_t)v);
	put32(c, (uint32_t)(v >> 32));
}

static void section(col *c, const char tag[4], uint32_t count, uint64_t len)
{
	col_flush(c);
	mp_write(c->w, tag, 4);
	put32(c, count);
	put64(c, len);
}

static void meta_line(mp_buf *b, const char *key, uint64_t v)
{
	mp_buf_appends(b, key);
	mp_buf_appendc(b, '=');
	mp_buf_append_u64(b, v);
	mp_buf_appendc(b, '\n');
}

static void write_meta(col *c, const mp_hgraph *g, const mp_hsites *s)
{
	mp_buf b = {0};
	char secs[32];
	snprintf(secs, sizeof(secs), "%.6f", g->meta.walk_seconds);
	mp_buf_appends(&b, "format=memprof-heap\nversion=1\nphp_version=" PHP_VERSION "\nscript=");
	/* one line per key: a path with a newline keeps only its first line */
	const char *nl = strchr(g->meta.script, '\n');
	mp_buf_append(&b, g->meta.script, nl ? (size_t)(nl - g->meta.script) : strlen(g->meta.script));
	mp_buf_appends(&b, "\nseconds=");
	mp_buf_appends(&b, secs);
	mp_buf_appendc(&b, '\n');
	meta_line(&b, "pid", (uint64_t)g->meta.pid);
	meta_line(&b, "time_us", g->meta.time_us);
	meta_line(&b, "memory_usage", g->meta.memory_usage);
	meta_line(&b, "memory_usage_real", g->meta.memory_usage_real);
	meta_line(&b, "peak_memory_usage", g->meta.peak_memory_usage);
	meta_line(&b, "peak_memory_usage_real", g->meta.peak_memory_usage_real);
	meta_line(&b, "sites", g->sites);
	meta_line(&b, "nodes", g->nnodes);
	meta_line(&b, "edges", g->edges.count);
	meta_line(&b, "bytes", g->bytes);
	meta_line(&b, "unreached_root", g->unreached);
	meta_line(&b, "unreached_objects", g->unreached_objects);
	meta_line(&b, "unattributed_bytes", s->unreached_bytes);
	if (b.failed) {
		c->w->failed = true;
	}
	uint32_t lines = 0;
	for (size_t i = 0; i < b.len; i++) {
		lines += b.p[i] == '\n';
	}
	section(c, "META", lines, b.len);
	col_flush(c);
	mp_write(c->w, b.p, b.len);
	mp_buf_free(&b);
}

static void write_strings(col *c, const mp_hgraph *g)
{
	uint32_t n = g->names.count;
	uint64_t total = n ? n - 1 : 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = mp_hgraph_str(g, i, &len);
		total += len;
		for (size_t k = 0; k < len; k++) {
			total += s[k] == '\0';
		}
	}
	section(c, "STRS", n, total);
	col_flush(c);
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = mp_hgraph_str(g, i, &len);
		if (i) {
			mp_write(c->w, "", 1);
		}
		for (const char *z; len && (z = memchr(s, '\0', len)) != NULL;) {
			mp_write(c->w, s, (size_t)(z - s));
			mp_write(c->w, "\\0", 2);
			len -= (size_t)(z - s) + 1;
			s = z + 1;
		}
		mp_write(c->w, s, len);
	}
}

void mp_heap_write_native(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	col *c = malloc(sizeof(col));
	if (!c) {
		w->failed = true;
		return;
	}
	c->w = w;
	c->len = 0;
	uint32_t n = g->nnodes;
	mp_write(w, "MPHEAP01", 8);
	write_meta(c, g, s);
	write_strings(c, g);

	section(c, "SITE", s->count, (uint64_t)s->count * 16);
	for (uint32_t i = 0; i < s->count; i++) {
		put32(c, s->site[i].parent);
		put32(c, s->site[i].fn);
		put32(c, s->site[i].file);
		put32(c, s->site[i].line);
	}

	uint64_t kinds = ((uint64_t)n + 3) & ~(uint64_t)3;
	section(c, "NODE", n, kinds + (uint64_t)n * (4 + 8 + 4 + 4 + 4) + ((uint64_t)n + 1) * 4);
	for (uint32_t i = 0; i < kinds; i++) {
		if (c->len == CHUNK) {
			col_flush(c);
		}
		c->buf[c->len++] = i < n ? (unsigned char)mp_hkind_of(g, i) : 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		put32(c, mp_hname_of(g, i));
	}
	/* the other columns: one pass over the node records each */
	uint64_t nedges = 0;
	for (int col = 0; col < 5; col++) {
		mp_hreader *r = mp_hnodes_open(g);
		mp_hnode nd;
		uint32_t i = 0;
		for (; r && i < n && mp_hreader_next(r, &nd); i++) {
			switch (col) {
				case 0: put64(c, mp_hnode_size(g, i, &nd)); break;
				case 1: put32(c, mp_hsite_of(s, &nd)); break;
				case 2: put32(c, nd.refcount); break;
				/* a reference's handle is ours (its value's node), not an object handle */
				case 3: put32(c, mp_hkind_of(g, i) == MP_HK_OBJECT ? nd.handle : 0); break;
				default: put32(c, (uint32_t)nedges); nedges += nd.nedges; break;
			}
		}
		if (!r || i != n) {
			w->failed = true;
		}
		mp_hreader_close(r);
	}
	put32(c, (uint32_t)nedges);

	section(c, "EDGE", (uint32_t)nedges, nedges * 8);
	for (int k = 0; k < 2; k++) {
		mp_hreader *r = mp_hedges_open(g);
		mp_hedge e;
		uint64_t got = 0;
		while (r && got < nedges && mp_hreader_next(r, &e)) {
			put32(c, k == 0 ? e.to_kind : e.name);
			got++;
		}
		if (!r || got != nedges) {
			w->failed = true;
		}
		mp_hreader_close(r);
	}

	uint32_t rows = 0;
	for (uint32_t i = 0; i < s->count; i++) {
		rows += s->site[i].unreached_bytes != 0;
	}
	section(c, "UNRE", rows, (uint64_t)rows * 24);
	for (uint32_t i = 0; i < s->count; i++) {
		if (s->site[i].unreached_bytes) {
			put32(c, i);
			put32(c, 0);
			put64(c, s->site[i].unreached_bytes);
			put64(c, s->site[i].unreached_blocks);
		}
	}
	section(c, "END\0", 0, 0);
	col_flush(c);
	free(c);
}
