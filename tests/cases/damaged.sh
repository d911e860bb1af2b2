# tests/cases/damaged.sh - a damaged or truncated image: --verify exits 1
# with a message, running it exits non-zero with a message; never a
# signal, never a hang.  Sourced by tests/run.sh.

TRUNCATED_HEADER_SIZE=164	# ELF header (64) + 100 bytes

# code_middle IMAGE: the file offset of the middle of the stub's code
# segment (the executable PT_LOAD).
code_middle() {
	local off siz
	read -r off siz < <(readelf -lW "$1" | awk '$1 == "LOAD" && / R E / { print $2, $5; exit }')
	echo $((off + siz / 2))
}

damaged_cases() {
	local name=damaged good spec bad rc off size
	selected "$name" || return 0
	need_helper flip || return 0
	new_case "$name" root
	good=$CASE/good
	if ! good_image; then
		fail "$name" "could not make an image to damage: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	"$good" --verify >/dev/null 2>"$CASE/good.err"
	rc=$?
	if ((rc == 0)); then pass "$name/undamaged/verify"; else fail "$name/undamaged/verify" "$(describe_rc $rc): $(brief "$CASE/good.err")"; fi
	size=$(stat -c %s "$good")
	for spec in flip-middle flip-3/4 flip-1/4 flip-code truncate-half truncate-last-byte truncate-header; do
		bad=$CASE/${spec//\//-}
		cp "$good" "$bad"
		case $spec in
		flip-middle) off=$("$BIN/flip" "$bad" 500) ;;
		flip-3/4) off=$("$BIN/flip" "$bad" 750) ;;
		flip-1/4) off=$("$BIN/flip" "$bad" 250) ;;
		flip-code) off=$("$BIN/flip" "$bad" "@$(code_middle "$good")") ;;
		truncate-half) truncate -s $((size / 2)) "$bad" ;;
		truncate-last-byte) truncate -s $((size - 1)) "$bad" ;;
		truncate-header) truncate -s "$TRUNCATED_HEADER_SIZE" "$bad" ;;
		esac
		damaged_run "$name/$spec" "$bad" verify
		damaged_run "$name/$spec" "$bad" run
	done
}

# damaged_run NAME IMG verify|run
damaged_run() {
	local name=$1/$3 img=$2 rc args=()
	[[ $3 == verify ]] && args=(--verify)
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "${args[@]}") \
		</dev/null >"$img.$3.out" 2>"$img.$3.err"
	rc=$?
	WHYS=()
	if ((rc == 124)); then
		WHYS+=("still running after ${VERDICT_TIMEOUT}s (did it resume?)")
	elif ((rc >= 128)); then
		WHYS+=("$(describe_rc $rc)")
	elif ((rc == 0)); then
		WHYS+=("exit 0")
	elif [[ $3 == verify && $name != */truncate-header/* && $rc != "$EXIT_DAMAGED" ]]; then
		WHYS+=("exit $rc, not $EXIT_DAMAGED")
	fi
	[[ -s $img.$3.err ]] || WHYS+=("no message on stderr")
	report "$name"
}

# Records that do not hold together, their checksums right: the stub
# refuses them before it changes anything (stub/image/verify_links.c), and
# freeze, which runs the same checks before it keeps an image and before
# -k kills (freeze/image/check_image.c), refuses to write them
# (tests/unit/check_image.c, the image writer on made-up records).
damaged_links_cases() {
	local name=damaged-links how line
	selected "$name" || return 0
	new_case "$name" root
	if make -s -C "$REPO" build/unit/check_image >"$CASE/make.out" 2>&1; then
		"$REPO/build/unit/check_image" "$CASE/scratch.img" >"$CASE/unit.out" 2>&1
		while read -r line; do
			case $line in
			"ok "*) pass "$name/freeze/${line#ok }" ;;
			"not ok "*) line=${line#not ok }; fail "$name/freeze/${line%%:*}" "${line#*: }" ;;
			*) fail "$name/freeze" "unexpected output: $line" ;;
			esac
		done <"$CASE/unit.out"
		[[ -s $CASE/unit.out ]] || fail "$name/freeze" "build/unit/check_image printed nothing"
	else
		fail "$name/freeze" "cannot build build/unit/check_image: $(brief "$CASE/make.out")"
	fi
	need_pie pipe "$name" && need_helper patchrec || return 0
	# Bit 40 of every FD record's object_id (byte 32): its pipes are gone.
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/pipe-pie" "$CASE/t"
	frozen_k root "$CASE/bad" || { freeze_failed "$name"; return; }
	"$BIN/patchrec" "$CASE/bad" 8 32 10000000000 >/dev/null ||
		{ fail "$name" "patchrec failed on the FD records"; return; }
	for how in verify run; do
		WHYS=()
		refused_as_damaged "$how" "$CASE/bad" "file descriptor names a record the image lacks"
		report "$name/stub/$how"
	done
}

# refused_as_damaged verify|run IMG TEXT: IMG, run with --verify or plainly,
# exits EXIT_DAMAGED saying TEXT on stderr.  Adds to WHYS.
refused_as_damaged() {
	local how=$1 img=$2 text=$3 rc args=()
	[[ $how == verify ]] && args+=(--verify)
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "${args[@]}") \
		</dev/null >"$CASE/$how.out" 2>"$CASE/$how.err"
	rc=$?
	((rc == EXIT_DAMAGED)) || WHYS+=("$(describe_rc $rc), not exit $EXIT_DAMAGED")
	grep -q "$text" "$CASE/$how.err" || WHYS+=("stderr: $(brief "$CASE/$how.err")")
}

# A DEAD_PATH record (a removed directory's stand-in) with a flag no stub
# knows, its checksum right: refused by --verify and by a plain run, and
# nothing is made in the scratch directory.
damaged_dead_path_case() {
	local name=damaged-links/dead-path how
	selected "$name" || return 0
	new_case "$name" root
	need_pie deadpaths "$name" && need_helper patchrec || return 0
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/deadpaths-pie" "$CASE/t"
	frozen_k root "$CASE/bad" || { freeze_failed "$name"; return; }
	# Byte 40 of struct fz_dead_path is its flags: bit 1 is not defined.
	[[ $("$BIN/patchrec" "$CASE/bad" 38 40 2) == 3 ]] ||
		{ fail "$name" "patchrec did not find the 3 DEAD_PATH records (d, g, l)"; return; }
	for how in verify run; do
		WHYS=()
		refused_as_damaged "$how" "$CASE/bad" "bad removed directory or symlink record"
		[[ -z $(ls -A "$CASE/t") ]] || WHYS+=("the scratch directory holds $(ls -A "$CASE/t" | tr '\n' ' ')")
		report "$name/stub/$how"
	done
}
