#!/usr/bin/env bash
# Freeze a running computation into one executable, then resume it from that
# file: the counter goes on from where it stopped, in a new process.
# FREEZE=/usr/bin/freeze examples/demo.sh uses an installed freeze (the
# Debian package's, make install's) instead of building bin/freeze here.
set -euo pipefail
# Pass the counter no stray fds from whatever started this script (pipes to
# a terminal multiplexer, an IDE...): freeze refuses fds it cannot restore.
for fd in /proc/$$/fd/*; do
	n=${fd##*/}
	if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-"; fi
done
cd "$(dirname "$0")/.."
if [ -n "${FREEZE:-}" ]; then
	make -s examples/counter
else
	make -s
	FREEZE=bin/freeze
fi
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

echo "== starting examples/counter"
./examples/counter > "$dir/counter.log" &
pid=$!
sleep 3.5
cat "$dir/counter.log"

echo "== $FREEZE -k $dir/job.bin $pid"
"$FREEZE" -k "$dir/job.bin" "$pid"
ls -l "$dir/job.bin"
"$dir/job.bin" --info | head -3
"$dir/job.bin" --verify

echo "== resuming $dir/job.bin (its output still goes to counter.log)"
"$dir/job.bin" &
sleep 3.5
kill $! 2>/dev/null || true
cat "$dir/counter.log"
