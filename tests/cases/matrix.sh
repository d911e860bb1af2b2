# tests/cases/matrix.sh - the targets of TARGETS frozen and resumed: every
# variant as every user (kill), the other ways to freeze (modes), map-pages,
# a pid namespace.  Sourced by tests/run.sh.

EXTRA_MODES=(znone running stop stdout mappages)
MAP_PAGES_MIB=64	# bigmem's memory for map-pages/*

# run_matrix MODE: NAME/VARIANT/USER for every target of the table's set
# MODE (kill, or nofreeze), in every variant this run uses, as every user.
run_matrix() {
	local mode=$1 t v u
	for t in $(targets_in "$mode"); do
		for v in "${RUN_VARIANTS[@]}"; do
			for u in "${USERS[@]}"; do
				freeze_case "$t/$v/$u" "$t" "$v" "$u" "$mode"
			done
		done
	done
}

# NAME/pie/root/MODE for every target with the word modes; the threads
# target with 1, 2 and 64 threads (8 in the matrix).
run_extras() {
	local t m n u
	for t in $(targets_in modes); do
		for m in "${EXTRA_MODES[@]}"; do
			freeze_case "$t/pie/root/$m" "$t" pie root "$m"
		done
	done
	for n in 1 2 64; do
		for u in "${USERS[@]}"; do
			freeze_case -a "$n" "threads-$n/pie/$u" threads pie "$u" kill
		done
	done
}

# map-pages/bigmem/USER: a -z none image of bigmem resumed with --map-pages
# maps its memory from the image file (not a silent fallback to copying),
# and the process still finds all of it after the image file is removed.
map_pages_case() {
	local user=$1 name=map-pages/bigmem/$1
	selected "$name" || return 0
	need bigmem pie || { fail "$name" "cannot build bigmem: $BUILD_WHY"; return; }
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/bigmem-pie" "$CASE/t" "$MAP_PAGES_MIB"
	frozen_k "$user" "$CASE/out/img" -z none || { freeze_failed "$name"; return; }
	MAPPED=0
	resume_checked "$user" mapped_from_image "$CASE/out/img" --map-pages
	report "$name ($MAPPED mappings of the image)"
}

# mapped_from_image PID: the process maps CASE/out/img (MAPPED: how many
# times), which is then removed.
mapped_from_image() {
	MAPPED=$(grep -c " $CASE/out/img\$" "/proc/$1/maps")
	((MAPPED > 0)) || WHYS+=("no mapping of the image file in the resumed process")
	rm -f "$CASE/out/img"
}

map_pages_cases() {
	local u
	for u in "${USERS[@]}"; do map_pages_case "$u"; done
}

# A process in a pid namespace of its own, frozen and left running: its
# copy-on-write copy has another pid there than here, and must still be
# reaped (no zombie child left).
pidns_snapshot_case() {
	local name=snapshot/pid-namespace tpid child
	selected "$name" || return 0
	if ! unshare --pid --fork true 2>/dev/null; then
		skip "$name" "unshare --pid does not work here"
		return 0
	fi
	need_pie heap "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" unshare --pid --fork "$BIN/heap-pie" "$CASE/t"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	tpid=$(pgrep -P "$TPID" -x heap-pie)
	if [[ -z $tpid ]]; then
		kill_reap "$TPID"
		fail "$name" "the target did not start: $(brief "$CASE/t.out")"
		return
	fi
	wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	run_freeze root "$CASE/freeze.err" -v "$CASE/img" "$tpid"
	((FREEZE_RC == 0)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
	grep -q "reaped" "$CASE/freeze.err" || WHYS+=("freeze -v did not reap its copy: $(brief "$CASE/freeze.err")")
	for child in $(pgrep -P "$tpid"); do
		WHYS+=("a child of the target is left: pid $child, state $(proc_state "$child")")
	done
	# The target is its namespace's init: unshare's death would not end it.
	kill -KILL "$tpid"
	kill_reap "$TPID"
	report "$name"
}
