/* futex operations: value mismatch, timeouts (relative, absolute bitset), WAKE_OP, CMP_REQUEUE, PI locks, robust lists. */
#include "rt.h"
enum { WAIT=0, WAKE=1, REQUEUE=3, CMP_REQUEUE=4, WAKE_OP=5, LOCK_PI=6, UNLOCK_PI=7, TRYLOCK_PI=8, WAIT_BITSET=9, WAKE_BITSET=10, PRIV=128, REALTIME=256 };
static int word, word2, waiting, pi_lock, pi_count, robust_word;
static int waiter(void* arg) {
    __atomic_fetch_add(&waiting, 1, __ATOMIC_SEQ_CST);
    long r = futex(&word, WAIT | PRIV, 0, 0, 0, 0);
    return r == 0 ? 0 : 1;
}
static int pi_worker(void* arg) {
    int tid = (int)sys0(SYS_gettid);
    for (int i = 0; i < 2000; i++) {
        int z = 0;
        if (!__atomic_compare_exchange_n(&pi_lock, &z, tid, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            if (futex(&pi_lock, LOCK_PI | PRIV, 0, 0, 0, 0) != 0) return 2;
        if ((pi_lock & 0x3fffffff) != tid) return 3;
        pi_count++;
        int me = tid;
        if (!__atomic_compare_exchange_n(&pi_lock, &me, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            if (futex(&pi_lock, UNLOCK_PI | PRIV, 0, 0, 0, 0) != 0) return 4;
    }
    return 0;
}
struct robust_head { void* next; long offset; void* pending; };
static struct { void* next; int lockword; } robust_entry;
static struct robust_head head;
static int robust_worker(void* arg) {
    head.next = &head; head.offset = 8; head.pending = 0;
    say("set_robust_list", sys2(SYS_set_robust_list, &head, sizeof head));
    robust_entry.lockword = (int)sys0(SYS_gettid);
    robust_entry.next = &head; head.next = &robust_entry;
    return 0; /* dies holding the lock */
}
static void settle(int n) { while (__atomic_load_n(&waiting, __ATOMIC_SEQ_CST) < n) sys0(SYS_sched_yield); sleep_ms(200); } /* the last few instructions to the futex call */
void _start(void) {
    say("wait_mismatch", futex(&word, WAIT | PRIV, 1, 0, 0, 0));
    struct timespec rel = { 0, 20000000 };
    say("wait_timeout", futex(&word, WAIT | PRIV, 0, &rel, 0, 0));
    struct timespec now; sys2(SYS_clock_gettime, 1, &now);
    struct timespec abs = { now.sec, now.nsec + 20000000 }; if (abs.nsec >= 1000000000) { abs.sec++; abs.nsec -= 1000000000; }
    say("bitset_abs_timeout", futex(&word, WAIT_BITSET | PRIV, 0, &abs, 0, -1));
    sys2(SYS_clock_gettime, 0, &now);
    struct timespec past = { now.sec - 1, 0 };
    say("bitset_realtime_past", futex(&word, WAIT_BITSET | PRIV | REALTIME, 0, &past, 0, -1));
    say("bitset_zero", futex(&word, WAIT_BITSET | PRIV, 0, 0, 0, 0));
    say("wake_nobody", futex(&word, WAKE | PRIV, 1, 0, 0, 0));

    thread_t t[4];
    for (int i = 0; i < 4; i++) thread_start(&t[i], waiter, 0);
    settle(4);
    say("cmp_requeue_mismatch", futex(&word, CMP_REQUEUE | PRIV, 1, (void*)2, &word2, 5));
    say("cmp_requeue", futex(&word, CMP_REQUEUE | PRIV, 1, (void*)2, &word2, 0));
    say("wake_moved", futex(&word2, WAKE | PRIV, 10, 0, 0, 0));
    say("wake_rest", futex(&word, WAKE | PRIV, 10, 0, 0, 0));
    for (int i = 0; i < 4; i++) thread_join(&t[i]);

    waiting = 0;
    for (int i = 0; i < 2; i++) thread_start(&t[i], waiter, 0);
    settle(2);
    /* WAKE_OP: word2 = 5 (SET), wake 1 on word; old word2 (0) == 0 so also wake 1 on word2 (nobody there). */
    word2 = 0;
    say("wake_op", futex(&word, WAKE_OP | PRIV, 1, (void*)1, &word2, (0 << 28) | (0 << 24) | (5 << 12) | 0));
    say("word2", word2);
    say("wake_bitset_other", futex(&word, WAKE_BITSET | PRIV, 1, 0, 0, 2) >= 0);
    say("wake_last", futex(&word, WAKE | PRIV, 1, 0, 0, 0));
    for (int i = 0; i < 2; i++) thread_join(&t[i]);

    for (int i = 0; i < 4; i++) thread_start(&t[i], pi_worker, 0);
    int bad = 0;
    for (int i = 0; i < 4; i++) { thread_join(&t[i]); }
    say("pi_count", pi_count);
    say("pi_free", pi_lock);
    pi_lock = (int)sys0(SYS_gettid);
    say("trylock_own", futex(&pi_lock, TRYLOCK_PI | PRIV, 0, 0, 0, 0));
    say("unlock_pi", futex(&pi_lock, UNLOCK_PI | PRIV, 0, 0, 0, 0));
    say("unlock_unowned", futex(&pi_lock, UNLOCK_PI | PRIV, 0, 0, 0, 0));

    thread_start(&t[0], robust_worker, 0);
    thread_join(&t[0]);
    say("robust_owner_died", (unsigned)robust_entry.lockword == 0x40000000u);
    void* h; long len;
    say("get_robust_list", sys3(SYS_get_robust_list, 0, &h, &len));
    exit_group(bad);
}
