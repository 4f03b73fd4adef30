/* A small library the native tests load late through FFI: it allocates
 * with malloc, on the calling thread and on threads of its own. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void *mpt_alloc(size_t n)
{
	void *p = malloc(n);
	if (p) {
		memset(p, 1, n);
	}
	return p;
}

void mpt_free(void *p)
{
	free(p);
}

struct job {
	size_t n;
	int count;
	void **blocks;
	void *one;
};

static void *alloc_job(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < j->count; i++) {
		j->blocks[i] = mpt_alloc(j->n);
	}
	return NULL;
}

static void *free_job(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < j->count; i++) {
		free(j->blocks[i]);
	}
	free(j->one);
	return NULL;
}

static void run(void *(*fn)(void *), struct job *j)
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, j) == 0) {
		pthread_join(t, NULL);
	}
}

/* count blocks of n bytes, allocated on a new thread; the array that holds
 * them is allocated on the caller's */
void **mpt_thread_alloc(size_t n, int count)
{
	struct job j = {n, count, calloc(count, sizeof(void *)), NULL};
	if (j.blocks) {
		run(alloc_job, &j);
	}
	return j.blocks;
}

/* frees them on another new thread */
void mpt_thread_free(void **blocks, int count)
{
	struct job j = {0, count, blocks, NULL};
	run(free_job, &j);
}

/* frees a block of the caller's thread on a new thread */
void mpt_free_in_thread(void *p)
{
	struct job j = {0, 0, NULL, p};
	run(free_job, &j);
}

void mpt_free_array(void **blocks)
{
	free(blocks);
}

/* errno across allocations that succeed: what the caller set must stay */
int mpt_errno_kept(void)
{
	errno = 4242;
	void *p = malloc(100);
	p = realloc(p, 200000);
	free(p);
	void *q = calloc(10, 10);
	free(q);
	return errno;
}
