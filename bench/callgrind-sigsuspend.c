// Preloaded into the bridge when bench/run counts its instructions with valgrind: libdispatch's main thread waits in
// sigsuspend with a signal mask in read-only memory, which valgrind (3.19 to 3.24) writes to and crashes on. This
// sigsuspend passes the kernel a copy of the mask instead; nothing else changes.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, sizeof(long));
}
