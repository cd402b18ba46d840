/* System V semaphores and message queues: across fork, blocking and interrupted waits, selection by type, errors. */
#include "sysv_ipc.h"
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <time.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };
struct msg { long mtype; char text[32]; };

static void on_alarm(int sig) { (void)sig; }

/* Arms a 50 ms timer whose handler (SA_RESTART) interrupts a blocked call; it repeats, so a tick that comes before
   the call is entered (a loaded machine) is followed by one that interrupts it. */
static void alarm_soon(void)
{
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { .it_interval = { 0, 50000 }, .it_value = { 0, 50000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_off(void)
{
    struct itimerval it = { 0 };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void receive(int q, long type, int flags, size_t size)
{
    struct msg m = { 0 };
    errno = 0;
    long n = msgrcv(q, &m, size, type, flags);
    if (n < 0) printf("msgrcv %ld: %s\n", type, errname(errno));
    else printf("msgrcv %ld: len=%ld mtype=%ld text=%.*s\n", type, n, m.mtype, (int)n, m.text);
}

static int send(int q, long type, const char *text)
{
    struct msg m = { .mtype = type };
    strcpy(m.text, text);
    return msgsnd(q, &m, strlen(text), 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);

    /* ---- semaphores ---- */
    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    printf("semget: %s\n", s >= 0 ? "ok" : errname(errno));
    unsigned short init[2] = { 0, 5 }, vals[2] = { 9, 9 };
    CHECK("SETALL", semctl(s, 0, SETALL, (union semun){ .array = init }));
    CHECK("GETALL", semctl(s, 0, GETALL, (union semun){ .array = vals }));
    printf("values: %u %u\n", vals[0], vals[1]);
    printf("GETVAL 1: %d\n", semctl(s, 1, GETVAL));
    CHECK("SETVAL", semctl(s, 1, SETVAL, (union semun){ .val = 7 }));
    printf("GETVAL 1: %d\n", semctl(s, 1, GETVAL));
    struct semid_ds ds;
    CHECK("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds }));
    printf("nsems=%lu mode=%o\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777);

    pid_t c = fork();
    if (c == 0) {
        usleep(50000);
        struct sembuf up = { 0, 1, 0 };
        semop(s, &up, 1);
        _exit(0);
    }
    struct sembuf down = { 0, -1, 0 };
    CHECK("semop waits for the child", semop(s, &down, 1));
    printf("GETPID is the last operator (the woken parent): %d\n", semctl(s, 0, GETPID) == getpid());
    report_child("poster child", c);

    struct sembuf nowait = { 0, -1, IPC_NOWAIT };
    CHECK("semop IPC_NOWAIT", semop(s, &nowait, 1));
    struct timespec ts = { 0, 10000000 };
    CHECK("semtimedop timeout", semtimedop(s, &down, 1, &ts));
    CHECK("semtimedop bad timeout", semtimedop(s, &down, 1, (struct timespec *)16));
    CHECK("semtimedop bad timeout, no ops", semtimedop(s, &down, 0, (struct timespec *)16));
    alarm_soon();
    CHECK("semop interrupted", semop(s, &down, 1));
    alarm_off();

    c = fork();
    if (c == 0) {
        struct sembuf undo = { 1, -3, SEM_UNDO };
        semop(s, &undo, 1);
        printf("child took 3: %d\n", semctl(s, 1, GETVAL));
        _exit(0);
    }
    report_child("undo child", c);
    printf("undone at exit: %d\n", semctl(s, 1, GETVAL));

    struct sembuf bad = { 7, 1, 0 };
    CHECK("semop nsops 0", semop(s, &down, 0));
    CHECK("semop sem_num out of range", semop(s, &bad, 1));
    CHECK("semop bad array", semop(s, (struct sembuf *)16, 1));
    CHECK("GETVAL out of range", semctl(s, 5, GETVAL));
    CHECK("GETALL bad array", semctl(s, 0, GETALL, (union semun){ .array = (unsigned short *)16 }));
    CHECK("SETVAL too large", semctl(s, 0, SETVAL, (union semun){ .val = 1 << 20 }));
    CHECK("semget missing key", semget(private_key(2), 1, 0600));
    CHECK("semctl bad id", semctl(-1, 0, GETVAL));
    CHECK("sem IPC_RMID", semctl(s, 0, IPC_RMID));
    CHECK("semop after IPC_RMID", semop(s, &nowait, 1));

    /* ---- message queues ---- */
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    printf("msgget: %s\n", q >= 0 ? "ok" : errname(errno));
    send(q, 1, "one");
    send(q, 2, "two");
    send(q, 3, "three");
    send(q, 2, "two-b");
    struct msqid_ds mq;
    CHECK("msg IPC_STAT", msgctl(q, IPC_STAT, &mq));
    printf("qnum=%lu cbytes=%lu\n", (unsigned long)mq.msg_qnum, (unsigned long)mq.__msg_cbytes);
    receive(q, 2, 0, 32);
    receive(q, -2, 0, 32);
    receive(q, 3, MSG_EXCEPT, 32);
    receive(q, 3, 0, 2);
    receive(q, 3, MSG_NOERROR, 2);
    receive(q, 0, IPC_NOWAIT, 32);

    c = fork();
    if (c == 0) {
        receive(q, 9, 0, 32);
        _exit(0);
    }
    usleep(50000);
    int sent = send(q, 9, "for child");
    report_child("receiver child", c);
    printf("msgsnd to the waiting child: %s\n", sent == 0 ? "ok" : errname(errno));

    alarm_soon();
    receive(q, 0, 0, 32);
    alarm_off();
    struct msg zero = { 0 };
    CHECK("msgsnd mtype 0", msgsnd(q, &zero, 4, 0));
    CHECK("msgsnd too large", msgsnd(q, &zero, 1 << 24, 0));
    CHECK("msgsnd bad buffer", msgsnd(q, (void *)16, 4, 0));
    CHECK("msgrcv bad buffer", (send(q, 4, "lost"), msgrcv(q, (void *)16, 32, 0, 0)));
    receive(q, 0, IPC_NOWAIT, 32);
    CHECK("msgget missing key", msgget(private_key(3), 0600));
    CHECK("msgctl bad cmd", msgctl(q, 12345, NULL));
    CHECK("msg IPC_RMID", msgctl(q, IPC_RMID, NULL));
    CHECK("msgsnd after IPC_RMID", send(q, 1, "gone"));
    return 0;
}
