// Samples /proc/PID/task/PID/schedstat every PERIOD_US until the task is gone; writes
// "t_ns exec_ns wait_ns slices late_ns" per sample to OUT at exit.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
typedef struct { long long t, ex, wa, sl, late; } S;
static long long ns(struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }
int main(int c, char **v) {
  int pid = atoi(v[1]); long per = atol(v[2]) * 1000; const char *out = v[3];
  char p[64]; snprintf(p, sizeof p, "/proc/%d/task/%d/schedstat", pid, pid);
  size_t cap = 1 << 20, n = 0; S *s = malloc(cap * sizeof(S));
  int fd = -1; for (int i = 0; i < 2000 && fd < 0; i++) { fd = open(p, O_RDONLY); if (fd < 0) usleep(1000); }
  if (fd < 0) return 1;
  struct timespec next, now; clock_gettime(CLOCK_MONOTONIC, &next);
  for (;;) {
    next.tv_nsec += per; while (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
    clock_gettime(CLOCK_MONOTONIC, &now);
    char b[128]; int r = pread(fd, b, sizeof b - 1, 0); if (r <= 0) break; b[r] = 0;
    S x; x.t = ns(&now); x.late = ns(&now) - ns(&next);
    if (sscanf(b, "%lld %lld %lld", &x.ex, &x.wa, &x.sl) != 3) break;
    if (n < cap) s[n++] = x;
    if (x.late > 1000000000LL) next = now;
  }
  FILE *f = fopen(out, "w");
  for (size_t i = 0; i < n; i++) fprintf(f, "%lld %lld %lld %lld %lld\n", s[i].t, s[i].ex, s[i].wa, s[i].sl, s[i].late);
  fclose(f); return 0;
}
