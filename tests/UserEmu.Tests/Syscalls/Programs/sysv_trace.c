/* Every System V IPC call in the forms strace decodes differently, for the strace oracle (ids, times, pids vary). */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };
struct msg { long mtype; char text[64]; };

int main(void)
{
    key_t key = (key_t)(0x5e000000 | ((getpid() & 0xffff) << 4));
    int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    char *p = shmat(id, NULL, 0);
    char *ro = shmat(id, p - 8 * 4096 + 5, SHM_RDONLY | SHM_RND);
    struct shmid_ds ds;
    shmctl(id, IPC_STAT, &ds);
    ds.shm_perm.mode = 0640;
    shmctl(id, IPC_SET, &ds);
    shmctl(id, IPC_STAT, (struct shmid_ds *)8);
    shmctl(id, 0x3039, NULL);
    shmget(key, 100, 0);
    int kid = shmget(key, 100, IPC_CREAT | IPC_EXCL | 0644);
    shmget(key, 100, IPC_CREAT | 07);
    shmctl(kid, IPC_RMID, NULL);
    shmdt(ro);
    shmdt(p);
    shmdt(p);
    shmctl(id, IPC_RMID, NULL);

    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600);
    semctl(s, 0, SETVAL, (union semun){ .val = 3 });
    struct sembuf sb[2] = { { 0, -1, IPC_NOWAIT }, { 1, 1, SEM_UNDO | IPC_NOWAIT } };
    semop(s, sb, 2);
    struct timespec ts = { 0, 1000 };
    semtimedop(s, sb, 1, &ts);
    semtimedop(s, sb, 1, &ts);
    semop(s, (struct sembuf *)8, 1);
    unsigned short vals[2];
    semctl(s, 0, GETALL, (union semun){ .array = vals });
    struct semid_ds sds;
    semctl(s, 0, IPC_STAT, (union semun){ .buf = &sds });
    semctl(s, 0, IPC_SET, (union semun){ .buf = &sds });
    semctl(s, 1, GETVAL);
    semctl(s, 0, IPC_RMID);

    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct msg m = { 2, "hello" };
    msgsnd(q, &m, 6, 0);
    memset(m.text, 'x', 40);
    m.mtype = 3;
    msgsnd(q, &m, 40, IPC_NOWAIT);
    msgrcv(q, &m, 16, -5, IPC_NOWAIT | MSG_NOERROR);
    msgrcv(q, &m, 8, 3, IPC_NOWAIT);
    msgrcv(q, &m, 64, 0, IPC_NOWAIT | MSG_EXCEPT);
    msgrcv(q, &m, 64, 0, IPC_NOWAIT);
    struct msqid_ds mds;
    msgctl(q, IPC_STAT, &mds);
    msgctl(q, IPC_SET, &mds);
    msgctl(q, IPC_RMID, NULL);
    return 0;
}
