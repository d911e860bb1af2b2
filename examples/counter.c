/* A long computation to freeze and resume: counts, sums, prints progress. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	unsigned long long sum = 0;

	for (unsigned i = 1;; i++) {
		sum += (unsigned long long)i * i;
		printf("step %u: sum of squares %llu\n", i, sum);
		fflush(stdout);
		sleep(1);
	}
}
