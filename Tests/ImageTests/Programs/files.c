// Files in /tmp and pipes as an ordinary Linux program uses them: stdio and raw descriptors,
// directories, renames, links, truncation, a pipe filled past its capacity by a thread while
// the main thread polls it, non-blocking ends, end of file and EPIPE. Prints what it sees;
// the output must equal the host's. With the argument "sigpipe" it writes to a pipe nobody
// reads without ignoring SIGPIPE, which ends it with that signal.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[64];

static const char *at(const char *name) {
    static char paths[4][128];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 128, "%s/%s", base, name);
    return path;
}

static void show(const char *what, int result) {
    if (result < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("%s: ok\n", what);
}

static long size_of(const char *path) {
    struct stat status;
    if (stat(path, &status) != 0) return -errno;
    return (long)status.st_size;
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
    DIR *directory = opendir(path);
    if (!directory) { printf("opendir: %s\n", strerror(errno)); return; }
    char *names[32];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) && count < 32) {
        if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) names[count++] = strdup(entry->d_name);
    }
    closedir(directory);
    qsort(names, count, sizeof names[0], compare);
    printf("list:");
    for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

static void files(void) {
    FILE *file = fopen(at("notes.txt"), "w");
    if (!file) { printf("fopen: %s\n", strerror(errno)); exit(1); }
    for (int i = 1; i <= 300; i++) fprintf(file, "line %d of the notes\n", i);
    fclose(file);
    printf("notes: %ld bytes\n", size_of(at("notes.txt")));

    file = fopen(at("notes.txt"), "r");
    char line[64];
    int lines = 0;
    long sum = 0;
    while (fgets(line, sizeof line, file)) { lines++; sum += strlen(line); }
    fclose(file);
    printf("read back: %d lines, %ld bytes\n", lines, sum);

    show("create exclusive again", open(at("notes.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    int descriptor = open(at("log"), O_CREAT | O_WRONLY | O_APPEND, 0600);
    write(descriptor, "first\n", 6);
    lseek(descriptor, 0, SEEK_SET);
    write(descriptor, "second\n", 7);   // O_APPEND: at the end anyway
    close(descriptor);
    descriptor = open(at("log"), O_RDWR);
    pwrite(descriptor, "FIRST", 5, 0);
    char buffer[64] = {0};
    pread(descriptor, buffer, sizeof buffer - 1, 0);
    printf("log: %s", buffer);
    ftruncate(descriptor, 3);
    printf("truncated: %ld, end at %ld\n", size_of(at("log")), (long)lseek(descriptor, 0, SEEK_END));
    ftruncate(descriptor, 10000);
    pread(descriptor, buffer, 4, 5000);
    printf("extended: %ld, zeros: %d\n", size_of(at("log")), buffer[0] == 0 && buffer[3] == 0);
    struct stat status;
    fstat(descriptor, &status);
    printf("mode: %o\n", status.st_mode & 07777);
    close(descriptor);

    show("mkdir sub", mkdir(at("sub"), 0755));
    show("mkdir sub again", mkdir(at("sub"), 0755));
    show("rename notes into sub", rename(at("notes.txt"), at("sub/notes.txt")));
    show("old name gone", access(at("notes.txt"), F_OK));
    printf("moved: %ld bytes\n", size_of(at("sub/notes.txt")));
    show("symlink", symlink("sub/notes.txt", at("link")));
    char target[64] = {0};
    readlink(at("link"), target, sizeof target - 1);
    printf("link -> %s, %ld bytes through it\n", target, size_of(at("link")));
    list(base);
    show("rmdir non-empty", rmdir(at("sub")));
    show("unlink a directory", unlink(at("sub")));
    show("rename sub into itself", rename(at("sub"), at("sub/inner")));

    int directory = open(at("sub"), O_RDONLY | O_DIRECTORY);
    int inner = openat(directory, "made-at", O_CREAT | O_WRONLY, 0640);
    write(inner, "relative\n", 9);
    close(inner);
    printf("openat: %ld bytes\n", size_of(at("sub/made-at")));
    show("unlinkat", unlinkat(directory, "made-at", 0));
    show("mkdirat", mkdirat(directory, "deeper", 0700));
    show("unlinkat AT_REMOVEDIR", unlinkat(directory, "deeper", AT_REMOVEDIR));
    close(directory);

    // A file unlinked while open stays readable through its descriptor.
    descriptor = open(at("sub/notes.txt"), O_RDONLY);
    show("unlink open file", unlink(at("sub/notes.txt")));
    printf("still reads: %zd\n", read(descriptor, buffer, 10));
    close(descriptor);
    show("unlink link", unlink(at("link")));
    show("unlink log", unlink(at("log")));
    show("rmdir sub", rmdir(at("sub")));
    list(base);
    show("rmdir base", rmdir(base));
}

static int write_end;

static void *writer(void *unused) {
    (void)unused;
    char chunk[3000];
    for (int i = 0; i < 100; i++) {
        memset(chunk, 'a' + i % 26, sizeof chunk);
        ssize_t done = 0;
        while (done < (ssize_t)sizeof chunk) {
            ssize_t n = write(write_end, chunk + done, sizeof chunk - done);
            if (n < 0) { perror("write"); exit(1); }
            done += n;
        }
    }
    close(write_end);
    return NULL;
}

static void pipes(void) {
    int ends[2];
    show("pipe2", pipe2(ends, O_CLOEXEC));
    write_end = ends[1];
    pthread_t thread;
    pthread_create(&thread, NULL, writer, NULL);
    long total = 0, sum = 0;
    int wakeups = 0;
    for (;;) {
        struct pollfd entry = {.fd = ends[0], .events = POLLIN};
        if (poll(&entry, 1, -1) != 1) { perror("poll"); exit(1); }
        wakeups++;
        char buffer[7000];
        ssize_t n = read(ends[0], buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) { perror("read"); exit(1); }
        for (ssize_t i = 0; i < n; i++) sum += buffer[i];
        total += n;
    }
    pthread_join(thread, NULL);
    printf("pipe: %ld bytes, sum %ld, woke %s\n", total, sum, wakeups > 1 ? "more than once" : "once");
    close(ends[0]);

    show("pipe nonblocking", pipe2(ends, O_NONBLOCK));
    char byte = 'x';
    ssize_t got = read(ends[0], &byte, 1);
    printf("empty read: %zd %s\n", got, strerror(errno));
    struct pollfd entry = {.fd = ends[0], .events = POLLIN};
    printf("poll empty: %d\n", poll(&entry, 1, 0));
    char kibibyte[1024];
    memset(kibibyte, 'k', sizeof kibibyte);
    long filled = 0;
    for (;;) {
        ssize_t n = write(ends[1], kibibyte, sizeof kibibyte);
        if (n < 0) { printf("full after %ld: %s\n", filled, strerror(errno)); break; }
        filled += n;
    }
    int ready = poll(&entry, 1, 0);
    printf("poll full: %d revents %#x\n", ready, entry.revents);
    struct pollfd out = {.fd = ends[1], .events = POLLOUT};
    printf("poll writable: %d\n", poll(&out, 1, 0));
    int copy = dup(ends[1]);
    close(ends[1]);
    char drain[70000];
    printf("drained: %zd\n", read(ends[0], drain, sizeof drain));
    close(copy);
    printf("end of file: %zd\n", read(ends[0], drain, 1));
    ready = poll(&entry, 1, 0);
    printf("poll hang-up: %d revents %#x\n", ready, entry.revents);
    close(ends[0]);

    signal(SIGPIPE, SIG_IGN);
    pipe(ends);
    close(ends[0]);
    got = write(ends[1], "x", 1);
    printf("write to no reader: %zd %s\n", got, strerror(errno));
    close(ends[1]);
    struct pollfd closed = {.fd = 900, .events = POLLIN};
    ready = poll(&closed, 1, 0);
    printf("poll closed descriptor: %d revents %#x\n", ready, closed.revents);

    // select: nothing ready within 30 ms, then the read end once a byte is in, the write end
    // always; a descriptor that is not open is EBADF.
    pipe(ends);
    fd_set reading, writing;
    FD_ZERO(&reading); FD_SET(ends[0], &reading);
    struct timeval wait = {.tv_sec = 0, .tv_usec = 30000};
    printf("select empty: %d\n", select(ends[0] + 1, &reading, NULL, NULL, &wait));
    write(ends[1], "y", 1);
    FD_ZERO(&reading); FD_SET(ends[0], &reading);
    FD_ZERO(&writing); FD_SET(ends[1], &writing);
    int highest = ends[0] > ends[1] ? ends[0] : ends[1];
    ready = select(highest + 1, &reading, &writing, NULL, NULL);
    printf("select ready: %d, read %d, write %d\n", ready, FD_ISSET(ends[0], &reading) != 0, FD_ISSET(ends[1], &writing) != 0);
    FD_ZERO(&reading); FD_SET(900, &reading);
    struct timeval none = {0, 0};
    ready = select(901, &reading, NULL, NULL, &none);
    printf("select beyond the table: %d\n", ready);
    FD_ZERO(&reading); FD_SET(50, &reading);
    ready = select(51, &reading, NULL, NULL, &none);
    printf("select closed descriptor: %d %s\n", ready, strerror(errno));
    close(ends[0]);
    close(ends[1]);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "sigpipe") == 0) {
        int ends[2];
        pipe(ends);
        close(ends[0]);
        printf("writing to a pipe nobody reads\n");
        fflush(stdout);
        write(ends[1], "x", 1);
        printf("not reached\n");
        return 0;
    }
    strcpy(base, "/tmp/hermitXXXXXX");
    if (!mkdtemp(base)) { printf("mkdtemp: %s\n", strerror(errno)); return 1; }
    files();
    pipes();
    printf("done\n");
    return 0;
}
