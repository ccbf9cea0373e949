// Sockets on the loopback network as an ordinary Linux program uses them: a TCP server thread
// and clients (blocking and non-blocking accept, epoll on the listener, half-close, peer
// close, large transfers), UDP datagrams both ways, a Unix socket pair, and the errors Linux
// gives (refused, in use, not available, not connected, EPIPE after shutdown). Port numbers
// are not printed (the kernel picks them); the output must equal the host's.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char *what, long result) {
    if (result < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("%s: ok\n", what);
}

static struct sockaddr_in loopback(unsigned short port) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return address;
}

static unsigned short port_of(int descriptor) {
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    getsockname(descriptor, (struct sockaddr *)&address, &length);
    return ntohs(address.sin_port);
}

static int listener;

// Serves three connections: echoes upper-cased lines until the client half-closes, then says
// how many bytes it got.
static void *server(void *unused) {
    (void)unused;
    for (int i = 0; i < 3; i++) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        int connection = accept4(listener, (struct sockaddr *)&peer, &length, SOCK_CLOEXEC);
        if (connection < 0) { perror("accept4"); exit(1); }
        long total = 0;
        char buffer[4096];
        ssize_t n;
        while ((n = read(connection, buffer, sizeof buffer)) > 0) {
            total += n;
            if (i < 2) {
                for (ssize_t k = 0; k < n; k++) if (buffer[k] >= 'a' && buffer[k] <= 'z') buffer[k] -= 32;
                ssize_t done = 0;
                while (done < n) { ssize_t m = write(connection, buffer + done, n - done); if (m < 0) { perror("write"); exit(1); } done += m; }
            }
        }
        char reply[64];
        int size = snprintf(reply, sizeof reply, "got %ld bytes from %s\n", total, peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "127.0.0.1" : "?");
        send(connection, reply, size, MSG_NOSIGNAL);
        close(connection);
    }
    return NULL;
}

static int client(void) {
    int descriptor = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = loopback(port_of(listener));
    if (connect(descriptor, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
    int one = 1;
    setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return descriptor;
}

static void read_all(int descriptor, const char *label) {
    char buffer[256];
    ssize_t n, total = 0;
    while ((n = read(descriptor, buffer + total, sizeof buffer - 1 - total)) > 0) total += n;
    buffer[total] = 0;
    printf("%s: %s", label, buffer);
}

static void tcp(void) {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    show("SO_REUSEADDR", setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in any = loopback(0);
    show("bind", bind(listener, (struct sockaddr *)&any, sizeof any));
    show("bind again", bind(listener, (struct sockaddr *)&any, sizeof any));
    show("listen", listen(listener, 16));
    int type = 0, accepting = 0;
    socklen_t size = sizeof type;
    getsockopt(listener, SOL_SOCKET, SO_TYPE, &type, &size);
    size = sizeof accepting;
    getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size);
    printf("type %d, accepting %d\n", type, accepting);

    int other = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in same = loopback(port_of(listener));
    show("bind a port in use", bind(other, (struct sockaddr *)&same, sizeof same));
    struct sockaddr_in foreign = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = inet_addr("10.1.2.3")};
    show("bind a foreign address", bind(other, (struct sockaddr *)&foreign, sizeof foreign));
    struct sockaddr_in nobody = loopback(1);
    show("connect to a closed port", connect(other, (struct sockaddr *)&nobody, sizeof nobody));
    close(other);
    other = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    show("getpeername unconnected", getpeername(other, (struct sockaddr *)&peer, &length));
    show("accept on a socket that does not listen", accept(other, NULL, NULL));
    show("send unconnected", send(other, "x", 1, MSG_NOSIGNAL));
    close(other);

    // The listener is readable once a connection waits; a non-blocking accept says EAGAIN first.
    fcntl(listener, F_SETFL, O_NONBLOCK);
    show("accept with none waiting", accept(listener, NULL, NULL));
    int poller = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event interest = {.events = EPOLLIN, .data.u32 = 7};
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &interest);
    struct epoll_event events[4];
    printf("epoll before: %d\n", epoll_wait(poller, events, 4, 0));
    int first = client();
    int ready = epoll_wait(poller, events, 4, 1000);
    printf("epoll after connect: %d, data %u, in %d\n", ready, events[0].data.u32, (events[0].events & EPOLLIN) != 0);
    close(poller);
    fcntl(listener, F_SETFL, 0);

    pthread_t thread;
    pthread_create(&thread, NULL, server, NULL);
    const char *line = "hello over loopback\n";
    write(first, line, strlen(line));
    char echo[64] = {0};
    ssize_t got = 0;
    while (got < (ssize_t)strlen(line)) { ssize_t n = read(first, echo + got, sizeof echo - 1 - got); if (n <= 0) break; got += n; }
    printf("echo: %s", echo);
    struct sockaddr_in mine, theirs;
    socklen_t a = sizeof mine, b = sizeof theirs;
    getsockname(first, (struct sockaddr *)&mine, &a);
    getpeername(first, (struct sockaddr *)&theirs, &b);
    printf("names: %s, peer port is the listener's: %d\n", inet_ntoa(mine.sin_addr), ntohs(theirs.sin_port) == port_of(listener));
    show("shutdown write", shutdown(first, SHUT_WR));
    show("send after shutdown", send(first, "x", 1, MSG_NOSIGNAL));
    read_all(first, "after half-close");
    close(first);

    // A large transfer in both directions (more than the buffers hold), polled.
    int second = client();
    fcntl(second, F_SETFL, O_NONBLOCK);
    static char out[300000], in[300000];
    for (size_t i = 0; i < sizeof out; i++) out[i] = 'a' + i % 26;
    size_t sent = 0, received = 0;
    while (received < sizeof out) {
        struct pollfd entry = {.fd = second, .events = POLLIN | (sent < sizeof out ? POLLOUT : 0)};
        if (poll(&entry, 1, 5000) <= 0) { printf("poll timed out\n"); exit(1); }
        if ((entry.revents & POLLOUT) && sent < sizeof out) {
            ssize_t n = send(second, out + sent, sizeof out - sent, MSG_NOSIGNAL);
            if (n > 0) sent += n; else if (errno != EAGAIN) { perror("send"); exit(1); }
        }
        if (entry.revents & POLLIN) {
            ssize_t n = recv(second, in + received, sizeof in - received, 0);
            if (n > 0) received += n; else if (n < 0 && errno != EAGAIN) { perror("recv"); exit(1); }
        }
    }
    long differences = 0;
    for (size_t i = 0; i < sizeof out; i++) if (in[i] != out[i] - 32) differences++;
    printf("large: %zu bytes back, %ld differences\n", received, differences);
    fcntl(second, F_SETFL, 0);
    shutdown(second, SHUT_WR);
    read_all(second, "after large");
    close(second);

    // The third connection: the client sends and closes; the server's reply finds no reader.
    int third = client();
    write(third, "bye", 3);
    close(third);
    pthread_join(thread, NULL);
    close(listener);
    printf("tcp done\n");
}

static void udp(void) {
    int server = socket(AF_INET, SOCK_DGRAM, 0), sender = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = loopback(0);
    bind(server, (struct sockaddr *)&address, sizeof address);
    address = loopback(port_of(server));
    show("sendto", sendto(sender, "ping", 4, 0, (struct sockaddr *)&address, sizeof address));
    show("sendto again", sendto(sender, "second datagram", 15, 0, (struct sockaddr *)&address, sizeof address));
    int waiting = 0;
    ioctl(server, FIONREAD, &waiting);
    printf("FIONREAD: %d\n", waiting);
    char buffer[64] = {0};
    struct sockaddr_in from;
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(server, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length);
    printf("received %zd: %s from the sender: %d\n", n, buffer, ntohs(from.sin_port) == port_of(sender));
    n = recv(server, buffer, 6, MSG_TRUNC);
    printf("truncated: %zd, kept %.6s\n", n, buffer);
    sendto(server, "pong", 4, 0, (struct sockaddr *)&from, length);
    memset(buffer, 0, sizeof buffer);
    struct iovec piece = {.iov_base = buffer, .iov_len = sizeof buffer};
    struct msghdr message = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &piece, .msg_iovlen = 1};
    n = recvmsg(sender, &message, 0);
    printf("recvmsg %zd: %s\n", n, buffer);
    fcntl(server, F_SETFL, O_NONBLOCK);
    n = recv(server, buffer, sizeof buffer, 0);
    printf("empty: %zd %s\n", n, strerror(errno));
    show("send without a destination", send(server, "x", 1, 0));
    close(server);
    close(sender);
}

static void pair(void) {
    int ends[2];
    show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, ends));
    write(ends[0], "across", 6);
    char buffer[16] = {0};
    read(ends[1], buffer, sizeof buffer);
    write(ends[1], "and back", 8);
    char back[16] = {0};
    read(ends[0], back, sizeof back);
    printf("pair: %s, %s\n", buffer, back);
    close(ends[1]);
    printf("pair end: %zd\n", read(ends[0], buffer, sizeof buffer));
    close(ends[0]);
    show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, ends));
    show("not a socket", listen(0, 1));
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    tcp();
    udp();
    pair();
    printf("done\n");
    return 0;
}
