/*
 * The bench's reference client: one HTTPS probe per line read on stdin ("host port path"),
 * as plain as a client gets: blocking sockets, no event loop, OpenSSL called directly, each
 * phase stamped with CLOCK_MONOTONIC right around the system call or OpenSSL call that does
 * it (the link emulator logs packets on the same clock). It shows what this lab lets any
 * client measure, beside the two exporters; it is not a product client.
 *
 *   dns        send() of an A query to the nameserver .. recv() of its answer
 *   connect    connect() .. its return
 *   tls        the write() of the ClientHello (stamped by a BIO callback, so building it is
 *              outside, as in the exporter) .. SSL_connect()'s return (the chain verified
 *              against the CA file, and the name)
 *   first_byte SSL_write() of the request .. the first SSL_read() that returns response bytes
 *
 * One JSON line per probe on stdout: {"success":true,"dns":[t0,t1],...,"tlsVersion":"TLSv1.3"}
 * with CLOCK_MONOTONIC nanoseconds, or {"success":false,"phase":"tls","error":"..."}.
 * Usage: reference-client CA_FILE [NAMESERVER[:PORT]]  (default: resolv.conf's first, port 53)
 * Build: cc -O2 -o reference-client reference-client.c -lssl -lcrypto
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_SECONDS 5

typedef struct {
  long long t0, t1;
} span;

typedef struct {
  span dns, connect, tls, first_byte;
  int has_dns;
  const char *tls_version;
  const char *failed_phase;
  char error[256];
} probe_result;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int fail(probe_result *r, const char *phase, const char *what) {
  r->failed_phase = phase;
  snprintf(r->error, sizeof r->error, "%s", what);
  return -1;
}

static void set_timeouts(int fd) {
  struct timeval tv = {TIMEOUT_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* The first "nameserver" of /etc/resolv.conf (ip netns exec mounts the namespace's own). */
static int nameserver(struct in_addr *out) {
  FILE *f = fopen("/etc/resolv.conf", "r");
  char line[256], addr[64];
  int found = 0;
  if (!f) return -1;
  while (!found && fgets(line, sizeof line, f))
    if (sscanf(line, " nameserver %63s", addr) == 1 && inet_pton(AF_INET, addr, out) == 1) found = 1;
  fclose(f);
  return found ? 0 : -1;
}

/* An A query for `host` into buf; returns its length or -1. */
static int build_query(const char *host, uint16_t id, unsigned char *buf, size_t cap) {
  size_t n = 12, len = strlen(host);
  const char *label = host;
  if (len + 18 > cap) return -1;
  memset(buf, 0, 12);
  buf[0] = id >> 8, buf[1] = id & 0xff, buf[2] = 0x01 /* RD */, buf[5] = 1 /* QDCOUNT */;
  while (*label) {
    const char *dot = strchr(label, '.');
    size_t l = dot ? (size_t)(dot - label) : strlen(label);
    if (l == 0 || l > 63) return -1;
    buf[n++] = (unsigned char)l;
    memcpy(buf + n, label, l), n += l;
    label += l + (dot ? 1 : 0);
  }
  buf[n++] = 0;
  buf[n++] = 0, buf[n++] = 1; /* QTYPE A */
  buf[n++] = 0, buf[n++] = 1; /* QCLASS IN */
  return (int)n;
}

/* Skips a (possibly compressed) name at buf[*at]; -1 past the end. */
static int skip_name(const unsigned char *buf, int len, int *at) {
  while (*at < len) {
    unsigned char l = buf[*at];
    if (l == 0) return (*at)++, 0;
    if ((l & 0xc0) == 0xc0) return (*at += 2) <= len ? 0 : -1;
    *at += l + 1;
  }
  return -1;
}

/* The first A record of an answer to query `id`. */
static int parse_answer(const unsigned char *buf, int len, uint16_t id, struct in_addr *out) {
  int at = 12, an;
  if (len < 12 || ((buf[0] << 8) | buf[1]) != id || !(buf[2] & 0x80)) return -1;
  if ((buf[3] & 0x0f) != 0) return -2;
  an = (buf[6] << 8) | buf[7];
  if (skip_name(buf, len, &at) < 0) return -1;
  at += 4;
  for (; an > 0; an--) {
    int type, rdlen;
    if (skip_name(buf, len, &at) < 0 || at + 10 > len) return -1;
    type = (buf[at] << 8) | buf[at + 1];
    rdlen = (buf[at + 8] << 8) | buf[at + 9];
    at += 10;
    if (at + rdlen > len) return -1;
    if (type == 1 && rdlen == 4) return memcpy(out, buf + at, 4), 0;
    at += rdlen;
  }
  return -2;
}

/* The nameserver given on the command line ("address[:port]"), else resolv.conf's. */
static struct sockaddr_in dns_server;

static int resolve(const char *host, struct in_addr *out, probe_result *r) {
  unsigned char query[512], answer[1500];
  struct sockaddr_in ns = dns_server;
  uint16_t id = (uint16_t)(now_ns() ^ getpid());
  int fd, qlen, alen, parsed;
  if (ns.sin_family != AF_INET && nameserver(&ns.sin_addr) < 0) return fail(r, "dns", "no nameserver in /etc/resolv.conf");
  ns.sin_family = AF_INET;
  if (ns.sin_port == 0) ns.sin_port = htons(53);
  if ((qlen = build_query(host, id, query, sizeof query)) < 0) return fail(r, "dns", "bad host name");
  if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) return fail(r, "dns", strerror(errno));
  set_timeouts(fd);
  if (connect(fd, (struct sockaddr *)&ns, sizeof ns) < 0) return close(fd), fail(r, "dns", strerror(errno));
  r->dns.t0 = now_ns();
  if (send(fd, query, (size_t)qlen, 0) != qlen) return close(fd), fail(r, "dns", strerror(errno));
  alen = (int)recv(fd, answer, sizeof answer, 0);
  r->dns.t1 = now_ns();
  close(fd);
  if (alen < 0) return fail(r, "dns", errno == EAGAIN ? "timeout" : strerror(errno));
  r->has_dns = 1;
  parsed = parse_answer(answer, alen, id, out);
  return parsed == 0 ? 0 : fail(r, "dns", parsed == -2 ? "no A record" : "malformed answer");
}

static int tcp_connect(struct in_addr addr, int port, probe_result *r) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = addr};
  int fd = socket(AF_INET, SOCK_STREAM, 0), rc;
  if (fd < 0) return fail(r, "connect", strerror(errno));
  set_timeouts(fd);
  r->connect.t0 = now_ns();
  rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  r->connect.t1 = now_ns();
  if (rc < 0) return close(fd), fail(r, "connect", errno == EINPROGRESS ? "timeout" : strerror(errno));
  /* As Go, curl and the exporter's probe do: without it Nagle holds the request until the
   * client Finished is acknowledged, a whole round trip. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
  return fd;
}

static int tls_error(probe_result *r, const char *phase, SSL *ssl) {
  unsigned long e = ERR_get_error();
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return fail(r, phase, X509_verify_cert_error_string(verify));
  return fail(r, phase, e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "openssl error" : "connection closed");
}

/* Stamps the first write to the socket (the ClientHello) into the long long it is given. */
static long first_write(BIO *bio, int oper, const char *argp, size_t len, int argi, long argl, int ret, size_t *processed) {
  long long *stamp = (long long *)BIO_get_callback_arg(bio);
  (void)argp, (void)len, (void)argi, (void)argl, (void)processed;
  if (oper == BIO_CB_WRITE && stamp && *stamp == 0) *stamp = now_ns();
  return ret;
}

static int https_exchange(SSL_CTX *ctx, int fd, const char *host, const char *path, probe_result *r) {
  char request[1024], response[16384];
  int len, got;
  SSL *ssl = SSL_new(ctx);
  struct in_addr literal;
  if (!ssl) return fail(r, "tls", "SSL_new");
  SSL_set_fd(ssl, fd);
  if (inet_pton(AF_INET, host, &literal) != 1) SSL_set_tlsext_host_name(ssl, host);
  SSL_set1_host(ssl, host);
  BIO_set_callback_ex(SSL_get_wbio(ssl), first_write);
  BIO_set_callback_arg(SSL_get_wbio(ssl), (char *)&r->tls.t0);
  got = SSL_connect(ssl);
  BIO_set_callback_ex(SSL_get_wbio(ssl), NULL);
  r->tls.t1 = now_ns();
  if (got != 1) return tls_error(r, "tls", ssl), SSL_free(ssl), -1;
  r->tls_version = SSL_get_version(ssl);
  len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: o365-bench-reference\r\nConnection: close\r\n\r\n", path, host);
  r->first_byte.t0 = now_ns();
  if (SSL_write(ssl, request, len) != len) return tls_error(r, "http", ssl), SSL_free(ssl), -1;
  got = SSL_read(ssl, response, sizeof response);
  r->first_byte.t1 = now_ns();
  if (got <= 0) return tls_error(r, "http", ssl), SSL_free(ssl), -1;
  if (got < 12 || strncmp(response, "HTTP/1.", 7) != 0) return SSL_free(ssl), fail(r, "http", "not an HTTP response");
  SSL_free(ssl);
  return 0;
}

static void probe(SSL_CTX *ctx, const char *host, int port, const char *path, probe_result *r) {
  struct in_addr addr;
  int fd;
  memset(r, 0, sizeof *r);
  ERR_clear_error(); /* a previous probe's errors must not name this one's failure */
  if (inet_pton(AF_INET, host, &addr) != 1 && resolve(host, &addr, r) < 0) return;
  if ((fd = tcp_connect(addr, port, r)) < 0) return;
  https_exchange(ctx, fd, host, path, r);
  close(fd);
}

static int parse_nameserver(const char *arg) {
  char addr[64];
  const char *colon = strchr(arg, ':');
  size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
  int port = colon ? atoi(colon + 1) : 53;
  if (len >= sizeof addr || port <= 0 || port > 65535) return -1;
  memcpy(addr, arg, len), addr[len] = 0;
  if (inet_pton(AF_INET, addr, &dns_server.sin_addr) != 1) return -1;
  dns_server.sin_family = AF_INET;
  dns_server.sin_port = htons((uint16_t)port);
  return 0;
}

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

static void print_result(const probe_result *r) {
  if (r->failed_phase) {
    printf("{\"success\":false,\"phase\":\"%s\",\"error\":", r->failed_phase);
    json_string(r->error);
    printf("}\n");
  } else {
    printf("{\"success\":true,");
    if (r->has_dns) printf("\"dns\":[%lld,%lld],", r->dns.t0, r->dns.t1);
    printf("\"connect\":[%lld,%lld],\"tls\":[%lld,%lld],\"first_byte\":[%lld,%lld],\"tlsVersion\":\"%s\"}\n", r->connect.t0, r->connect.t1,
           r->tls.t0, r->tls.t1, r->first_byte.t0, r->first_byte.t1, r->tls_version);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  static const unsigned char alpn[] = "\x08http/1.1";
  char line[1024], host[256], path[512];
  int port;
  SSL_CTX *ctx;
  if (argc < 2 || argc > 3) return fprintf(stderr, "usage: %s CA_FILE [NAMESERVER[:PORT]]  (then \"host port path\" lines on stdin)\n", argv[0]), 2;
  if (argc == 3 && parse_nameserver(argv[2]) < 0) return fprintf(stderr, "not an IPv4 address[:port]: %s\n", argv[2]), 2;
  ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[1], NULL) != 1) return fprintf(stderr, "cannot load CA file %s\n", argv[1]), 2;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
  printf("ready\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    probe_result r;
    if (sscanf(line, "%255s %d %511s", host, &port, path) != 3 || port <= 0 || port > 65535) {
      printf("{\"success\":false,\"phase\":\"input\",\"error\":\"expected: host port path\"}\n");
      fflush(stdout);
      continue;
    }
    probe(ctx, host, port, path, &r);
    print_result(&r);
  }
  SSL_CTX_free(ctx);
  return 0;
}
