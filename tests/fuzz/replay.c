/*
 * Replays fuzzing inputs through the fuzz target without libFuzzer:
 * `replay FILE...` feeds each file to LLVMFuzzerTestOneInput and prints one
 * line per file: verified, or refused and why. Built with any C compiler; a finding aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *fuzz_last_refusal;

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *bigger = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!bigger) {
				fprintf(stderr, "%s: out of memory\n", path);
				fclose(f);
				free(buf);
				return 1;
			}
			buf = bigger;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("%s (%zu bytes): %s%s\n", path, len,
	       fuzz_last_refusal ? "refused: " : "verified",
	       fuzz_last_refusal ? fuzz_last_refusal : "");
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++)
		bad |= replay(argv[i]);
	return bad;
}
