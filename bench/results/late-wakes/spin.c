// N threads spin reading CLOCK_MONOTONIC for S seconds; report gaps > 0.3 ms (time the thread
// did not run although it never blocked) per thread: count, total, max, and the first gaps' times.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
static double secs; static long long t0;
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void *run(void *a) {
  long id = (long)a; long long end = t0 + (long long)(secs * 1e9), prev = now(), tot = 0, mx = 0; int n = 0;
  long long hist[6] = {0}; // >0.3, >1, >2, >5, >10, >20 ms
  while (prev < end) {
    long long t = now(), g = t - prev;
    if (g > 300000) { n++; tot += g; if (g > mx) mx = g;
      hist[0]++; if (g > 1000000) hist[1]++; if (g > 2000000) hist[2]++; if (g > 5000000) hist[3]++; if (g > 10000000) hist[4]++; if (g > 20000000) hist[5]++;
      if (g > 5000000) printf("  thread %ld: gap %.2f ms at %.3f s\n", id, g / 1e6, (prev - t0) / 1e9); }
    prev = t;
  }
  printf("thread %ld: %d gaps >0.3 ms, total %.1f ms (%.2f %% of %.0f s), max %.2f ms; >1:%lld >2:%lld >5:%lld >10:%lld >20:%lld\n", id, n, tot / 1e6, tot / 1e7 / secs, secs, mx / 1e6, hist[1], hist[2], hist[3], hist[4], hist[5]);
  return 0;
}
int main(int c, char **v) {
  int n = atoi(v[1]); secs = atof(v[2]); pthread_t th[16]; t0 = now();
  for (long i = 0; i < n; i++) pthread_create(&th[i], 0, run, (void *)i);
  for (int i = 0; i < n; i++) pthread_join(th[i], 0);
}
