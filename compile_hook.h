/* memprof: compiles as frames of their own (compile_hook.c). */
#ifndef MEMPROF_COMPILE_HOOK_H
#define MEMPROF_COMPILE_HOOK_H

void mp_compile_hook_rinit(void);
void mp_compile_hook_mshutdown(void);

#endif
