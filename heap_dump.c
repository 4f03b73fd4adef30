/* memprof: a heap snapshot from start to end: the walk with our own blocks
 * kept out of the profile, the sites, the chosen format, the counts. Every
 * structure is on malloc (heap_graph.h); a bailout in the walk (an engine
 * handler hitting the memory limit) frees them before going on. */
#include <errno.h>
#include <sys/time.h>
#include <unistd.h>
#include "heap_dump.h"
#include "heap_graph.h"
#include "signal_dump.h"
#include "SAPI.h"

static const char *const format_names[] = {"native", "meminfo", "heapsnapshot"};
static const char *const format_ext[] = {".phpheap", ".meminfo.json", ".heapsnapshot"};

mp_hformat mp_heap_format_parse(const char *name)
{
	for (int i = 0; i < MP_HFMT_INVALID; i++) {
		if (name && !strcmp(name, format_names[i])) {
			return (mp_hformat)i;
		}
	}
	return MP_HFMT_INVALID;
}

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void fill_meta(mp_hmeta *m, double walk_seconds)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	m->time_us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	m->pid = (long)getpid();
	m->memory_usage = zend_memory_usage(0);
	m->memory_usage_real = zend_memory_usage(1);
	m->peak_memory_usage = zend_memory_peak_usage(0);
	m->peak_memory_usage_real = zend_memory_peak_usage(1);
	m->walk_seconds = walk_seconds;
	m->script = SG(request_info).path_translated ? SG(request_info).path_translated : "";
}

/* The walk, surviving a bailout out of it with nothing of ours left behind. */
static int walk(mp_hgraph *g, bool at_limit)
{
	int rc = FAILURE;
	bool bailed = false;
	zend_try {
		rc = mp_heap_walk(g, !at_limit);
	} zend_catch {
		bailed = true;
	} zend_end_try();
	if (bailed) {
		mp_hgraph_free(g);
		mp_set_busy(false);
		zend_bailout();
	}
	return rc;
}

int mp_heap_dump(mp_heap_req *q, mp_writer *w)
{
	double t0 = now();
	bool was_busy = mp_set_busy(true);
	mp_hgraph g;
	mp_hsites s = {0};
	int rc = FAILURE;
	bool sites = MEMPROF_G(enabled);
	if (mp_hgraph_init(&g, sites) == SUCCESS) {
		if (walk(&g, q->at_limit) == SUCCESS && mp_hsites_build(&g, &s) == SUCCESS) {
			fill_meta(&g.meta, now() - t0);
			switch (q->fmt) {
				case MP_HFMT_MEMINFO: mp_heap_write_meminfo(&g, &s, w); break;
				case MP_HFMT_CHROME:  mp_heap_write_chrome(&g, &s, w); break;
				default:              mp_heap_write_native(&g, &s, w); break;
			}
			rc = SUCCESS;
			q->stats = (mp_heap_stats){
				.nodes = g.nnodes, .edges = g.edges.count, .bytes = g.bytes,
				.unreached_objects = g.unreached_objects, .unattributed_bytes = s.unreached_bytes,
				.sites = sites,
			};
		}
		mp_hsites_free(&s);
		mp_hgraph_free(&g);
	}
	if (rc == FAILURE) {
		w->failed = true;
		if (!w->err) {
			w->err = ENOMEM;
		}
	}
	rc = mp_writer_finish(w);
	q->stats.seconds = now() - t0;
	mp_set_busy(was_busy);
	mp_signal_export_done();
	return rc;
}

static int dump_fn(void *ctx, mp_writer *w)
{
	return mp_heap_dump(ctx, w);
}

int mp_heap_dump_at_path(mp_heap_req *q, const char *path, mp_dump_result *r)
{
	return mp_dump_at_path(path, dump_fn, q, r);
}

int mp_heap_dump_new_file(mp_heap_req *q, mp_dump_result *r)
{
	mp_hformat f = q->fmt == MP_HFMT_INVALID ? MP_HFMT_NATIVE : q->fmt;
	return mp_dump_new_file("heap", format_ext[f], dump_fn, q, r);
}
