#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#define N 8
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter = 0; static int ready = 0;
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static void *work(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 10000; i++) { pthread_mutex_lock(&lock); counter++; pthread_mutex_unlock(&lock); }
    void *blocks[64];
    for (int r = 0; r < 50; r++) { for (int i = 0; i < 64; i++) blocks[i] = malloc(16 + (i * 37 + id) % 4000); for (int i = 0; i < 64; i++) free(blocks[i]); }
    pthread_mutex_lock(&lock); ready++; pthread_cond_signal(&cond); pthread_mutex_unlock(&lock);
    return (void *)(id * 2);
}
int main(void) {
    pthread_t t[N];
    for (long i = 0; i < N; i++) if (pthread_create(&t[i], NULL, work, (void *)i)) { perror("pthread_create"); return 1; }
    pthread_mutex_lock(&lock); while (ready < N) pthread_cond_wait(&cond, &lock); pthread_mutex_unlock(&lock);
    long sum = 0; for (int i = 0; i < N; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
    int v[1000]; for (int i = 0; i < 1000; i++) v[i] = (i * 7919) % 1000; qsort(v, 1000, sizeof v[0], cmp);
    printf("counter=%ld sum=%ld sorted=%d,%d,%d\n", counter, sum, v[0], v[500], v[999]);
    usleep(1000);
    printf("done\n");
    return 0;
}
