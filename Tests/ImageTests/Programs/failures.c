/* Failure paths of the Linux layer, chosen by argv[1]: "segfault" writes to address 0x10;
 * "enosys" makes an unknown system call and goes on; "exit" exits with argv[2]. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
    if (argc < 2) { printf("usage: failures segfault|enosys|exit N\n"); return 2; }
    if (strcmp(argv[1], "segfault") == 0) {
        printf("about to fault\n");
        fflush(stdout);
        *(volatile int *)0x10 = 1;
        return 0;
    }
    if (strcmp(argv[1], "enosys") == 0) {
        long result = syscall(999, 1, 2, 3);
        printf("syscall 999 = %ld, errno %d (%s)\n", result, errno, errno == ENOSYS ? "ENOSYS" : "other");
        printf("still running\n");
        return 0;
    }
    if (strcmp(argv[1], "exit") == 0 && argc > 2) return atoi(argv[2]);
    return 2;
}
