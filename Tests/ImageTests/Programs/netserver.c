#define _GNU_SOURCE
// A reference Linux server: one thread, epoll, non-blocking sockets. It serves a line
// protocol on TCP and echoes UDP datagrams on the same port, and logs what the system
// calls answered (errno names, not messages) to stdout, so its log on SwiftyHermit can be
// compared with its log on the host for the same client script (Scripts/net-client.py).
//
//   netserver PORT PEER REFUSED-PORT
//
// Commands, one per line on a TCP connection:
//   echo TEXT   answers TEXT
//   big N       answers N bytes (non-blocking writes, waiting for EPOLLOUT when full)
//   half        shutdown(SHUT_WR), then a write: EPIPE (MSG_NOSIGNAL)
//   refused     connects to PEER:REFUSED-PORT non-blocking (EINPROGRESS, then SO_ERROR)
//               and blocking (ECONNREFUSED), and answers what it saw
//   quit        answers "bye" and the server ends with status 0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EINPROGRESS: return "EINPROGRESS";
    case ENOTCONN: return "ENOTCONN";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: { static char text[16]; snprintf(text, sizeof text, "errno%d", e); return text; }
    }
}

struct connection {
    int fd, number;
    char line[4096];
    size_t used;
    long big_left, big_sent;   // a `big` answer still going out
    int closed;
};

static struct connection *connections[1024];
static int epoll_fd, connection_count;
static struct sockaddr_in peer;

static void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void watch(struct connection *c, unsigned events) {
    struct epoll_event event = {.events = events, .data.fd = c->fd};
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
}

static void finish(struct connection *c, const char *why) {
    printf("conn %d: %s\n", c->number, why);
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    connections[c->fd] = NULL;
    free(c);
}

static int say(struct connection *c, const char *text) {
    size_t length = strlen(text);
    ssize_t sent = send(c->fd, text, length, MSG_NOSIGNAL);
    return sent == (ssize_t)length ? 0 : -1;
}

// Writes what fits of the `big` answer; EPOLLOUT is watched while it is not all out.
static void push_big(struct connection *c) {
    static char chunk[16384];
    while (c->big_left > 0) {
        size_t count = c->big_left < (long)sizeof chunk ? (size_t)c->big_left : sizeof chunk;
        for (size_t i = 0; i < count; i++) chunk[i] = 'a' + (c->big_sent + (long)i) % 26;
        ssize_t sent = send(c->fd, chunk, count, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EAGAIN) { watch(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP); return; }
            printf("conn %d: big send %s\n", c->number, name(errno));
            c->big_left = 0;
            return;
        }
        c->big_left -= sent;
        c->big_sent += sent;
    }
    printf("conn %d: big sent %ld\n", c->number, c->big_sent);
    watch(c, EPOLLIN | EPOLLRDHUP);
}

static void refused(struct connection *c) {
    char answer[256];
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(s, (struct sockaddr *)&peer, sizeof peer);
    const char *first = r == 0 ? "0" : name(errno);
    int error = -1;
    if (r < 0 && errno == EINPROGRESS) {
        int poller = epoll_create1(0);
        struct epoll_event event = {.events = EPOLLOUT, .data.fd = s}, got;
        epoll_ctl(poller, EPOLL_CTL_ADD, s, &event);
        int ready = epoll_wait(poller, &got, 1, 10000);
        socklen_t length = sizeof error;
        getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &length);
        printf("conn %d: non-blocking connect: %s, ready %d (%s%s), SO_ERROR %s\n", c->number, first, ready,
               ready == 1 && (got.events & EPOLLOUT) ? "OUT" : "", ready == 1 && (got.events & EPOLLERR) ? "|ERR" : "", name(error));
        close(poller);
    }
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    r = connect(s, (struct sockaddr *)&peer, sizeof peer);
    const char *second = r == 0 ? "0" : name(errno);
    char buffer[4];
    ssize_t n = recv(s, buffer, sizeof buffer, MSG_DONTWAIT);
    printf("conn %d: blocking connect: %s, then recv: %s\n", c->number, second, n < 0 ? name(errno) : "data");
    close(s);
    snprintf(answer, sizeof answer, "connect %s/%s, blocking %s\n", first, name(error), second);
    say(c, answer);
}

static void command(struct connection *c, char *line) {
    if (strncmp(line, "echo ", 5) == 0) {
        char answer[4200];
        snprintf(answer, sizeof answer, "%s\n", line + 5);
        say(c, answer);
    } else if (strncmp(line, "big ", 4) == 0) {
        c->big_left = atol(line + 4);
        c->big_sent = 0;
        push_big(c);
    } else if (strcmp(line, "half") == 0) {
        say(c, "closing my side\n");
        int r = shutdown(c->fd, SHUT_WR);
        ssize_t sent = send(c->fd, "x", 1, MSG_NOSIGNAL);
        printf("conn %d: shutdown %d, send after it: %s\n", c->number, r, sent < 0 ? name(errno) : "sent");
    } else if (strcmp(line, "refused") == 0) {
        refused(c);
    } else if (strcmp(line, "quit") == 0) {
        say(c, "bye\n");
        printf("served %d connections\n", connection_count);
        fflush(stdout);
        exit(0);
    } else {
        say(c, "unknown\n");
    }
}

static void readable(struct connection *c) {
    for (;;) {
        ssize_t n = recv(c->fd, c->line + c->used, sizeof c->line - 1 - c->used, 0);
        if (n < 0) {
            if (errno == EAGAIN) return;
            char why[64];
            snprintf(why, sizeof why, "recv %s", name(errno));
            finish(c, why);
            return;
        }
        if (n == 0) { finish(c, "end of stream"); return; }
        c->used += (size_t)n;
        char *start = c->line, *newline;
        while ((newline = memchr(start, '\n', c->used - (size_t)(start - c->line)))) {
            *newline = 0;
            if (newline > start && newline[-1] == '\r') newline[-1] = 0;
            command(c, start);
            if (!connections[c->fd]) return;
            start = newline + 1;
        }
        c->used -= (size_t)(start - c->line);
        memmove(c->line, start, c->used);
        if (c->used == sizeof c->line - 1) { finish(c, "line too long"); return; }
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4) { fprintf(stderr, "usage: netserver PORT PEER REFUSED-PORT\n"); return 2; }
    int port = atoi(argv[1]);
    peer.sin_family = AF_INET;
    peer.sin_port = htons((unsigned short)atoi(argv[3]));
    inet_pton(AF_INET, argv[2], &peer.sin_addr);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 64) < 0) { perror("listen"); return 1; }
    int datagrams = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (bind(datagrams, (struct sockaddr *)&address, sizeof address) < 0) { perror("bind udp"); return 1; }

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);
    event.data.fd = datagrams;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, datagrams, &event);
    printf("listening on %d\n", port);

    for (;;) {
        struct epoll_event events[64];
        int ready = epoll_wait(epoll_fd, events, 64, -1);
        if (ready < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    struct sockaddr_in from;
                    socklen_t length = sizeof from;
                    int accepted = accept4(listener, (struct sockaddr *)&from, &length, SOCK_NONBLOCK);
                    if (accepted < 0) break;
                    if (accepted >= 1024) { close(accepted); continue; }
                    setsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct connection *c = calloc(1, sizeof *c);
                    c->fd = accepted;
                    c->number = ++connection_count;
                    connections[accepted] = c;
                    struct epoll_event watch_event = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = accepted};
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, accepted, &watch_event);
                    printf("conn %d: accepted (%s)\n", c->number, length == sizeof from && from.sin_family == AF_INET ? "AF_INET" : "?");
                }
            } else if (fd == datagrams) {
                char buffer[2048];
                struct sockaddr_in from;
                socklen_t length = sizeof from;
                ssize_t n;
                while ((n = recvfrom(datagrams, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length)) >= 0) {
                    printf("udp: %zd bytes\n", n);
                    sendto(datagrams, buffer, (size_t)n, 0, (struct sockaddr *)&from, length);
                    length = sizeof from;
                }
            } else if (connections[fd]) {
                struct connection *c = connections[fd];
                if (events[i].events & EPOLLOUT) push_big(c);
                if (connections[fd] && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) readable(c);
            }
        }
    }
}
