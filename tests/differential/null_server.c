/*
 * A do-nothing HTTP server for bench.py: it answers every read on a connection with the same
 * small 200 response, without parsing anything. Its round trip is the least any server can cost
 * the benchmark's client on this machine, which puts the latency ratios in proportion.
 *
 *   cc -O2 -o null_server null_server.c && ./null_server PORT
 *
 * Listens on 127.0.0.1 only; one connection at a time (the benchmark uses one).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)atoi(argv[1]));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
        perror("null_server: bind/listen");
        return 1;
    }
    static const char response[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
    static char buffer[65536];
    for (;;) {
        int connection = accept(listener, NULL, NULL);
        if (connection < 0) continue;
        setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while (read(connection, buffer, sizeof buffer) > 0) {
            if (write(connection, response, sizeof response - 1) < 0) break;
        }
        close(connection);
    }
}
