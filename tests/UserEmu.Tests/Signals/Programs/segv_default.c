/* No handler: a bad load kills the process with SIGSEGV (status 139 in the parent). */
#include "rt.h"
void _start(void) { puts_("before\n"); *(volatile int*)8 = 1; puts_("not reached\n"); exit_group(0); }
