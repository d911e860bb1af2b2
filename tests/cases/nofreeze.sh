# tests/cases/nofreeze.sh - under TESTS_NOFREEZE=1, the helpers the other
# cases rely on, checked on their own.  Sourced by tests/run.sh.

# NOFREEZE: check the seize helper the way bad/traced uses it.
seize_selftest() {
	local name=nofreeze/seize-helper tracer
	selected "$name" && need_helper seize || return 0
	bad_start "$name" root heap
	"$BIN/seize" "$BAD_PID" >"$CASE/seize.out" 2>&1 &
	tracer=$!
	track "$tracer"
	wait_until 5 has_line "$CASE/seize.out" SEIZED || WHYS+=("no SEIZED: $(brief "$CASE/seize.out")")
	[[ $(status_field "$BAD_PID" TracerPid) == "$tracer" ]] || WHYS+=("not traced by the helper")
	kill_reap "$tracer"
	survived "$BAD_PID"
	report "$name"
}
