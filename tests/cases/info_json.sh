# tests/cases/info_json.sh - ./IMAGE --info --json and --verify --json
# (include/INFO_JSON.md), parsed with python3's json module and checked
# against what /proc said of the target just before the freeze
# (tests/lib/info_json.py).  Sourced by tests/run.sh.

# json_image NAME TARGET DIR: start TARGET-pie in DIR, snapshot its /proc
# state into CASE/snap.json, freeze it with -k into CASE/img.
json_image() {
	local name=$1 target=$2 dir=$3
	start_target root "$dir" "$CASE/t.out" "$BIN/$target-pie" "$dir"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$TPID"
	python3 "$TESTS/lib/info_json.py" snap "$TPID" "$CASE/snap.json" 2>"$CASE/snap.err" ||
		{ kill_reap "$TPID"; fail "$name" "snapshot: $(brief "$CASE/snap.err")"; return 1; }
	run_freeze root "$CASE/freeze.err" -k "$CASE/img" "$TPID"
	kill_reap "$TPID"
	((FREEZE_RC == 0)) || { freeze_failed "$name"; return 1; }
}

# json_run IMG OUT ARGS...: run IMG ARGS with stdout in OUT, stderr in
# OUT.err; sets JSON_RC.
json_run() {
	local img=$1 out=$2
	shift 2
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "$@") \
		</dev/null >"$out" 2>"$out.err"
	JSON_RC=$?
}

# json_target NAME TARGET [DIR]: both documents of a fresh image of TARGET
# agree with /proc (threads, every fd's number, kind, access and path, the
# program's code mapping and every mapping's range, the cwd, the CPU and
# vdso verdicts); nothing on stderr.
json_target() {
	local name=$1 target=$2 dir=${3:-}
	selected "$name" || return 0
	need_pie "$target" "$name" || return 0
	new_case "$name" root
	[[ $dir ]] || dir=$CASE/t
	mkdir -p "$dir"
	json_image "$name" "$target" "$dir" || return
	json_run "$CASE/img" "$CASE/info.json" --info --json
	((JSON_RC == 0)) || WHYS+=("--info --json $(describe_rc $JSON_RC)")
	json_run "$CASE/img" "$CASE/verify.json" --json --verify
	((JSON_RC == 0)) || WHYS+=("--verify --json $(describe_rc $JSON_RC)")
	[[ -s $CASE/info.json.err || -s $CASE/verify.json.err ]] &&
		WHYS+=("stderr: $(cat "$CASE/info.json.err" "$CASE/verify.json.err" | brief /dev/stdin)")
	python3 "$TESTS/lib/info_json.py" check "$CASE/snap.json" "$CASE/info.json" \
		"$CASE/verify.json" >"$CASE/check.out" 2>&1 ||
		WHYS+=("$(brief "$CASE/check.out")")
	JSON_IMG=$CASE/img
	report "$name"
}

# json_expect NAME FILE RC OK STATUS PATTERN: FILE is one document with
# ok OK and exit_status STATUS (the exit status RC too), and PATTERN in
# its error or details.
json_expect() {
	local name=$1 file=$2 rc=$3 ok=$4 status=$5 pattern=$6 got
	WHYS=()
	if ! got=$(python3 "$TESTS/lib/info_json.py" doc "$file" 2>&1); then
		WHYS+=("not one document: $(brief "$file") $got")
	else
		[[ $got == "$ok $status "* ]] || WHYS+=("ok/exit_status: $got")
		[[ $got == *$pattern* ]] || WHYS+=("no '$pattern' in: $got")
	fi
	((rc == status)) || WHYS+=("exit $rc, not $status")
	report "$name"
}

# json_damaged: a flipped byte of page data is ok=false, error named,
# exit status EXIT_DAMAGED, for --verify and --info alike; a bad option
# is a document too (EXIT_USAGE).
json_damaged() {
	local name=info_json/damaged img=$1 bad
	selected "$name" || return 0
	need_helper flip || { skip "$name" "flip: $BUILD_WHY"; return 0; }
	bad=$CASE/damaged
	cp "$img" "$bad"
	"$BIN/flip" "$bad" 500 >/dev/null
	json_run "$bad" "$CASE/damaged.json" --verify --json
	json_expect "$name/verify" "$CASE/damaged.json" $JSON_RC false "$EXIT_DAMAGED" damaged
	json_run "$bad" "$CASE/damaged-info.json" --json --info
	json_expect "$name/info" "$CASE/damaged-info.json" $JSON_RC false "$EXIT_DAMAGED" damaged
	json_run "$img" "$CASE/usage.json" --verify --json --no-such-option
	json_expect "$name/usage" "$CASE/usage.json" $JSON_RC false "$EXIT_USAGE" no-such-option
	json_run "$img" "$CASE/alone.json" --json
	json_expect "$name/json-alone" "$CASE/alone.json" $JSON_RC false "$EXIT_USAGE" "--info or --verify"
}

# json_cpu: an image whose CPU record claims a feature this host lacks:
# --info --json says can_resume false and names it; --verify --json is
# ok=false with EXIT_HOST, the feature in its details; with --cpu=any it
# is ok=true and the feature is in its warnings.
json_cpu() {
	local name=info_json/cpu img=$1 bad=$CASE/cpu f need off bit
	selected "$name" || return 0
	need_helper patchrec || { skip "$name" "patchrec: $BUILD_WHY"; return 0; }
	"$img" --info >"$CASE/good.info" 2>&1
	if ! f=$(missing_cpu_feature "$CASE/good.info"); then
		skip "$name" "this CPU has every feature the test could claim"
		return
	fi
	read -r need off bit <<<"$f"
	cp "$img" "$bad"
	"$BIN/patchrec" "$bad" 12 "$off" "$(printf %x $((1 << bit)))" >/dev/null ||
		{ fail "$name" "patchrec failed on the CPU record"; return; }
	json_run "$bad" "$CASE/cpu-info.json" --info --json
	WHYS=()
	python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["cpu"]
sys.exit(c["can_resume"] is not False or sys.argv[2] not in c["missing_features"])' \
		"$CASE/cpu-info.json" "$need" || WHYS+=("cpu: $(brief "$CASE/cpu-info.json")")
	report "$name/info"
	json_run "$bad" "$CASE/cpu-verify.json" --verify --json
	json_expect "$name/verify" "$CASE/cpu-verify.json" $JSON_RC false "$EXIT_HOST" "$need"
	json_run "$bad" "$CASE/cpu-any.json" --verify --json --cpu=any
	WHYS=()
	((JSON_RC == 0)) || WHYS+=("--cpu=any $(describe_rc $JSON_RC)")
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(d["ok"] is not True or not any(sys.argv[2] in w for w in d["warnings"]))' \
		"$CASE/cpu-any.json" "$need" || WHYS+=("warnings: $(brief "$CASE/cpu-any.json")")
	report "$name/any-warns"
}

# info_json_cases: threads (thread count), pipes and unix sockets, a
# memfd, and the fds target run in a directory whose name holds a quote,
# a backslash, a newline, bytes that are not UTF-8 and more (the cwd and the
# paths of its files round-trip byte for byte); then a damaged image and a
# CPU the image needs more of.
info_json_cases() {
	any_selected info_json/threads info_json/pipe info_json/unix_sockets \
		info_json/memfd info_json/odd-path info_json/damaged info_json/cpu || return 0
	JSON_IMG=
	json_target info_json/threads threads
	json_target info_json/pipe pipe
	json_target info_json/unix_sockets unix_sockets
	json_target info_json/memfd memfd
	# Also a tab, a control byte, DEL, valid UTF-8 (e acute, the euro sign)
	# and a cut-short sequence, each of which the emitter treats its own way.
	json_target info_json/odd-path fds \
		"$TMP/cases/info_json_odd-path/t/a\"b\\c"$'\n'$'d\xffe\t\x01\x7f\xc3\xa9\xe2\x82\xac\xe2\x82x'
	[[ $JSON_IMG ]] || return 0
	json_damaged "$JSON_IMG"
	json_cpu "$JSON_IMG"
}
