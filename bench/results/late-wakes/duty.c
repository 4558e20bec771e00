// N threads: busy W us, sleep S us, for T seconds (a partly busy machine).
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
static long W, S; static double T;
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void *run(void *a) { long long end = now() + (long long)(T * 1e9);
  while (now() < end) { long long u = now() + W * 1000; while (now() < u); usleep(S); } return 0; }
int main(int c, char **v) { int n = atoi(v[1]); W = atol(v[2]); S = atol(v[3]); T = atof(v[4]); pthread_t th[16];
  for (long i = 0; i < n; i++) pthread_create(&th[i], 0, run, 0); for (int i = 0; i < n; i++) pthread_join(th[i], 0); }
