/* AVX in a program: glibc must see AVX2 as usable (the OS saves the YMM state), and two
 * threads that keep values in YMM registers across sched_yield must find them intact. */
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
static int failures[2];
static void *work(void *arg) {
    long id = (long)arg;
    __m256d acc = _mm256_set1_pd((double)id);
    for (int i = 0; i < 20000; i++) {
        acc = _mm256_add_pd(acc, _mm256_set1_pd(1.0));
        if (i % 100 == 0) sched_yield();
    }
    double out[4]; _mm256_storeu_pd(out, acc);
    for (int k = 0; k < 4; k++) if (out[k] != 20000.0 + id) failures[id]++;
    return 0;
}
int main(void) {
    __builtin_cpu_init();
    printf("avx2 usable: %d\n", __builtin_cpu_supports("avx2"));
    char buffer[1000]; memset(buffer, 'a', sizeof buffer); buffer[999] = 0;
    printf("strlen %zu\n", strlen(buffer));
    pthread_t t[2];
    for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, work, (void *)i);
    for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
    printf("ymm kept across switches: %s\n", failures[0] + failures[1] == 0 ? "yes" : "NO");
    return failures[0] + failures[1];
}
