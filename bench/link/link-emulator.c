/*
 * Userspace link emulator in C: the same job, command line, stdin/stdout protocol and packet
 * log as link-emulator.py (see there), with less of its own time in every packet's path.
 * The bench compiles it at start (`cc -O2`) and falls back to the Python one without a compiler.
 *
 * Usage: link-emulator TUN_A TUN_B MAX_SECONDS
 * Env: LINK_SPIN_US (default 100), the busy-poll before a packet is due; LINK_HOT_US (default 0),
 * how long it keeps busy-polling after it last read a packet, so that an answer arriving soon
 * after is read at once instead of after a wake-up from epoll (~0.1 ms on a VM). Off by default:
 * on the 2-core bench VM the spinning SCHED_FIFO process took a CPU from the peers and exporters
 * (UDP echo at 0 ms: 0.36-0.39 ms -> 0.5-4.5 ms median; accuracy floor +1 to +4 ms).
 * Prints "ready", then answers each stdin line with one JSON line:
 *   set DELAY_MS JITTER_MS LOSS -> {"ok": true}
 *   dump                        -> {"packets": [[dir, got, sent, due, proto, sport, dport, flags, payload, dnsId, read], ...]}
 *   tap NETNS_A NETNS_B         -> {"ok": true} or {"ok": false, "error": "..."}
 *
 * Times. Without `tap`, a packet's `got` is when this process read it from its TUN device: up to
 * ~0.1 ms after the sending host wrote it, on a VM, while this process woke from epoll, and that
 * wake-up then lengthened the link by as much. `tap` (sent once the harness has moved the TUN
 * devices into their namespaces, named as in /run/netns) opens a packet socket on each device
 * in its namespace with kernel receive timestamps: for each packet read, `got` is then the time
 * the sending host's kernel handed it to the device (dev_queue_xmit's copy to packet sockets,
 * which comes before the TUN queue), `read` stays the time this process read it, and the packet
 * is due at got + delay, so the wake-up is no longer part of the emulated link. `sent` is taken
 * just before the write(): the kernel delivers the packet to the receiving host inside it
 * (receiving socket woken before write() returns), so that is when it reached the host.
 *
 * Why it is faster: epoll wakes it when a packet arrives; a timerfd armed at an absolute
 * CLOCK_MONOTONIC time wakes it SPIN_US (default 100) before the next packet is due, and it
 * busy-polls the TUN devices from there, so a packet leaves within a few microseconds of its
 * due time. Each direction is a FIFO (jitter never reorders a direction, so due times only
 * grow), memory is locked, and logging is a struct copy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_LOG 200000
#define QUEUE 4096 /* packets in flight per direction; more are dropped, as a full queue would */
#define MTU_MAX 65536

typedef struct { int64_t due, got, read; uint32_t len; uint8_t *data; } Held;
typedef struct { Held q[QUEUE]; uint32_t head, tail; int64_t last_due; int in, out, tap; const char *name, *dev; } Dir;
typedef struct { int64_t got, sent, due, read; int32_t proto, sport, dport, flags, payload, dns_id; uint8_t dir; } Entry;

static Dir dirs[2];
static Entry *log_;
static size_t log_len;
static int64_t delay_ns, jitter_ns;
static double loss;
static uint8_t buf[MTU_MAX];

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int open_tun(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
    perror(name);
    exit(1);
  }
  return fd;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* (proto, sport, dport, tcp flags, payload bytes, dns id) of an IPv4 packet, as the Python one. */
static void describe(const uint8_t *p, uint32_t len, Entry *e) {
  e->proto = 0; e->sport = 0; e->dport = 0; e->flags = 0; e->payload = (int32_t)len; e->dns_id = -1;
  if (len < 20 || p[0] >> 4 != 4) return;
  uint32_t ihl = (p[0] & 0x0F) * 4u, total = be16(p + 2);
  e->proto = p[9];
  if (len >= ihl + 4) { e->sport = be16(p + ihl); e->dport = be16(p + ihl + 2); }
  if (e->proto == 6 && len >= ihl + 14) {
    e->flags = p[ihl + 13];
    e->payload = (int32_t)(total - ihl - (p[ihl + 12] >> 4) * 4u);
  } else if (e->proto == 17 && len >= ihl + 10) {
    e->payload = (int32_t)(total - ihl - 8);
    e->dns_id = be16(p + ihl + 8);
  } else {
    e->payload = (int32_t)(total - ihl);
  }
}

static int64_t last_read;

static int64_t realtime_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * The kernel's timestamp of the packet just read from d->in (its copy on the tap, same order
 * as the TUN queue), as CLOCK_MONOTONIC; `fallback` when the tap has no matching copy (it
 * dropped one, or is off).
 */
static int64_t tap_time(Dir *d, const uint8_t *pkt, ssize_t len, int64_t fallback) {
  static uint8_t copy[MTU_MAX];
  if (d->tap < 0) return fallback;
  /* Copies of packets the TUN queue dropped (full) are skipped; a copy the tap dropped makes a miss. */
  for (int tries = 0; tries < 64; tries++) {
    char control[256];
    struct sockaddr_ll from;
    struct iovec iov = { copy, sizeof copy };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    ssize_t n = recvmsg(d->tap, &m, MSG_DONTWAIT);
    if (n < 0) break;
    if (from.sll_pkttype != PACKET_OUTGOING || n != len || memcmp(copy, pkt, len < 40 ? (size_t)len : 40) != 0) continue;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      struct timespec t;
      memcpy(&t, CMSG_DATA(c), sizeof t);
      /* Realtime to monotonic: the offset moves by NTP's slew only, ppm over a run. */
      int64_t stamp = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec - (realtime_ns() - now_ns());
      return stamp <= fallback ? stamp : fallback;
    }
    break;
  }
  return fallback;
}

/* Reads every packet waiting on one side and queues it with its due time. */
static void drain(Dir *d) {
  for (;;) {
    ssize_t n = read(d->in, buf, sizeof buf);
    if (n <= 0) return;
    int64_t read_at = now_ns();
    int64_t got = tap_time(d, buf, n, read_at);
    last_read = read_at;
    if (loss > 0 && drand48() < loss) continue;
    int64_t hold = delay_ns + (jitter_ns ? (int64_t)((drand48() * 2 - 1) * (double)jitter_ns) : 0);
    int64_t due = got + hold > d->last_due ? got + hold : d->last_due;
    if (d->tail - d->head >= QUEUE) continue;
    Held *h = &d->q[d->tail % QUEUE];
    h->data = malloc((size_t)n);
    if (!h->data) continue;
    memcpy(h->data, buf, (size_t)n);
    h->len = (uint32_t)n; h->got = got; h->read = read_at; h->due = due;
    d->last_due = due;
    d->tail++;
  }
}

/* Writes every packet that is due; returns the next due time of the two queues (or INT64_MAX). */
static int64_t flush(void) {
  int64_t next = INT64_MAX;
  for (int i = 0; i < 2; i++) {
    Dir *d = &dirs[i];
    while (d->head != d->tail) {
      Held *h = &d->q[d->head % QUEUE];
      int64_t sent = now_ns();
      if (h->due > sent) { if (h->due < next) next = h->due; break; }
      ssize_t w = write(d->out, h->data, h->len); /* on error the packet is lost, as on a link */
      if (w >= 0 && log_len < MAX_LOG) {
        Entry *e = &log_[log_len++];
        e->dir = (uint8_t)i; e->got = h->got; e->sent = sent; e->due = h->due; e->read = h->read;
        describe(h->data, h->len, e);
      }
      free(h->data);
      d->head++;
    }
  }
  return next;
}

static void dump(void) {
  fputs("{\"packets\": [", stdout);
  for (size_t i = 0; i < log_len; i++) {
    Entry *e = &log_[i];
    printf("%s[\"%s\",%lld,%lld,%lld,%d,%d,%d,%d,%d,%d,%lld]", i ? "," : "", dirs[e->dir].name, (long long)e->got,
           (long long)e->sent, (long long)e->due, e->proto, e->sport, e->dport, e->flags, e->payload, e->dns_id, (long long)e->read);
  }
  fputs("]}\n", stdout);
  fflush(stdout);
  log_len = 0;
}

/* A packet socket on `dev` inside network namespace `ns` (/run/netns/NS), with kernel timestamps. */
static int open_tap(const char *ns, const char *dev, char *why, size_t cap) {
  char path[300];
  int home = open("/proc/self/ns/net", O_RDONLY), fd = -1;
  snprintf(path, sizeof path, "/run/netns/%s", ns);
  int there = open(path, O_RDONLY);
  if (home < 0 || there < 0 || setns(there, CLONE_NEWNET) < 0) {
    snprintf(why, cap, "cannot enter %s: %s", path, strerror(errno));
  } else {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
    fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_ALL));
    int on = 1, big = 4 << 20;
    struct sockaddr_ll at = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
    if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0 || (at.sll_ifindex = ifr.ifr_ifindex, bind(fd, (struct sockaddr *)&at, sizeof at) < 0) ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) {
      snprintf(why, cap, "packet socket on %s in %s: %s", dev, ns, strerror(errno));
      if (fd >= 0) close(fd);
      fd = -1;
    } else {
      /* Only the packets the host sends into the device, not the ones written here. */
      struct sock_filter outgoing[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffff),
        BPF_STMT(BPF_RET | BPF_K, 0),
      };
      struct sock_fprog prog = { .len = 4, .filter = outgoing };
      setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
      setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    }
    if (setns(home, CLONE_NEWNET) < 0) { perror("setns back"); exit(1); }
  }
  if (home >= 0) close(home);
  if (there >= 0) close(there);
  return fd;
}

static void tap(const char *ns_a, const char *ns_b) {
  char why[400] = "";
  int a = open_tap(ns_a, dirs[0].dev, why, sizeof why);
  int b = a < 0 ? -1 : open_tap(ns_b, dirs[1].dev, why, sizeof why);
  if (a < 0 || b < 0) {
    if (a >= 0) close(a);
    printf("{\"ok\": false, \"error\": \"%s\"}\n", why);
  } else {
    /* A packet queued on a device before its tap opened has no copy: it keeps its read time. */
    dirs[0].tap = a, dirs[1].tap = b;
    puts("{\"ok\": true}");
  }
  fflush(stdout);
}

/* Handles complete command lines; returns 0 when stdin closed. */
static int commands(void) {
  static char line[4096];
  static size_t have;
  ssize_t n = read(0, line + have, sizeof line - 1 - have);
  if (n == 0) return 0;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  have += (size_t)n;
  char *nl;
  while ((nl = memchr(line, '\n', have)) != NULL) {
    *nl = 0;
    double d, j, l;
    char ns_a[128], ns_b[128];
    if (sscanf(line, "tap %127s %127s", ns_a, ns_b) == 2) {
      tap(ns_a, ns_b);
    } else if (sscanf(line, "set %lf %lf %lf", &d, &j, &l) == 3) {
      delay_ns = (int64_t)(d * 1e6); jitter_ns = (int64_t)(j * 1e6); loss = l;
      puts("{\"ok\": true}");
      fflush(stdout);
    } else if (strncmp(line, "dump", 4) == 0) {
      dump();
    }
    size_t used = (size_t)(nl - line) + 1;
    memmove(line, nl + 1, have - used);
    have -= used;
  }
  if (have == sizeof line - 1) have = 0; /* a line that long is no command */
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s TUN_A TUN_B MAX_SECONDS\n", argv[0]);
    return 2;
  }
  const char *spin_env = getenv("LINK_SPIN_US");
  int64_t spin = (spin_env ? atoll(spin_env) : 100) * 1000;
  const char *hot_env = getenv("LINK_HOT_US");
  int64_t hot = (hot_env ? atoll(hot_env) : 0) * 1000;
  int64_t end = now_ns() + (int64_t)(atof(argv[3]) * 1e9);
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  srand48(now_ns());
  log_ = calloc(MAX_LOG, sizeof *log_);
  if (!log_) return 1;
  mlockall(MCL_CURRENT | MCL_FUTURE); /* best effort: no page fault on a packet's path */
  int a = open_tun(argv[1]), b = open_tun(argv[2]);
  dirs[0] = (Dir){ .in = a, .out = b, .tap = -1, .name = "ab", .dev = argv[1] };
  dirs[1] = (Dir){ .in = b, .out = a, .tap = -1, .name = "ba", .dev = argv[2] };
  int ep = epoll_create1(0), timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  int fds[4] = { a, b, 0, timer };
  for (int i = 0; i < 4; i++) {
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  puts("ready");
  fflush(stdout);
  for (;;) {
    int64_t next = flush(), now = now_ns();
    if (now >= end) return 0;
    if (next - now <= spin || now - last_read < hot) { /* due soon, or traffic: poll instead of sleeping */
      drain(&dirs[0]);
      drain(&dirs[1]);
      continue;
    }
    int64_t wake = next - spin < end ? next - spin : end;
    struct itimerspec at = { .it_value = { .tv_sec = wake / 1000000000, .tv_nsec = wake % 1000000000 } };
    timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, NULL);
    struct epoll_event evs[4];
    int n = epoll_wait(ep, evs, 4, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == a) drain(&dirs[0]);
      else if (fd == b) drain(&dirs[1]);
      else if (fd == 0) { if (!commands()) return 0; }
      else { uint64_t x; ssize_t r = read(timer, &x, sizeof x); (void)r; }
    }
  }
}
