// Priority-inheritance mutexes (what libdispatch's unfair locks and glibc's PTHREAD_PRIO_INHERIT
// mutexes build on: FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI), contended by four threads,
// with the answers checked: a count no increment is lost from, EDEADLK when an error-checking
// owner locks again, EBUSY from trylock while another holds it, ETIMEDOUT from timedlock, EPERM
// when a non-owner unlocks. The same output on the host and on SwiftyHermit.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock;
static long counter;
enum { threads = 4, rounds = 5000 };

static void *work(void *argument) {
    (void)argument;
    for (int i = 0; i < rounds; i++) {
        if (pthread_mutex_lock(&lock) != 0) { puts("lock failed"); return NULL; }
        counter++;
        if (i % 250 == 0) sched_yield();   // hold it across a yield: others must wait in the kernel
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *hold(void *argument) {
    pthread_mutex_t *held = argument;
    pthread_mutex_lock(held);
    return NULL;   // exits owning it
}

static void *others(void *argument) {
    pthread_mutex_t *held = argument;
    printf("trylock while another holds it: %s\n", strerror(pthread_mutex_trylock(held)));
    struct timespec soon;
    clock_gettime(CLOCK_REALTIME, &soon);
    soon.tv_nsec += 20 * 1000 * 1000;
    if (soon.tv_nsec >= 1000000000) { soon.tv_sec++; soon.tv_nsec -= 1000000000; }
    printf("timedlock while another holds it: %s\n", strerror(pthread_mutex_timedlock(held, &soon)));
    printf("unlock by a thread that does not own it: %s\n", strerror(pthread_mutex_unlock(held)));
    return NULL;
}

int main(void) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setprotocol(&attributes, PTHREAD_PRIO_INHERIT);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&lock, &attributes);

    pthread_t workers[threads];
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, work, NULL);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    printf("counter %ld of %d\n", counter, threads * rounds);

    pthread_mutex_lock(&lock);
    printf("locking again as its owner: %s\n", strerror(pthread_mutex_lock(&lock)));
    pthread_t other;
    pthread_create(&other, NULL, others, &lock);
    pthread_join(other, NULL);
    pthread_mutex_unlock(&lock);
    printf("trylock when free: %s\n", strerror(pthread_mutex_trylock(&lock)));
    pthread_mutex_unlock(&lock);

    pthread_mutex_t second;
    pthread_mutex_init(&second, &attributes);
    pthread_t holder;
    pthread_create(&holder, NULL, hold, &second);
    pthread_join(holder, NULL);
    int left = pthread_mutex_trylock(&second);
    printf("after its owner exited holding it, trylock: %s\n", left == 0 ? "taken" : "refused");
    puts("done");
    return 0;
}
