/* Integer division by zero with no handler: SIGFPE, status 136. */
#include "rt.h"
void _start(void) { puts_("dividing\n"); volatile int z = 0; volatile int r = 10 / z; exit_group(r); }
