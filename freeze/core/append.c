/* Growing the freezer's arrays of collected things, one item at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "freeze.h"

int append_item(void *array, size_t *n, size_t size, const void *item)
{
	void **arr = array;
	char *grown = realloc(*arr, (*n + 1) * size);

	if (!grown)
		return -ENOMEM;
	memcpy(grown + *n * size, item, size);
	*arr = grown;
	(*n)++;
	return 0;
}
