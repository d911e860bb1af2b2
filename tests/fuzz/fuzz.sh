#!/usr/bin/env bash
# tests/fuzz/fuzz.sh SECONDS: fuzz the stub's image reader (make fuzz).
#
# Seeds: real images of a few test targets (lz4 and -z none), cut down by
# seed.py to every record and a few chunks, plus the regression corpus in
# tests/fuzz/corpus/. libFuzzer then runs build/fuzz/image_fuzz for SECONDS
# on one core. New inputs gather in build/fuzz/work/; findings are written
# to build/fuzz/artifacts/: fix the stub, then copy the (small) input into
# tests/fuzz/corpus/ so `make test` replays it from then on.
set -u
SECONDS_TO_RUN=${1:-300}
FUZZ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$FUZZ/../.." && pwd)
OUT=$REPO/build/fuzz
SEED_TARGETS=(heap threads pipe fds timers signals)
mkdir -p "$OUT/seeds" "$OUT/work" "$OUT/artifacts" "$OUT/targets"

# seed NAME FREEZE-OPTIONS...: freeze a fresh NAME target into a seed.
seed() {
	local name=$1 bin=$OUT/targets/$1 tag pid
	shift
	tag=$name${1:+-none}
	[[ -s $OUT/seeds/$tag ]] && return 0
	if [[ ! -x $bin ]]; then
		gcc -std=gnu11 -O2 -o "$bin" "$REPO/tests/targets/$name.c" -pthread -lrt -lm || return 1
	fi
	rm -rf "$OUT/targets/$tag.dir" && mkdir -p "$OUT/targets/$tag.dir"
	"$bin" "$OUT/targets/$tag.dir" >"$OUT/targets/$tag.out" 2>&1 </dev/null 251>&- 255>&- &
	pid=$!
	for _ in $(seq 100); do grep -q READY "$OUT/targets/$tag.out" && break; sleep 0.1; done
	sleep 0.2
	"$REPO/bin/freeze" -q -k "$@" "$OUT/targets/$tag.img" "$pid" ||
		{ kill -KILL "$pid"; wait "$pid"; return 1; }
	wait "$pid" 2>/dev/null
	python3 "$FUZZ/seed.py" "$OUT/targets/$tag.img" "$OUT/seeds/$tag" 3 &&
		echo "# seed $tag: $(stat -c %s "$OUT/seeds/$tag") bytes"
}

for t in "${SEED_TARGETS[@]}"; do
	seed "$t" || echo "# no seed from $t"
	seed "$t" -z none || echo "# no -z none seed from $t"
done

before=$(ls "$OUT/artifacts" | wc -l)
start=$(date +%s)
(cd "$OUT" && nice -n 10 ./image_fuzz -max_total_time="$SECONDS_TO_RUN" \
	-timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
	-artifact_prefix="$OUT/artifacts/" work seeds "$FUZZ/corpus") \
	>"$OUT/last-run.log" 2>&1
rc=$?
grep -E '^stat::number_of_executed_units|^stat::peak_rss|^#[0-9]+ *DONE' "$OUT/last-run.log"
after=$(ls "$OUT/artifacts" | wc -l)
echo "# fuzzed $(($(date +%s) - start)) s: $((after - before)) new findings in $OUT/artifacts, $(ls "$OUT/work" | wc -l) inputs in $OUT/work"
echo "$(date -u +%FT%TZ) $(($(date +%s) - start)) s, $((after - before)) findings" >>"$OUT/history"
if ((rc != 0 || after != before)); then
	tail -40 "$OUT/last-run.log"
	exit 1
fi
