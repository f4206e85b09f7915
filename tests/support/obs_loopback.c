/*
 * obs_loopback.c: LD_PRELOAD shim that keeps the test OBS on the loopback interface.
 *
 * obs-websocket 5.1 (OBS 29) has no bind-address setting and listens on every interface, and OBS fetches
 * rtmp-services updates from obsproject.com at start. Preloaded into OBS, this shim
 *   - bind():                      rewrites wildcard addresses (0.0.0.0, ::) to 127.0.0.1 / ::1;
 *   - connect(), sendto(), sendmsg(): refuse (ENETUNREACH) any IPv4/IPv6 peer that is not loopback;
 *   - getaddrinfo():               resolves only "localhost" and numeric addresses (EAI_NONAME otherwise),
 * so no packet and no DNS query leaves the machine. Unix sockets (X11, D-Bus) pass untouched.
 *
 * Build: cc -shared -fPIC -O2 -o obs_loopback.so obs_loopback.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* the next definition of a libc function (GCC/Clang __typeof__ keeps the prototypes in one place) */
#define REAL(name) \
    static __typeof__(name) *real_##name; \
    if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static void blocked(const char *what, const struct sockaddr *a, const char *name) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (a && a->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, buf, sizeof buf);
    else if (a && a->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, buf, sizeof buf);
    fprintf(stderr, "[obs_loopback] blocked %s %s\n", what, name ? name : buf);
}

/* 1 when the address is loopback or not an IP address at all */
static int is_local(const struct sockaddr *a, socklen_t len) {
    if (!a) return 1;
    if (a->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct in6_addr *s = &((const struct sockaddr_in6 *)a)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(s)) return s->s6_addr[12] == 127;
        return IN6_IS_ADDR_LOOPBACK(s);
    }
    return 1;
}

int bind(int fd, const struct sockaddr *a, socklen_t len) {
    REAL(bind);
    if (a && a->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in s;
        memcpy(&s, a, sizeof s);
        if (s.sin_addr.s_addr == htonl(INADDR_ANY)) {
            s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            return real_bind(fd, (struct sockaddr *)&s, sizeof s);
        }
    } else if (a && a->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 s;
        memcpy(&s, a, sizeof s);
        if (IN6_IS_ADDR_UNSPECIFIED(&s.sin6_addr)) {
            s.sin6_addr = in6addr_loopback;
            return real_bind(fd, (struct sockaddr *)&s, sizeof s);
        }
    }
    return real_bind(fd, a, len);
}

int connect(int fd, const struct sockaddr *a, socklen_t len) {
    REAL(connect);
    if (!is_local(a, len)) {
        blocked("connect to", a, NULL);
        errno = ENETUNREACH;
        return -1;
    }
    return real_connect(fd, a, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a, socklen_t len) {
    REAL(sendto);
    if (!is_local(a, len)) {
        blocked("sendto", a, NULL);
        errno = ENETUNREACH;
        return -1;
    }
    return real_sendto(fd, buf, n, flags, a, len);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags) {
    REAL(sendmsg);
    if (m && m->msg_name && !is_local((const struct sockaddr *)m->msg_name, m->msg_namelen)) {
        blocked("sendmsg", (const struct sockaddr *)m->msg_name, NULL);
        errno = ENETUNREACH;
        return -1;
    }
    return real_sendmsg(fd, m, flags);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    REAL(getaddrinfo);
    unsigned char tmp[sizeof(struct in6_addr)];
    if (node && strcasecmp(node, "localhost") != 0 && inet_pton(AF_INET, node, tmp) != 1 &&
        inet_pton(AF_INET6, node, tmp) != 1) {
        blocked("name lookup of", NULL, node);
        return EAI_NONAME;
    }
    return real_getaddrinfo(node, service, hints, res);
}
