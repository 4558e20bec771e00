/*
 * The wake witness: a process that does nothing but sleep until a timer every PERIOD_US
 * microseconds and note how late each wake-up came (CLOCK_MONOTONIC). Beside the exporters
 * it shows what the host does to any sleeping thread during a case: a late wake-up here is
 * one the exporters' timers and sockets can get too, whatever their code.
 *
 * Usage: wake-witness PERIOD_US. Prints "ready". Each line "r" on stdin asks for a report of
 * the wake-ups since the previous one (and starts the next window): one JSON line
 * {"samples":N,"p50":US,"p99":US,"max":US,"over5ms":N,"over10ms":N}, microseconds.
 * Exits at end of stdin.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1 << 20)

static long long samples[MAX_SAMPLES];
static size_t count;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

static double quantile_us(double q) {
  if (count == 0) return 0;
  size_t i = (size_t)(q * (double)(count - 1) + 0.5);
  return (double)samples[i] / 1000.0;
}

static void report(void) {
  qsort(samples, count, sizeof samples[0], by_value);
  size_t over5 = 0, over10 = 0;
  for (size_t i = 0; i < count; i++) {
    if (samples[i] > 5000000) over5++;
    if (samples[i] > 10000000) over10++;
  }
  printf("{\"samples\":%zu,\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f,\"over5ms\":%zu,\"over10ms\":%zu}\n", count, quantile_us(0.5), quantile_us(0.99), count ? (double)samples[count - 1] / 1000.0 : 0.0, over5, over10);
  fflush(stdout);
  count = 0;
}

/* Reads what stdin has; returns 0 at its end. Each 'r' is a report. */
static int read_commands(void) {
  char buf[256];
  ssize_t n = read(0, buf, sizeof buf);
  if (n <= 0) return 0;
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == 'r') report();
  return 1;
}

int main(int argc, char **argv) {
  long long period = argc > 1 ? atoll(argv[1]) * 1000 : 0;
  if (period <= 0) {
    fprintf(stderr, "usage: wake-witness PERIOD_US\n");
    return 2;
  }
  /* The kernel's default 50 us slack would count as lateness that is only the slack. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  printf("ready\n");
  fflush(stdout);
  long long due = now_ns() + period;
  struct pollfd in = { .fd = 0, .events = POLLIN };
  for (;;) {
    long long wait = due - now_ns();
    struct timespec timeout = { wait > 0 ? wait / 1000000000LL : 0, wait > 0 ? wait % 1000000000LL : 0 };
    int ready = ppoll(&in, 1, &timeout, NULL);
    long long woke = now_ns();
    if (ready > 0 && !read_commands()) return 0;
    if (woke < due) continue; /* a command, before the timer */
    if (count < MAX_SAMPLES) samples[count++] = woke - due;
    /* The next due time from the schedule, not from this wake-up: a late one does not shift the rest. */
    due += period;
    if (due < woke) due = woke + period; /* stopped for longer than a period: start again from now */
  }
}
