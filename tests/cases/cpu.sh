# tests/cases/cpu.sh - images whose CPU record claims what this host lacks.
# Sourced by tests/run.sh.

# The first CPU feature this host lacks among some rare ones, as
# "NAME OFFSET BIT" in struct fz_cpu (leaf7_ebx at 8, leaf7_ecx at 12,
# leaf7_edx at 16), judged by what --info says the image (this host) has.
missing_cpu_feature() {
	local info=$1 f
	for f in "amx_tile 16 24" "avx512_vp2intersect 16 8" "avx512_4fmaps 16 3" \
		"avx512er 8 27" "avx512f 8 16" "sha_ni 8 29" "vaes 12 9"; do
		grep -q "^cpu features needed:.* ${f%% *}\( \|$\)" "$info" || {
			echo "$f"
			return 0
		}
	done
	return 1
}

# cpu_run NAME IMG EXPECT NEED ARGS...: run IMG ARGS and judge it: EXPECT
# refuse (exit EXIT_HOST, stderr naming NEED), accept (--verify: exit 0, a warning
# naming NEED) or resume (PASS after the resume, the same warning).
cpu_run() {
	local name=$1 img=$2 expect=$3 need=$4 rc err=$CASE/img.err
	shift 4
	WHYS=()
	if [[ $expect == resume ]]; then
		resume root sig "$img" "$CASE/elsewhere" "" "$img" "$@"
	else
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "$@") \
			</dev/null >"$CASE/img.out" 2>"$err"
		rc=$?
		if [[ $expect == refuse ]]; then
			((rc == EXIT_HOST)) || WHYS+=("$(describe_rc $rc), not exit $EXIT_HOST")
		else
			((rc == 0)) || WHYS+=("$(describe_rc $rc): $(brief "$err")")
		fi
	fi
	if [[ $expect == refuse ]]; then
		grep -q "^freeze: .*$need" "$err" || WHYS+=("no '$need' in: $(brief "$err")")
	else
		grep -q "warning: .*$need" "$err" || WHYS+=("no warning naming '$need': $(brief "$err")")
	fi
	report "$name"
}

# cpu_cases: an image whose CPU record claims a feature this host lacks is
# refused (the feature named) by --verify and by a plain run; --info says
# so; --cpu=in-use accepts it (no thread has state of it in use) and
# --cpu=any accepts it with a warning.  An image whose thread claims an
# XSAVE component in use that this host lacks is refused even with
# --cpu=in-use, accepted by --cpu=any (the component dropped, the regs
# target's AVX registers, copied component by component, intact).
cpu_cases() {
	local name=cpu good bad f need off bit
	selected "$name" || return 0
	need_pie regs "$name" && need_helper patchrec || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/regs-pie" "$CASE/t"
	good=$CASE/good
	frozen_k root "$good" || { freeze_failed "$name"; return; }
	"$good" --info >"$CASE/good.info" 2>&1
	if ! f=$(missing_cpu_feature "$CASE/good.info"); then
		skip "$name" "this CPU has every feature the test could claim"
		return
	fi
	read -r need off bit <<<"$f"
	bad=$CASE/feature
	cp "$good" "$bad"
	"$BIN/patchrec" "$bad" 12 "$off" "$(printf %x $((1 << bit)))" >/dev/null ||
		{ fail "$name" "patchrec failed on the CPU record"; return; }
	cpu_run "$name/feature-$need/verify" "$bad" refuse "$need" --verify
	cpu_run "$name/feature-$need/run" "$bad" refuse "$need"
	"$bad" --info >"$CASE/bad.info" 2>&1
	if grep -q "^cpu: this host lacks features the process may use: .*$need" "$CASE/bad.info" &&
		grep -q "^cpu: resume refused" "$CASE/bad.info"; then
		pass "$name/feature-$need/info"
	else
		fail "$name/feature-$need/info" "$(grep '^cpu:' "$CASE/bad.info" | tr '\n' ' ')"
	fi
	cpu_run "$name/feature-$need/in-use-verify" "$bad" accept "$need" --verify --cpu=in-use
	cpu_run "$name/feature-$need/in-use" "$bad" resume "$need" --cpu=in-use
	cpu_run "$name/feature-$need/any" "$bad" resume "$need" --cpu=any
	# An XSAVE component in use: AMX tile configuration (bit 17), in the
	# XSTATE_BV of the thread's XSAVE header (sizeof(fz_thread) + 512).
	if grep -qw amx_tile /proc/cpuinfo; then
		skip "$name/in-use-amx" "this CPU has AMX"
		return
	fi
	need=amx_tilecfg
	bad=$CASE/in-use
	cp "$good" "$bad"
	"$BIN/patchrec" "$bad" 2 840 20000 >/dev/null ||
		{ fail "$name/in-use" "patchrec failed on the thread record"; return; }
	cpu_run "$name/in-use-$need/verify" "$bad" refuse "$need" --verify --cpu=in-use
	cpu_run "$name/in-use-$need/run" "$bad" refuse "$need" --cpu=in-use
	cpu_run "$name/in-use-$need/any" "$bad" resume "$need" --cpu=any
}
