/* Host reference for the demand-zero benchmark: maps anonymous memory and touches one byte per
 * 4 KB page, so the host kernel resolves one demand-zero fault per page. Transparent huge pages
 * are disabled for the range so every page really faults. Prints nanoseconds per fault. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv) {
  long pages = argc > 1 ? atol(argv[1]) : 100000;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  double best = 1e18;
  for (int r = 0; r < rounds; r++) {
    char *p = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
#ifdef MADV_NOHUGEPAGE
    madvise(p, pages * 4096, MADV_NOHUGEPAGE);
#endif
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < pages; i++) p[i * 4096] = 1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    if (ns / pages < best) best = ns / pages;
    munmap(p, pages * 4096);
  }
  printf("%.1f\n", best);
  return 0;
}
